package image

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/bundle/unpack"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fuzzSeeds returns archives of the images the other tests build, in the
// ggcr and legacy docker-archive layouts (the legacy one stores layers
// uncompressed, so that mutations reach the layer tars), plus broken ones.
// Absolute names point into outside.
func fuzzSeeds(tb testing.TB, outside string) [][]byte {
	images := []v1.Image{whiteoutImage(tb), debianImage(tb)}
	for _, tc := range hostileCases(outside) {
		var tars [][]byte
		for _, l := range tc.layers {
			tars = append(tars, layerTar(tb, l...))
		}
		images = append(images, buildImage(tb, tars...))
	}
	var seeds [][]byte
	for _, img := range images {
		seeds = append(seeds, dockerBytes(tb, testTag, img))
		b, err := os.ReadFile(writeLegacy(tb, tb.TempDir(), map[string]v1.Image{testTag: img}))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	good := seeds[0]
	return append(seeds, good[:len(good)/2], nil, []byte("PK\x03\x04"))
}

// FuzzFlatten opens arbitrary bytes as an image archive and flattens it
// with small limits, checking what holds for any input: no panic, an error
// wrapping a sentinel and naming the archive, nothing written beside dest,
// only directories and regular files in dest with plain permissions, the
// byte limit kept, the Origin of every file and only of files, and a
// bounded time.
func FuzzFlatten(f *testing.F) {
	outside := f.TempDir()
	for _, s := range fuzzSeeds(f, outside) {
		f.Add(s)
	}
	lim := unpack.Limits{MaxTotalBytes: 1 << 20, MaxEntries: 200, MaxRatio: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := writeFile(t, filepath.Join(tmp, "in.tar"), string(data))
		root := mkdir(t, filepath.Join(tmp, "root"))
		dest := filepath.Join(root, "dest")
		start := time.Now()

		im, err := Open(context.Background(), src, "")
		var res *Result
		if err == nil {
			res, err = im.Flatten(context.Background(), dest, lim)
		}

		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Open and Flatten took %v", d)
		}
		checkFuzzError(t, src, err)
		if names := dirNames(t, tmp); !slices.Equal(names, []string{"in.tar", "root"}) {
			t.Errorf("temp dir holds %q, want in.tar and root", names)
		}
		if names := dirNames(t, outside); len(names) > 0 {
			t.Errorf("%s holds %q, want nothing", outside, names)
		}
		if res == nil {
			return
		}
		if names := dirNames(t, root); !slices.Equal(names, []string{"dest"}) {
			t.Errorf("root holds %q, want only dest", names)
		}
		checkFuzzTree(t, dest, res, lim.MaxTotalBytes)
	})
}

// checkFuzzError fails unless err is nil or wraps a sentinel and names src.
func checkFuzzError(t *testing.T, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	sentinel := false
	for _, s := range []error{ErrNotImage, ErrRefNotFound, unpack.ErrCorrupt, unpack.ErrLimit} {
		sentinel = sentinel || errors.Is(err, s)
	}
	if !sentinel || !strings.Contains(err.Error(), src) {
		t.Errorf("error %q wraps no sentinel or does not name %s", err, src)
	}
}

// checkFuzzTree checks dest against the Result: directories 0755 and files
// 0644 or 0755 only, each file with an Origin and each Origin a file, and at
// most limit bytes.
func checkFuzzTree(t *testing.T, dest string, res *Result, limit int64) {
	t.Helper()
	origins := res.Origins()
	var bytes int64
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dest {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		switch m := fi.Mode(); {
		case m.IsDir() && m.Perm() == dirPerm:
		case m.IsRegular() && (m.Perm() == filePerm || m.Perm() == execPerm):
			bytes += fi.Size()
			if origins[rel] == "" {
				t.Errorf("%s has no Origin", rel)
			}
			delete(origins, rel)
		default:
			t.Errorf("%s has mode %v", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(origins) > 0 {
		t.Errorf("Origins of files not in dest: %v", origins)
	}
	if bytes > limit || res.Bytes > limit {
		t.Errorf("%d bytes on disk, Result.Bytes = %d; want at most %d", bytes, res.Bytes, limit)
	}
}
