package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// uncompressedDocker rewrites a docker archive's gzipped layers as plain
// tars named layerN.tar, as docker save writes them: their digest is then
// their diff ID. tamper, when set, replaces the first layer's tar.
func uncompressedDocker(good []byte, tamper []byte) func(t *testing.T, dir string) string {
	n := 0
	names := map[string]string{}
	return rewriteNames(good, func(name string, b []byte) (string, []byte) {
		switch {
		case strings.HasSuffix(name, ".tar.gz"):
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				panic(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				panic(err)
			}
			if n == 0 && tamper != nil {
				plain = tamper
			}
			names[name] = "layer" + string(rune('0'+n)) + ".tar"
			n++
			return names[name], plain
		case name == "manifest.json":
			return name, regexp.MustCompile(`[^"/]+\.tar\.gz`).ReplaceAllFunc(b, func(m []byte) []byte {
				if to, ok := names[string(m)]; ok {
					return []byte(to)
				}
				return m
			})
		}
		return name, b
	})
}

// tarFiles are the files of the tar b.
func tarFiles(t *testing.T, b []byte) []tarFile {
	var files []tarFile
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, tarFile{name: hdr.Name, body: string(body), typ: hdr.Typeflag, link: hdr.Linkname})
	}
}

// TestFlattenUncompressedLayers: plain-tar layers (digest = diff ID) are
// hashed once and flatten like their gzipped twins; a plain layer whose
// bytes changed fails its digest; a blob that unpacks to more bytes than
// it holds while claiming digest = diff ID is corrupt.
func TestFlattenUncompressedLayers(t *testing.T) {
	good := dockerBytes(t, testTag, whiteoutImage(t))
	flatten := func(t *testing.T, path string) (string, error) {
		im, err := Open(context.Background(), path, testTag)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range im.layers {
			if !strings.HasSuffix(l.Path, ".tar") || l.Digest != l.DiffID {
				t.Fatalf("layer %+v: want a plain tar whose digest is its diff ID (the rewrite failed)", l)
			}
		}
		dest := filepath.Join(t.TempDir(), "dest")
		_, err = im.Flatten(context.Background(), dest, unpack.DefaultLimits())
		return dest, err
	}

	// The gzipped archive as it is, for comparison.
	gzDest := filepath.Join(t.TempDir(), "gz")
	gzImage, err := Open(context.Background(), writeTar(t, filepath.Join(t.TempDir(), "gz.tar"), tarFiles(t, good)...), testTag)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gzImage.Flatten(context.Background(), gzDest, unpack.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	dest, err := flatten(t, uncompressedDocker(good, nil)(t, t.TempDir()))
	if err != nil {
		t.Fatalf("plain layers: %v", err)
	}
	if diff := cmp.Diff(snapshot(t, gzDest), snapshot(t, dest)); diff != "" {
		t.Errorf("plain layers flatten differently from gzipped ones (-gz +plain):\n%s", diff)
	}

	_, err = flatten(t, uncompressedDocker(good, layerTar(t, file("var/task/evil.js", "x")))(t, t.TempDir()))
	if !errors.Is(err, unpack.ErrCorrupt) || !strings.Contains(err.Error(), "does not match its digest") {
		t.Errorf("a changed plain layer: %v", err)
	}

	// A gzipped blob whose diff ID claims to be its digest: its bytes match
	// the digest, but they are not the tar they unpack to.
	im, err := Open(context.Background(), writeTar(t, filepath.Join(t.TempDir(), "gz.tar"), tarFiles(t, good)...), testTag)
	if err != nil {
		t.Fatal(err)
	}
	im.layers[0].DiffID = im.layers[0].Digest
	_, err = im.Flatten(context.Background(), filepath.Join(t.TempDir(), "dest"), unpack.DefaultLimits())
	if !errors.Is(err, unpack.ErrCorrupt) || !strings.Contains(err.Error(), "diff ID is its blob's digest") {
		t.Errorf("a gzipped blob claiming digest = diff ID: %v", err)
	}
}
