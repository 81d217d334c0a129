package dbupdate

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/vuln"
)

// maxImportBytes bounds the records of one import, all kept in memory
// between validation and writing.
const maxImportBytes = 1 << 30

// maxProblemsListed bounds the invalid records quoted in an error.
const maxProblemsListed = 10

// ErrInvalidRecords is returned by Import when records do not validate;
// nothing was changed.
var ErrInvalidRecords = errors.New("invalid OSV records")

// record is one validated record to import.
type record struct {
	id   string
	from string // file or zip entry, for messages
	data []byte
	// ecosystems are the folders it goes into: the base names (before
	// ":") of its affected[].package.ecosystem, sorted, distinct.
	ecosystems []string
}

// Import validates the OSV records at path (a folder, searched recursively
// for *.json files, or a zip of them) and merges them into the archives of
// database dir. A record must decode, have an id usable as a file name and
// name an ecosystem in every affected[].package; it goes into the archive
// of each ecosystem it names, filed as OSV files them by the name before
// ":" ("Debian:12" into Debian/all.zip), and replaces the record with the
// same id. With cfg.Ecosystems, only the records naming one of those
// folders are imported. Archives are written deterministically: entries
// sorted by id, named <id>.json, dated 1980-01-01, new ones deflated; then
// swapped in under the lock like Update's. When a record is invalid nothing
// changes and the error, wrapping ErrInvalidRecords, lists the problems.
func Import(ctx context.Context, dir, path string, cfg Config) ([]Result, error) {
	cfg = cfg.withDefaults()
	for _, eco := range cfg.Ecosystems {
		if err := validEcosystem(eco); err != nil {
			return nil, err
		}
	}
	recs, err := readRecords(ctx, path)
	if err != nil {
		return nil, err
	}
	groups := groupRecords(recs, cfg)
	if len(groups) == 0 {
		return nil, fmt.Errorf("%w: %s holds no record for ecosystem %s", ErrInvalidRecords, path, strings.Join(cfg.Ecosystems, ", "))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("importing %s: %w", path, err)
	}
	s, err := begin(ctx, dir, cfg)
	if err != nil {
		return nil, err
	}
	defer s.end()
	zips, err := vuln.Archives(dir)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, eco := range slices.Sorted(maps.Keys(groups)) {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		r := s.importOne(ctx, eco, zips[eco], groups[eco], "import "+abs)
		if cfg.Done != nil {
			cfg.Done(r)
		}
		results = append(results, r)
	}
	s.reindex(ctx, results)
	return results, ctx.Err()
}

// groupRecords files the records by ecosystem folder, keeping only the
// asked ecosystems when some are.
func groupRecords(recs []record, cfg Config) map[string][]record {
	groups := map[string][]record{}
	skipped := 0
	for _, r := range recs {
		kept := false
		for _, eco := range r.ecosystems {
			if len(cfg.Ecosystems) == 0 || slices.Contains(cfg.Ecosystems, eco) {
				groups[eco] = append(groups[eco], r)
				kept = true
			}
		}
		if !kept {
			skipped++
		}
	}
	if skipped > 0 {
		cfg.Logger.Warn(fmt.Sprintf("%d records name none of the ecosystems asked for; not imported", skipped),
			"ecosystems", strings.Join(cfg.Ecosystems, ","))
	}
	return groups
}

// importOne merges recs into the archive of eco (existing, "" when none)
// and swaps the result in.
func (s *session) importOne(ctx context.Context, eco, existing string, recs []record, source string) Result {
	r := Result{Ecosystem: eco, Source: source, Status: Failed}
	tmp, err := s.work.create("import-*.zip")
	if err != nil {
		r.Err = err
		return r
	}
	defer s.work.remove(tmp)
	h := sha256.New()
	m, err := writeMerged(ctx, io.MultiWriter(tmp, h), existing, recs)
	if err == nil {
		err = finish(tmp)
	}
	if err == nil {
		err = checkWritten(tmp.Name(), m.records)
	}
	if err != nil {
		r.Err = fmt.Errorf("writing the %s archive: %w", eco, err)
		return r
	}
	r.Records, r.Added, r.Replaced = m.records, m.added, m.replaced
	a := vuln.ArchiveState{Source: source, SHA256: hex.EncodeToString(h.Sum(nil))}
	return s.installArchive(r, tmp.Name(), a)
}

