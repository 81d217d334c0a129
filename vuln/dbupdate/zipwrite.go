package dbupdate

import (
	"archive/zip"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// dosEpoch is the MS-DOS date of 1980-01-01, the fixed time of every entry
// written (the OSV bucket's and the shared database's convention: the same
// records always make the same bytes).
const dosEpoch = 1<<5 | 1

// merged counts what writeMerged wrote.
type merged struct {
	records, added, replaced int
}

// writeMerged writes to w a zip holding the entries of the archive at
// existing ("" for none) and recs, a record replacing the entry of the
// same name (<id>.json). Entries are sorted by id; existing entries are
// copied without recompressing, new ones deflated.
func writeMerged(ctx context.Context, w io.Writer, existing string, recs []record) (merged, error) {
	var m merged
	old := map[string]*zip.File{}
	if existing != "" {
		zr, err := zip.OpenReader(existing)
		if err != nil {
			return m, fmt.Errorf("reading the current archive %s (move it aside, or run `fnaudit db update` first): %w", existing, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if _, dup := old[f.Name]; !dup && !f.FileInfo().IsDir() {
				old[f.Name] = f
			}
		}
	}
	imported := map[string][]byte{}
	for _, r := range recs {
		imported[r.id+".json"] = r.data
	}
	zw := zip.NewWriter(w)
	for _, name := range entryOrder(old, imported) {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		var err error
		if data, ok := imported[name]; ok {
			err = writeEntry(zw, name, data)
			if old[name] != nil {
				m.replaced++
			} else {
				m.added++
			}
		} else {
			err = copyEntry(zw, old[name])
		}
		if err != nil {
			return m, err
		}
		if strings.HasSuffix(name, ".json") {
			m.records++
		}
	}
	return m, zw.Close()
}

// entryOrder returns every entry name of old and imported, sorted by id
// (the name without ".json").
func entryOrder(old map[string]*zip.File, imported map[string][]byte) []string {
	names := slices.Collect(maps.Keys(old))
	for n := range imported {
		if old[n] == nil {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.TrimSuffix(a, ".json"), strings.TrimSuffix(b, ".json")), cmp.Compare(a, b))
	})
	return names
}

// writeEntry deflates one new entry.
func writeEntry(zw *zip.Writer, name string, data []byte) error {
	// The MS-DOS date is set directly (not Modified) so that new and copied
	// entries are alike: Modified would add an extended-timestamp field,
	// and CreateRaw ignores Modified.
	//lint:ignore SA1019 see above
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, ModifiedDate: dosEpoch}
	fh.SetMode(0o644)
	ew, err := zw.CreateHeader(fh)
	if err != nil {
		return fmt.Errorf("writing entry %s: %w", name, err)
	}
	if _, err := ew.Write(data); err != nil {
		return fmt.Errorf("writing entry %s: %w", name, err)
	}
	return nil
}

// copyEntry copies an entry's compressed bytes, with the fixed date.
func copyEntry(zw *zip.Writer, f *zip.File) error {
	fh := f.FileHeader
	//lint:ignore SA1019 CreateRaw writes the MS-DOS fields and ignores Modified
	fh.Modified, fh.ModifiedDate, fh.ModifiedTime = time.Time{}, dosEpoch, 0
	fh.Extra, fh.Comment = nil, ""
	fh.Flags &^= 0x8 // sizes and CRC go in the local header
	rc, err := f.OpenRaw()
	if err != nil {
		return fmt.Errorf("copying entry %s: %w", f.Name, err)
	}
	ew, err := zw.CreateRaw(&fh)
	if err != nil {
		return fmt.Errorf("copying entry %s: %w", f.Name, err)
	}
	if _, err := io.Copy(ew, rc); err != nil {
		return fmt.Errorf("copying entry %s: %w", f.Name, err)
	}
	return nil
}
