package vuln

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/sbom"
)

// managedDB copies the testdata archives of ecos into a temp database that
// fnaudit manages (it has a MetaDir, so indexes are kept).
func managedDB(t testing.TB, ecos ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, eco := range ecos {
		copyFile(t, filepath.Join(testDB, eco, zipName), filepath.Join(dir, eco, zipName))
	}
	if err := os.MkdirAll(filepath.Join(dir, MetaDir), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadLog opens dir with a debug logger, matches pkgs, and returns the
// findings' IDs and the log.
func loadLog(t testing.TB, dir string, pkgs ...sbom.Package) ([]string, string) {
	t.Helper()
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := Open(context.Background(), dir, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, _, err := db.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	return findingIDs(f), log.String()
}

var lodash = sbom.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Artifact: "code"}

// TestDBIndexBuildReuse: the first open of a managed database pre-scans and
// writes the index, the next one reads it, with the same findings and the
// same EcosystemInfo.
func TestDBIndexBuildReuse(t *testing.T) {
	dir := managedDB(t, "npm", "PyPI")
	ids1, log1 := loadLog(t, dir, lodash)
	if !strings.Contains(log1, "from_index=false") {
		t.Fatalf("first open did not pre-scan:\n%s", log1)
	}
	idx := filepath.Join(dir, MetaDir, "index", "npm.idx")
	if _, err := os.Stat(idx); err != nil {
		t.Fatalf("index not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, MetaDir, "index", "PyPI.idx")); err == nil {
		t.Error("PyPI was indexed although the scan did not need it")
	}
	ids2, log2 := loadLog(t, dir, lodash)
	if !strings.Contains(log2, "from_index=true") {
		t.Fatalf("second open did not use the index:\n%s", log2)
	}
	if diff := cmp.Diff(ids1, ids2); diff != "" || len(ids1) == 0 {
		t.Errorf("findings differ with the index (-prescan +index):\n%s", diff)
	}
	infos := func() []EcosystemInfo {
		db, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, _, err := db.Match(context.Background(), []sbom.Package{lodash}); err != nil {
			t.Fatal(err)
		}
		return db.Ecosystems()
	}
	fromIndex := infos()
	os.Remove(idx)
	if diff := cmp.Diff(infos(), fromIndex); diff != "" {
		t.Errorf("EcosystemInfo differs with the index (-prescan +index):\n%s", diff)
	}
}

// TestDBIndexNotTrusted: an index for another archive, a corrupt or
// truncated one, or garbage, is ignored and rebuilt.
func TestDBIndexNotTrusted(t *testing.T) {
	tests := map[string]func(t *testing.T, dir, idx string){
		"archive replaced": func(t *testing.T, dir, _ string) {
			raw := realRecord(t, "npm", "GHSA-35jh-r3h4-6jhm")
			writeZip(t, filepath.Join(dir, "npm", zipName), map[string][]byte{"GHSA-35jh-r3h4-6jhm.json": raw})
		},
		"truncated": func(t *testing.T, _, idx string) {
			b, _ := os.ReadFile(idx)
			os.WriteFile(idx, b[:len(b)/2], 0o644)
		},
		"bit flip": func(t *testing.T, _, idx string) {
			b, _ := os.ReadFile(idx)
			b[len(b)/2] ^= 1
			os.WriteFile(idx, b, 0o644)
		},
		"garbage": func(t *testing.T, _, idx string) {
			os.WriteFile(idx, []byte("not an index"), 0o644)
		},
		"empty": func(t *testing.T, _, idx string) {
			os.WriteFile(idx, nil, 0o644)
		},
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			dir := managedDB(t, "npm")
			loadLog(t, dir, lodash)
			idx := filepath.Join(dir, MetaDir, "index", "npm.idx")
			spoil(t, dir, idx)
			_, log := loadLog(t, dir, lodash)
			if !strings.Contains(log, "from_index=false") {
				t.Fatalf("a spoilt index was used:\n%s", log)
			}
			_, log = loadLog(t, dir, lodash)
			if !strings.Contains(log, "from_index=true") {
				t.Fatalf("the index was not rebuilt:\n%s", log)
			}
		})
	}
}

// TestDBIndexSameSizeArchive: an archive replaced by another of the same
// size, with its mtime put back, is told apart by its entries' CRC-32.
func TestDBIndexSameSizeArchive(t *testing.T) {
	dir := managedDB(t)
	raw := realRecord(t, "npm", "GHSA-35jh-r3h4-6jhm")
	p := filepath.Join(dir, "npm", zipName)
	writeStoredZip(t, p, "GHSA-35jh-r3h4-6jhm.json", raw)
	if ids, _ := loadLog(t, dir, lodash); len(ids) != 1 {
		t.Fatalf("findings %v, want GHSA-35jh-r3h4-6jhm", ids)
	}
	fi, _ := os.Stat(p)
	other := bytes.Replace(raw, []byte(`"lodash"`), []byte(`"lodasX"`), -1)
	writeStoredZip(t, p, "GHSA-35jh-r3h4-6jhm.json", other)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	if fi2, _ := os.Stat(p); fi2.Size() != fi.Size() || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the replacement differs in size or mtime")
	}
	ids, log := loadLog(t, dir, lodash)
	if len(ids) != 0 || !strings.Contains(log, "from_index=false") {
		t.Errorf("findings %v from the index of the replaced archive:\n%s", ids, log)
	}
}

