package dbupdate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/fnaudit/fnaudit/vuln"
)

// Status is what became of one ecosystem.
type Status string

// Statuses of a Result.
const (
	// Updated: a new archive was installed.
	Updated Status = "updated"
	// Unchanged: the mirror's archive is the one installed (304 Not
	// Modified, or the same SHA-256).
	Unchanged Status = "unchanged"
	// Failed: the previous archive, if any, is kept; Err says why.
	Failed Status = "failed"
)

// Result is the outcome of updating or importing one ecosystem.
type Result struct {
	// Ecosystem is the ecosystem folder name.
	Ecosystem string
	// Source is the URL fetched, or "import PATH".
	Source string
	Status Status
	// Err is why the ecosystem failed.
	Err error
	// Records, Size and SHA256 describe the archive now installed (Records
	// is 0 when it was not re-read: unchanged archives).
	Records int
	Size    int64
	SHA256  string
	// Added and Replaced count the records an import added and replaced.
	Added, Replaced int
}

// ErrNoEcosystems is returned by Update when no ecosystem is asked for and
// the database holds none.
var ErrNoEcosystems = errors.New("no ecosystem to update")

// Update downloads the archives of cfg.Ecosystems (else of the ecosystems
// dir already holds) from cfg.BaseURL into database dir, creating dir if
// needed. It returns one Result per ecosystem, in name order; an
// ecosystem's failure is in its Result. The error is for what stops the
// run as a whole: a bad configuration, ErrNoEcosystems, ErrLocked, or ctx
// ending (the Results of the ecosystems done are returned with it).
func Update(ctx context.Context, dir string, cfg Config) ([]Result, error) {
	cfg = cfg.withDefaults()
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	ecos, err := updateList(dir, cfg.Ecosystems)
	if err != nil {
		return nil, err
	}
	s, err := begin(ctx, dir, cfg)
	if err != nil {
		return nil, err
	}
	defer s.end()
	f := newFetcher(cfg, base)
	defer f.close()
	var results []Result
	for _, eco := range ecos {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		r := s.updateOne(ctx, f, eco)
		if cfg.Done != nil {
			cfg.Done(r)
		}
		results = append(results, r)
	}
	s.reindex(ctx, results)
	return results, ctx.Err()
}

// updateList returns the ecosystems to update, sorted: those asked for,
// else those dir holds.
func updateList(dir string, asked []string) ([]string, error) {
	if len(asked) == 0 {
		zips, err := vuln.Archives(dir)
		if err != nil {
			return nil, err
		}
		if len(zips) == 0 {
			return nil, fmt.Errorf("%w: %s holds no <Ecosystem>/%s yet", ErrNoEcosystems, dir, zipName)
		}
		return slices.Sorted(maps.Keys(zips)), nil
	}
	for _, eco := range asked {
		if err := validEcosystem(eco); err != nil {
			return nil, err
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(asked))), nil
}

// session is a locked database being changed: the lock, the temp dir and
// the state file's content.
type session struct {
	dir   string
	cfg   Config
	lock  *dbLock
	work  *workDir
	state vuln.State
}

// begin locks database dir, clears its temp dir and reads its state.
func begin(ctx context.Context, dir string, cfg Config) (*session, error) {
	l, err := acquire(ctx, dir, cfg.LockWait)
	if err != nil {
		return nil, err
	}
	w, err := newWorkDir(dir)
	if err != nil {
		l.release()
		return nil, err
	}
	st, err := vuln.ReadState(dir)
	if err != nil {
		cfg.Logger.Warn("ignoring the database state; every archive will be downloaded in full", "error", err)
	}
	return &session{dir: dir, cfg: cfg, lock: l, work: w, state: st}, nil
}

// end removes the temp dir and releases the lock.
func (s *session) end() {
	if err := s.work.close(); err != nil {
		s.cfg.Logger.Warn("temp dir not removed; the next update removes it", "error", err)
	}
	s.lock.release()
}

