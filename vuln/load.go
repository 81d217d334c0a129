package vuln

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/osv-scalibr/inventory/osvecosystem"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/sync/errgroup"
)

// Limits on archive data (hostile-input rules).
const (
	// maxZipBytes bounds an ecosystem archive; the largest OSV bucket
	// archives are a few hundred MB.
	maxZipBytes = 4 << 30
	// maxRecordBytes bounds one uncompressed record; real records are a
	// few KB, the largest well under 1 MB.
	maxRecordBytes = 16 << 20
	// futureSlack is how far in the future a `modified` date may lie before
	// it is taken as a typo and ignored for EcosystemInfo.Modified.
	futureSlack = 48 * time.Hour
)

// EcosystemInfo describes one ecosystem archive of the database.
type EcosystemInfo struct {
	// Name is the ecosystem folder name ("npm", "PyPI", "Debian:12").
	Name string `json:"name"`
	// Records counts the records of the archive that decoded.
	Records int `json:"records"`
	// Undecodable counts the JSON entries that could not be decoded.
	Undecodable int `json:"undecodable,omitempty"`
	// Modified is the newest `modified` of the records, ignoring the
	// placeholder 0001-01-01 (golang/vulndb) and dates in the future.
	Modified time.Time `json:"modified,omitzero"`
	// FutureModified lists the records whose `modified` lies more than 48
	// hours after the time of loading; they are left out of Modified.
	FutureModified []RecordTime `json:"future_modified,omitempty"`
	// Path is the archive's path.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the archive.
	SHA256 string `json:"sha256"`
}

// RecordTime is a record ID with one of its timestamps.
type RecordTime struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

// entry is the pre-scanned head of one JSON entry of an archive.
type entry struct {
	file      *zip.File
	id        string
	modified  string
	withdrawn bool
	names     []string // normalised names of affected[].package
	err       error    // why the entry cannot be decoded
}

// ecosystemData is one loaded archive: the pre-scan of every entry, an index
// from package name to entries, and the records decoded so far.
type ecosystemData struct {
	name, path, sha string
	file            *os.File // open for the DB's life; entries read from it
	size            int64
	mtime           time.Time
	modified        time.Time
	future          []RecordTime
	withdrawn       int
	entries         []entry
	byName          map[string][]int

	// mu guards decoded and failed: records decoded on demand, and entries
	// that passed the pre-scan but that protojson rejected.
	mu      sync.Mutex
	decoded map[int]*osvpb.Vulnerability
	failed  map[int]error
}

// loadEcosystem opens the archive at path and reads its central directory;
// the pre-scan of its entries comes from the index at idxPath when that
// index matches the archive, else the entries are pre-scanned and a new
// index is written (idxPath "" keeps it in memory only). Only the central
// directory and, when pre-scanning, the entries are read: never the whole
// archive at once.
func loadEcosystem(ctx context.Context, name, path, idxPath string, o options) (*ecosystemData, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	d, err := openArchive(ctx, name, path, f)
	indexed := false
	if err == nil {
		indexed, err = d.scan(ctx, idxPath, o)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	d.index(o.now())
	o.logger.Debug("loaded advisory archive", "ecosystem", name, "path", path,
		"records", len(d.entries), "from_index", indexed, "elapsed", time.Since(start))
	return d, nil
}

// openArchive reads the central directory of the archive open as f and
// lists its JSON entries.
func openArchive(ctx context.Context, name, path string, f *os.File) (*ecosystemData, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if fi.Size() > maxZipBytes {
		return nil, fmt.Errorf("reading %s: larger than %d bytes", path, maxZipBytes)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	d := &ecosystemData{
		name: name, path: path, file: f, size: fi.Size(), mtime: fi.ModTime(),
		byName: map[string][]int{}, decoded: map[int]*osvpb.Vulnerability{}, failed: map[int]error{},
	}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".json") && !zf.FileInfo().IsDir() {
			d.entries = append(d.entries, entry{file: zf})
		}
	}
	return d, nil
}

// scan fills the entries' pre-scan from the index (reporting true), or
// pre-scans them and saves the index.
func (d *ecosystemData) scan(ctx context.Context, idxPath string, o options) (bool, error) {
	if d.fromIndex(idxPath, o) {
		return true, nil
	}
	if err := prescanAll(ctx, d.entries); err != nil {
		return false, fmt.Errorf("reading %s: %w", d.path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(d.file, 0, d.size)); err != nil {
		return false, fmt.Errorf("reading %s: %w", d.path, err)
	}
	d.sha = hex.EncodeToString(h.Sum(nil))
	if idxPath == "" {
		return false, nil
	}
	if err := writeIndex(idxPath, d.toIndex()); err != nil {
		o.logger.Debug("advisory index not saved: kept in memory", "path", idxPath, "error", err)
	}
	return false, nil
}

// fromIndex fills the pre-scan from the index at idxPath, reporting
// whether it could: the index must exist, decode and match the archive.
func (d *ecosystemData) fromIndex(idxPath string, o options) bool {
	if idxPath == "" {
		return false
	}
	ix, err := readIndex(idxPath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			o.logger.Debug("advisory index ignored", "path", idxPath, "error", err)
		}
		return false
	}
	files := make([]*zip.File, len(d.entries))
	for i, e := range d.entries {
		files[i] = e.file
	}
	if !ix.matches(d.size, d.mtime.UnixNano(), files) {
		o.logger.Debug("advisory index ignored: it describes another archive", "path", idxPath)
		return false
	}
	d.sha = hex.EncodeToString(ix.sha256[:])
	for i := range d.entries {
		ie := &ix.entries[i]
		e := &d.entries[i]
		e.id, e.modified, e.withdrawn, e.names = ie.id, ie.modified, ie.withdrawn, ie.names
		if ie.err != "" {
			e.err = errors.New(ie.err)
		}
	}
	return true
}