// checkWritten reopens a written archive and counts its records.
func checkWritten(path string, want int) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	n := 0
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") {
			n++
		}
	}
	if n != want {
		return fmt.Errorf("%s has %d records, want %d", path, n, want)
	}
	return nil
}

// readRecords reads and validates every record at path.
func readRecords(ctx context.Context, path string) ([]record, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("importing %s: %w", path, err)
	}
	c := &collector{}
	if fi.IsDir() {
		err = c.readDir(ctx, path)
	} else {
		err = c.readZip(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	c.checkDuplicates()
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("%w: %d problems in %s, nothing imported: %s", ErrInvalidRecords,
			len(c.problems), path, listSome(c.problems))
	}
	if len(c.records) == 0 {
		return nil, fmt.Errorf("%w: %s holds no *.json record", ErrInvalidRecords, path)
	}
	return c.records, nil
}

// collector gathers the records read and the problems met.
type collector struct {
	records  []record
	problems []string
	bytes    int64
}

// add validates one record's bytes.
func (c *collector) add(from string, data []byte) error {
	if len(c.records) >= maxRecords {
		return fmt.Errorf("importing: more than %d records", maxRecords)
	}
	if c.bytes += int64(len(data)); c.bytes > maxImportBytes {
		return fmt.Errorf("importing: more than %d bytes of records", maxImportBytes)
	}
	r, err := validate(from, data)
	if err != nil {
		c.problems = append(c.problems, from+": "+err.Error())
		return nil
	}
	c.records = append(c.records, r)
	return nil
}

// readDir reads every *.json file under root (symbolic links are not
// followed).
func (c *collector) readDir(ctx context.Context, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("importing %s: %w", p, err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		data, err := readFileLimited(p)
		if err != nil {
			c.problems = append(c.problems, err.Error())
			return nil
		}
		return c.add(p, data)
	})
}

// readZip reads every *.json entry of the zip at path.
func (c *collector) readZip(ctx context.Context, path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("importing %s: not a folder or a readable zip: %w", path, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.FileInfo().IsDir() || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		data, err := readZipEntry(f)
		if err != nil {
			return fmt.Errorf("importing %s: %w", path, err)
		}
		if err := c.add(path+"!"+f.Name, data); err != nil {
			return err
		}
	}
	return nil
}

// checkDuplicates reports ids given by more than one file.
func (c *collector) checkDuplicates() {
	seen := map[string]string{}
	for _, r := range c.records {
		if first, ok := seen[r.id]; ok {
			c.problems = append(c.problems, fmt.Sprintf("%s: record %s is also in %s", r.from, r.id, first))
			continue
		}
		seen[r.id] = r.from
	}
}

// readFileLimited reads a record file through the record size limit.
func readFileLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > maxRecordBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, maxRecordBytes)
	}
	return data, nil
}

// validate checks one record and finds the ecosystems it goes into.
func validate(from string, data []byte) (record, error) {
	id, err := recordID(data)
	if err != nil {
		return record{}, err
	}
	if err := validID(id); err != nil {
		return record{}, err
	}
	v, _ := vuln.DecodeRecord(data)
	if len(v.GetAffected()) == 0 {
		return record{}, errors.New("no affected[] entry: the record names no ecosystem")
	}
	r := record{id: id, from: from, data: data}
	for i, a := range v.GetAffected() {
		eco := a.GetPackage().GetEcosystem()
		if eco == "" {
			return record{}, fmt.Errorf("affected[%d].package.ecosystem is missing", i)
		}
		folder, _, _ := strings.Cut(eco, ":")
		if err := validEcosystem(folder); err != nil {
			return record{}, fmt.Errorf("affected[%d]: %w", i, err)
		}
		r.ecosystems = append(r.ecosystems, folder)
	}
	slices.Sort(r.ecosystems)
	r.ecosystems = slices.Compact(r.ecosystems)
	return r, nil
}

// validID checks that a record id can name its entry, <id>.json.
func validID(id string) error {
	if len(id) > 200 || id == "." || id == ".." || strings.ContainsAny(id, "/\\") ||
		strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("id %q cannot name a file", id)
	}
	return nil
}

// listSome joins the first maxProblemsListed items and counts the rest.
func listSome(items []string) string {
	if len(items) <= maxProblemsListed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:maxProblemsListed], "; "), len(items)-maxProblemsListed)
}
