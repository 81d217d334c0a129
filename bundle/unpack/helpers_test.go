package unpack

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"
)

// entry is one member of a zip built by a test.
type entry struct {
	name  string
	body  string
	zeros int64       // if set, the body is this many zero bytes
	mode  fs.FileMode // 0 means a regular 0644 file
	store bool        // store instead of deflate
	flags uint16      // extra general-purpose flags, e.g. 0x1 (encrypted)
	raw   *rawData    // if set, body is written as already-compressed data
}

// rawData describes an entry written with zip.Writer.CreateRaw.
type rawData struct {
	method     uint16
	size       uint64 // declared uncompressed size
	compressed uint64 // declared compressed size, if not the body's length
	crc        uint32
	zip64      bool // declare the sizes through a zip64 extra field
}

// buildZip returns a zip archive holding entries, written by archive/zip.
func buildZip(tb testing.TB, entries ...entry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if err := addEntry(zw, e); err != nil {
			tb.Fatalf("building zip entry %q: %v", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatalf("building zip: %v", err)
	}
	b := buf.Bytes()
	if slices.ContainsFunc(entries, func(e entry) bool { return e.raw != nil && e.raw.zip64 }) {
		b = forceZip64Sizes(tb, b)
	}
	return b
}

func addEntry(zw *zip.Writer, e entry) error {
	h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Flags: e.flags}
	if e.store {
		h.Method = zip.Store
	}
	mode := e.mode
	if mode == 0 {
		mode = 0o644
	}
	h.SetMode(mode)
	if e.raw != nil {
		return addRaw(zw, h, e)
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if e.zeros > 0 {
		_, err = io.CopyN(w, zeroReader{}, e.zeros)
		return err
	}
	_, err = io.WriteString(w, e.body)
	return err
}

func addRaw(zw *zip.Writer, h *zip.FileHeader, e entry) error {
	h.Method = e.raw.method
	h.CompressedSize64 = uint64(len(e.body))
	if e.raw.compressed != 0 {
		h.CompressedSize64 = e.raw.compressed
	}
	h.UncompressedSize64 = e.raw.size
	h.CRC32 = e.raw.crc
	if e.raw.zip64 {
		var extra [20]byte
		binary.LittleEndian.PutUint16(extra[0:], 0x0001) // zip64 extended information
		binary.LittleEndian.PutUint16(extra[2:], 16)
		binary.LittleEndian.PutUint64(extra[4:], h.UncompressedSize64)
		binary.LittleEndian.PutUint64(extra[12:], h.CompressedSize64)
		h.Extra = extra[:]
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, e.body)
	return err
}

// forceZip64Sizes sets the 32-bit size fields of every central directory
// header that carries a zip64 extra field to 0xFFFFFFFF, so that readers take
// the sizes from the zip64 field, as in archives written by zip64 tools.
func forceZip64Sizes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	b = slices.Clone(b)
	for i := 0; ; i++ {
		j := bytes.Index(b[i:], []byte("PK\x01\x02"))
		if j < 0 {
			return b
		}
		i += j
		nameLen := int(binary.LittleEndian.Uint16(b[i+28:]))
		extraLen := int(binary.LittleEndian.Uint16(b[i+30:]))
		extra := b[i+46+nameLen : i+46+nameLen+extraLen]
		if len(extra) >= 2 && binary.LittleEndian.Uint16(extra) == 0x0001 {
			binary.LittleEndian.PutUint32(b[i+20:], 0xFFFFFFFF)
			binary.LittleEndian.PutUint32(b[i+24:], 0xFFFFFFFF)
		}
	}
}

// deflated returns data compressed as a zip Deflate entry would be.
func deflated(tb testing.TB, data []byte) string {
	tb.Helper()
	b := buildZip(tb, entry{name: "x", body: string(data)})
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

// zeroReader reads zeros forever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// writeArtifact writes data to a fresh file named name, outside any sandbox.
func writeArtifact(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// sandbox is a temp tree <tmp>/a/b/dest in which nothing but dest may change,
// and a separate directory, outside, which absolute entry names point into.
type sandbox struct {
	tmp, dest, outside string
}

func newSandbox(tb testing.TB) *sandbox {
	tb.Helper()
	tmp := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, "a", "b"), 0o755); err != nil {
		tb.Fatal(err)
	}
	return &sandbox{tmp: tmp, dest: filepath.Join(tmp, "a", "b", "dest"), outside: tb.TempDir()}
}

// assertConfined checks that extraction changed nothing but dest: the
// directories above it hold only the path down to it, the outside directory is
// empty, and dest holds only directories and regular files.
func (s *sandbox) assertConfined(tb testing.TB) {
	tb.Helper()
	for dir, want := range map[string][]string{
		s.tmp:                          {"a"},
		filepath.Join(s.tmp, "a"):      {"b"},
		filepath.Join(s.tmp, "a", "b"): {"dest"},
		s.outside:                      nil,
	} {
		got := dirNames(tb, dir)
		if len(got) > 0 && !slices.Equal(got, want) {
			tb.Errorf("%s holds %q, want %q: something was written outside dest", dir, got, want)
		}
	}
	assertOnlyDirsAndFiles(tb, s.dest)
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// assertOnlyDirsAndFiles fails if anything under dir is neither a directory
// nor a regular file (a symlink above all).
func assertOnlyDirsAndFiles(tb testing.TB, dir string) {
	tb.Helper()
	walk(tb, dir, func(rel string, fi fs.FileInfo) {
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			tb.Errorf("%s is a %v, want only directories and regular files", rel, fi.Mode().Type())
		}
	})
}

// walk calls fn with the slash path relative to dir and the Lstat info of
// everything under dir; a missing dir is empty.
func walk(tb testing.TB, dir string, fn func(rel string, fi fs.FileInfo)) {
	tb.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if p == dir {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), fi)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// tree describes everything under dir: slash path -> mode, and the content of
// small text files.
func tree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	got := map[string]string{}
	walk(tb, dir, func(rel string, fi fs.FileInfo) {
		desc := fi.Mode().String()
		if fi.Mode().IsRegular() {
			desc += " " + contentOf(tb, filepath.Join(dir, filepath.FromSlash(rel)))
		}
		got[rel] = desc
	})
	return got
}

func contentOf(tb testing.TB, p string) string {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	if bytes.HasPrefix(b, []byte("PK")) {
		return "(zip)"
	}
	if !utf8.Valid(b) || len(b) > 256 {
		return "(" + strconv.Itoa(len(b)) + " bytes)"
	}
	return string(b)
}

// diskBytes sums the sizes of the regular files under dir.
func diskBytes(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	walk(tb, dir, func(_ string, fi fs.FileInfo) {
		if fi.Mode().IsRegular() {
			n += fi.Size()
		}
	})
	return n
}

// crc returns the CRC-32 a zip header declares for data.
func crc(data []byte) uint32 { return crc32.ChecksumIEEE(data) }