// toIndex returns the index of the pre-scanned archive.
func (d *ecosystemData) toIndex() *archiveIndex {
	ix := &archiveIndex{size: d.size, mtime: d.mtime.UnixNano(), entries: make([]indexEntry, len(d.entries))}
	hex.Decode(ix.sha256[:], []byte(d.sha))
	for i, e := range d.entries {
		ix.entries[i] = indexEntry{
			name: e.file.Name, crc: e.file.CRC32, usize: e.file.UncompressedSize64,
			id: e.id, modified: e.modified, withdrawn: e.withdrawn, names: e.names,
		}
		if e.err != nil {
			ix.entries[i].err = e.err.Error()
		}
	}
	return ix
}

// prescanAll pre-scans the entries in parallel, each worker writing only its
// own slice elements. An error reading the archive (corrupt deflate data, bad
// checksum) fails the load; a record that does not parse is noted on its entry.
func prescanAll(ctx context.Context, entries []entry) error {
	g, ctx := errgroup.WithContext(ctx)
	workers := runtime.GOMAXPROCS(0)
	g.SetLimit(workers)
	chunk := max(1, (len(entries)+workers*4-1)/(workers*4))
	for lo := 0; lo < len(entries); lo += chunk {
		part := entries[lo:min(lo+chunk, len(entries))]
		g.Go(func() error {
			for i := range part {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := prescan(&part[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// head is what the pre-scan decodes of a record.
type head struct {
	ID        string          `json:"id"`
	Modified  string          `json:"modified"`
	Withdrawn json.RawMessage `json:"withdrawn"`
	Affected  []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

// prescan decodes the head of one entry with encoding/json: its id, modified,
// withdrawn and affected package names.
func prescan(e *entry) error {
	data, err := readEntry(e.file)
	if err != nil {
		if errors.Is(err, errRecordTooLarge) {
			e.err = err
			return nil
		}
		return err
	}
	var h head
	if err := json.Unmarshal(data, &h); err != nil {
		e.err = err
		return nil
	}
	if h.ID == "" {
		e.err = errors.New("no id")
		return nil
	}
	e.id, e.modified = h.ID, h.Modified
	e.withdrawn = len(h.Withdrawn) > 0 && string(h.Withdrawn) != "null" && string(h.Withdrawn) != `""`
	for _, a := range h.Affected {
		eco, err := osvecosystem.Parse(a.Package.Ecosystem)
		if err != nil || a.Package.Name == "" {
			continue
		}
		e.names = append(e.names, normaliseName(eco.Ecosystem, a.Package.Name))
	}
	return nil
}

// errRecordTooLarge marks an entry over maxRecordBytes.
var errRecordTooLarge = fmt.Errorf("record larger than %d bytes", maxRecordBytes)

// readEntry returns the uncompressed bytes of one archive entry.
func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxRecordBytes {
		return nil, fmt.Errorf("%s: %w", f.Name, errRecordTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	// The header's size (checked above) sizes the buffer; the limit still
	// applies to what the entry actually inflates to.
	buf := bytes.NewBuffer(make([]byte, 0, int(f.UncompressedSize64)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(rc, maxRecordBytes+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	data := buf.Bytes()
	if len(data) > maxRecordBytes {
		return nil, fmt.Errorf("%s: %w", f.Name, errRecordTooLarge)
	}
	return data, nil
}

// index builds byName and the modified statistics from the pre-scan.
func (d *ecosystemData) index(now time.Time) {
	limit := now.Add(futureSlack)
	for i, e := range d.entries {
		if e.err != nil {
			continue
		}
		if e.withdrawn {
			d.withdrawn++
		}
		seen := map[string]bool{}
		for _, n := range e.names {
			if !seen[n] {
				seen[n] = true
				d.byName[n] = append(d.byName[n], i)
			}
		}
		t, err := parseTime(e.modified)
		switch {
		case err != nil || t.Year() <= 1:
		case t.After(limit):
			d.future = append(d.future, RecordTime{ID: e.id, Time: t})
		case t.After(d.modified):
			d.modified = t
		}
	}
	slices.SortFunc(d.future, func(a, b RecordTime) int { return cmp.Compare(a.ID, b.ID) })
}

// info summarises the archive.
func (d *ecosystemData) info() EcosystemInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	bad := len(d.failed)
	for _, e := range d.entries {
		if e.err != nil {
			bad++
		}
	}
	return EcosystemInfo{
		Name: d.name, Records: len(d.entries) - bad, Undecodable: bad,
		Modified: d.modified, FutureModified: slices.Clone(d.future),
		Path: d.path, SHA256: d.sha,
	}
}

// records returns the decoded, not withdrawn records among the entries at
// idx, decoding those not decoded yet.
func (d *ecosystemData) records(idx []int) ([]*osvpb.Vulnerability, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*osvpb.Vulnerability
	for _, i := range idx {
		e := &d.entries[i]
		if e.err != nil || e.withdrawn || d.failed[i] != nil {
			continue
		}
		v, ok := d.decoded[i]
		if !ok {
			data, err := readEntry(e.file)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", d.path, err)
			}
			if v, err = DecodeRecord(data); err != nil {
				d.failed[i] = err
				continue
			}
			d.decoded[i] = v
		}
		out = append(out, v)
	}
	return out, nil
}

// problems lists the entries that could not be decoded, in archive order, as
// "<entry>: <reason>".
func (d *ecosystemData) problems() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for i, e := range d.entries {
		err := e.err
		if err == nil {
			err = d.failed[i]
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", e.file.Name, err))
		}
	}
	return out
}