// updateOne fetches, verifies and installs one ecosystem's archive.
func (s *session) updateOne(ctx context.Context, f *fetcher, eco string) Result {
	u := archiveURL(f.base, eco)
	r := Result{Ecosystem: eco, Source: u, Status: Failed}
	current := filepath.Join(s.dir, eco, zipName)
	prev, known := s.state.Ecosystems[eco]
	known = known && prev.Describes(current)
	var cond *vuln.ArchiveState
	if known && prev.Source == u {
		cond = &prev
	}
	tmp, err := s.work.create("archive-*.zip")
	if err != nil {
		r.Err = err
		return r
	}
	defer s.work.remove(tmp)
	progress := func(done, total int64) {
		if s.cfg.Progress != nil {
			s.cfg.Progress(eco, done, total)
		}
	}
	got, err := f.get(ctx, u, cond, fileSink{tmp}, maxArchiveBytes, progress)
	if err != nil {
		r.Err = err
		return r
	}
	if !got.notModified {
		progress(got.size, got.size) // complete, whether or not the length was announced
	}
	if got.notModified || known && got.sha256 == prev.SHA256 {
		return s.unchanged(r, prev, got)
	}
	if err := finish(tmp); err != nil {
		r.Err = err
		return r
	}
	if r.Records, err = verify(ctx, f, eco, u, tmp.Name(), got); err != nil {
		r.Err = err
		return r
	}
	a := vuln.ArchiveState{Source: u, ETag: got.etag, LastModified: got.lastModified, SHA256: got.sha256}
	return s.installArchive(r, tmp.Name(), a)
}

// verify checks a downloaded archive, at path, against the mirror's
// checksums and its records.
func verify(ctx context.Context, f *fetcher, eco, u, path string, got *fetched) (int, error) {
	if err := f.checkSums(ctx, eco, got.sha256); err != nil {
		return 0, fmt.Errorf("verifying %s: %w", u, err)
	}
	n, err := verifyArchive(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("verifying %s: %w", u, err)
	}
	return n, nil
}

// unchanged records that the mirror still has the installed archive: the
// archive and its Updated time stay, Checked is now, and after a full
// download (no validators, or another mirror) the new source and
// validators are kept.
func (s *session) unchanged(r Result, prev vuln.ArchiveState, got *fetched) Result {
	prev.Checked = s.cfg.Now().UTC()
	if !got.notModified {
		prev.Source, prev.ETag, prev.LastModified = r.Source, got.etag, got.lastModified
	}
	s.state.Ecosystems[r.Ecosystem] = prev
	r.Size, r.SHA256 = prev.Size, prev.SHA256
	if err := writeState(s.dir, s.work, s.state); err != nil {
		r.Err = err
		return r
	}
	r.Status = Unchanged
	return r
}

// installArchive swaps a finished, verified archive in and records it in
// the state file.
func (s *session) installArchive(r Result, tmp string, a vuln.ArchiveState) Result {
	s.cfg.hook("rename", r.Ecosystem)
	fi, err := install(s.dir, r.Ecosystem, tmp)
	if err != nil {
		r.Err = err
		return r
	}
	s.cfg.hook("state", r.Ecosystem)
	now := s.cfg.Now().UTC()
	a.Updated, a.Checked, a.Size, a.ModTime = now, now, fi.Size(), fi.ModTime()
	s.state.Ecosystems[r.Ecosystem] = a
	r.Size, r.SHA256 = a.Size, a.SHA256
	if err := writeState(s.dir, s.work, s.state); err != nil {
		r.Err = fmt.Errorf("%s was installed but not recorded (the next update downloads it again): %w", r.Ecosystem, err)
		return r
	}
	r.Status = Updated
	return r
}

// reindex builds the indexes of the archives installed, so that the next
// scan opens warm. Failures are logged: a scan rebuilds a missing index.
func (s *session) reindex(ctx context.Context, results []Result) {
	var names []string
	for _, r := range results {
		if r.Status == Updated {
			names = append(names, r.Ecosystem)
		}
	}
	if len(names) == 0 || ctx.Err() != nil {
		return
	}
	db, err := vuln.Open(ctx, s.dir, vuln.WithLogger(s.cfg.Logger))
	if err != nil {
		s.cfg.Logger.Warn("archive indexes not built", "error", err)
		return
	}
	defer db.Close()
	if _, err := db.Status(ctx, names...); err != nil {
		s.cfg.Logger.Warn("archive indexes not built", "error", err)
	}
}