// writeStoredZip writes a zip of one uncompressed entry.
func writeStoredZip(t *testing.T, path, name string, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDBIndexChangedArchive: after the archive changes, findings follow the
// new archive, not the old index.
func TestDBIndexChangedArchive(t *testing.T) {
	dir := managedDB(t, "npm")
	if ids, _ := loadLog(t, dir, lodash); len(ids) == 0 {
		t.Fatal("no lodash finding in testdata")
	}
	writeZip(t, filepath.Join(dir, "npm", zipName), map[string][]byte{
		"GHSA-9wv6-86v2-598j.json": realRecord(t, "npm", "GHSA-9wv6-86v2-598j"),
	})
	if ids, _ := loadLog(t, dir, lodash); len(ids) != 0 {
		t.Errorf("findings %v from the old index", ids)
	}
}

// TestDBIndexUnmanagedDir: a directory without MetaDir (osv-scanner's
// cache, a fixture) is never written to.
func TestDBIndexUnmanagedDir(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(testDB, "npm", zipName), filepath.Join(dir, "osv-scalibr", "npm", zipName))
	if ids, _ := loadLog(t, dir, lodash); len(ids) == 0 {
		t.Fatal("no lodash finding")
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if diff := cmp.Diff([]string{"/osv-scalibr/npm/all.zip"}, files); diff != "" {
		t.Errorf("files in an unmanaged database (-want +got):\n%s", diff)
	}
}

// TestDBIndexLazy: only the ecosystems a match needs are loaded: an archive
// of another ecosystem that cannot even be read does not matter.
func TestDBIndexLazy(t *testing.T) {
	dir := managedDB(t, "npm")
	if err := os.MkdirAll(filepath.Join(dir, "PyPI"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "PyPI", zipName), []byte("not a zip"), 0o644)
	if ids, _ := loadLog(t, dir, lodash); len(ids) == 0 {
		t.Error("no lodash finding")
	}
}

// TestDBIndexRoundTrip encodes and decodes an index with every field set.
func TestDBIndexRoundTrip(t *testing.T) {
	ix := &archiveIndex{size: 12345, mtime: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC).UnixNano(), entries: []indexEntry{
		{name: "A-1.json", crc: 0xdeadbeef, usize: 99, id: "A-1", modified: "2026-01-01T00:00:00Z", names: []string{"a", "b"}},
		{name: "B.json", crc: 1, usize: 1, id: "OTHER", withdrawn: true},
		{name: "C.json", usize: 1 << 40, err: "no id"},
	}}
	ix.sha256[0], ix.sha256[31] = 1, 2
	got, err := decodeIndex(ix.encode())
	if err != nil {
		t.Fatal(err)
	}
	got.entries[2].id = "" // an entry that failed the pre-scan has no id
	ix.entries[2].id = ""
	if diff := cmp.Diff(ix, got, cmp.AllowUnexported(archiveIndex{}, indexEntry{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzDBIndex feeds arbitrary bytes to the index reader, as the index file
// of a real database: decoding never panics, and the database's findings
// and statistics are those of the archive, whatever the index says (a
// corrupt index is never trusted). The bytes are also decoded once with a
// valid checksum appended, so that the fuzzer reaches past the checksum.
func FuzzDBIndex(f *testing.F) {
	dir := managedDB(f, "npm")
	want, _ := loadLog(f, dir, lodash)
	idx := filepath.Join(dir, MetaDir, "index", "npm.idx")
	good, err := os.ReadFile(idx)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-4])
	f.Add([]byte(indexMagic))
	f.Add([]byte(indexMagic + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeIndex(binary.BigEndian.AppendUint32(bytes.Clone(data), crc32.Checksum(data, castagnoli)))
		if err := os.WriteFile(idx, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, _ := loadLog(t, dir, lodash); !cmp.Equal(want, got) {
			t.Errorf("findings %v with a fuzzed index, want %v", got, want)
		}
	})
}

// TestIndexCache: a database without a .fnaudit folder keeps its indexes
// in the cache given with WithIndexCache, and reuses them.
func TestIndexCache(t *testing.T) {
	cache := t.TempDir()
	for range 2 {
		db, err := Open(context.Background(), "../testdata/osvdb", WithIndexCache(cache))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Match(context.Background(), []sbom.Package{{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	idx, _ := filepath.Glob(filepath.Join(cache, "*", "npm.idx"))
	if len(idx) != 1 {
		t.Fatalf("index files %v, want one npm.idx under the cache", idx)
	}
	if _, err := os.Stat(filepath.Join("..", "testdata", "osvdb", MetaDir)); err == nil {
		t.Error("the database directory itself was written to")
	}
}
