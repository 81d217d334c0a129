package testfs

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestZipAndFiles: files land where their slash paths say; zips hold
// their entries in name order with their content.
func TestZipAndFiles(t *testing.T) {
	dir := Dir(t, map[string]string{"a/b/c.txt": "c", "d.txt": "d"})
	if b, err := os.ReadFile(filepath.Join(dir, "a", "b", "c.txt")); err != nil || string(b) != "c" {
		t.Fatalf("a/b/c.txt: %q %v", b, err)
	}
	b := Zip(t, map[string][]byte{"z": []byte("1"), "a/x": []byte("2")})
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "a/x" || zr.File[1].Name != "z" {
		t.Fatalf("entries %v", zr.File)
	}
	rc, _ := zr.File[1].Open()
	if got, _ := io.ReadAll(rc); string(got) != "1" {
		t.Errorf("z holds %q", got)
	}
	out := filepath.Join(dir, "sub", "f.zip")
	ZipFiles(t, out, filepath.Join(dir, "d.txt"), filepath.Join(dir, "a", "b", "c.txt"))
	zr2, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr2.Close()
	if len(zr2.File) != 2 || zr2.File[0].Name != "c.txt" || zr2.File[1].Name != "d.txt" {
		t.Errorf("ZipFiles entries %v", zr2.File)
	}
}
