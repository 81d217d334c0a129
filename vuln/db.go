package vuln

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/osv-scalibr/inventory/osvecosystem"
)

// layouts are the folders, relative to the database directory, that may hold
// <Ecosystem>/all.zip, in order of preference.
var layouts = []string{
	".",           // the OSV bucket layout, fnaudit's own
	"osv-scalibr", // osv-scanner 2.x offline cache
	"osv-scanner", // older osv-scanner offline cache
}

// zipName is the file name of an ecosystem's archive.
const zipName = "all.zip"

// Option configures Open.
type Option func(*options)

type options struct {
	logger   *slog.Logger
	now      func() time.Time
	indexDir string
}

// WithIndexCache keeps the indexes of a database that has no .fnaudit
// folder of its own (a read-only volume, an osv-scanner cache, a copy made
// by hand) under dir instead of rebuilding them in memory on every open.
// Entries are per database directory and validated against the archive
// like any index.
func WithIndexCache(dir string) Option {
	return func(o *options) { o.indexDir = dir }
}

// WithLogger sends the database's diagnostics, and osv-scalibr's (which
// otherwise prints to stderr), to l. Without it they are discarded.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithClock sets the clock used to recognise `modified` dates in the future
// (the default is time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// DB is an OSV database directory. An ecosystem's archive is opened on first
// use and stays open (a later update that replaces it does not change what
// the DB reads) until Close; a DB is safe for concurrent use.
type DB struct {
	dir  string
	opts options
	// zips maps an ecosystem folder name ("npm", "Debian:12") to its archive;
	// written by Open only.
	zips map[string]string
	// indexDir is where archive indexes are kept ("" when the database has
	// no MetaDir: indexes are then built in memory only); written by Open.
	indexDir string

	// mu guards loaded: the per-ecosystem load state, created on first use.
	mu     sync.Mutex
	loaded map[string]*ecosystemLoad
}

// ecosystemLoad is the outcome of loading one ecosystem; done is closed when
// data or err is set.
type ecosystemLoad struct {
	done chan struct{}
	data *ecosystemData
	err  error
}

// Open opens the OSV database in dir. Each ecosystem's archive is looked for
// as <dir>/<Ecosystem>/all.zip, then <dir>/osv-scalibr/<Ecosystem>/all.zip,
// then <dir>/osv-scanner/<Ecosystem>/all.zip; the first found wins. Nothing is
// read here. Open fails when dir does not exist or holds no archive.
//
// When dir holds a MetaDir folder (fnaudit's own databases do), the index of
// each archive is kept in it and reused by later Opens; otherwise indexes
// live in memory only and each Open pre-scans the archives it uses.
func Open(ctx context.Context, dir string, opts ...Option) (*DB, error) {
	o := options{logger: slog.New(slog.DiscardHandler), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	routeScalibrLog(o.logger)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening advisory database %s: %w; %s", dir, err, howToGetDB)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("opening advisory database %s: not a directory; %s", dir, howToGetDB)
	}
	zips, err := Archives(dir)
	if err != nil {
		return nil, err
	}
	if len(zips) == 0 {
		return nil, fmt.Errorf("opening advisory database %s: no <Ecosystem>/%s found; %s", dir, zipName, howToGetDB)
	}
	db := &DB{dir: dir, opts: o, zips: zips, loaded: map[string]*ecosystemLoad{}}
	if st, err := os.Stat(filepath.Join(dir, MetaDir)); err == nil && st.IsDir() {
		db.indexDir = filepath.Join(dir, MetaDir, "index")
	} else if o.indexDir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = dir
		}
		sum := sha256.Sum256([]byte(abs))
		db.indexDir = filepath.Join(o.indexDir, hex.EncodeToString(sum[:8]))
	}
	return db, nil
}

// howToGetDB tells a user how to get a database.
const howToGetDB = "run `fnaudit db update` to download one, or point --db at an osv-scanner offline cache"

// Archives lists the ecosystem archives of database directory dir, by
// ecosystem folder name ("npm", "Debian:12"), as [Open] finds them: the OSV
// bucket layout first, then osv-scanner's caches. A missing dir has none.
func Archives(dir string) (map[string]string, error) {
	zips := map[string]string{}
	for _, l := range layouts {
		base := filepath.Join(dir, l)
		entries, err := os.ReadDir(base)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) && l != "." {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading advisory database %s: %w", base, err)
		}
		for _, e := range entries {
			if _, seen := zips[e.Name()]; seen || !e.IsDir() || e.Name() == MetaDir {
				continue
			}
			p := filepath.Join(base, e.Name(), zipName)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				zips[e.Name()] = p
			}
		}
	}
	return zips, nil
}

// Dir returns the database directory.
func (db *DB) Dir() string { return db.dir }

// zipFor returns the folder name of the archive that holds the records of
// ecosystem eco ("Debian:12" is looked for as Debian:12, then Debian).
func (db *DB) zipFor(eco string) (string, bool) {
	if _, ok := db.zips[eco]; ok {
		return eco, true
	}
	p, err := osvecosystem.Parse(eco)
	if err != nil || p.Suffix == "" {
		return "", false
	}
	base := string(p.Ecosystem)
	_, ok := db.zips[base]
	return base, ok
}

// load returns the decoded index of the ecosystem folder name, loading it on
// first use. Concurrent callers for the same ecosystem wait for one load; a
// load cancelled by its caller's context is not cached, and a waiter whose
// own context is live tries again.
func (db *DB) load(ctx context.Context, name string) (*ecosystemData, error) {
	for {
		db.mu.Lock()
		l, ok := db.loaded[name]
		if !ok {
			l = &ecosystemLoad{done: make(chan struct{})}
			db.loaded[name] = l
		}
		db.mu.Unlock()
		if !ok {
			l.data, l.err = loadEcosystem(ctx, name, db.zips[name], db.indexFile(name), db.opts)
			if l.err != nil && ctx.Err() != nil {
				db.mu.Lock()
				delete(db.loaded, name)
				db.mu.Unlock()
			}
			close(l.done)
		}
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if ok && l.err != nil && isContextErr(l.err) && ctx.Err() == nil {
			continue // another caller's cancelled load
		}
		return l.data, l.err
	}
}

// indexFile returns the index path of the ecosystem folder name ("" when
// indexes are not kept).
func (db *DB) indexFile(name string) string {
	if db.indexDir == "" {
		return ""
	}
	return filepath.Join(db.indexDir, name+".idx")
}

// Close closes the archives opened so far. The DB must not be used after
// Close; an archive whose load is still running when Close is called is
// closed when the DB is garbage collected.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	var errs []error
	for _, l := range db.loaded {
		select {
		case <-l.done:
			if l.data != nil {
				errs = append(errs, l.data.file.Close())
			}
		default:
		}
	}
	return errors.Join(errs...)
}

// isContextErr reports whether err comes from a context ending.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Ecosystems describes the ecosystems loaded so far, sorted by name.
func (db *DB) Ecosystems() []EcosystemInfo {
	db.mu.Lock()
	loads := make([]*ecosystemLoad, 0, len(db.loaded))
	for _, l := range db.loaded {
		loads = append(loads, l)
	}
	db.mu.Unlock()
	var out []EcosystemInfo
	for _, l := range loads {
		select {
		case <-l.done:
			if l.err == nil {
				out = append(out, l.data.info())
			}
		default:
		}
	}
	slices.SortFunc(out, func(a, b EcosystemInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
