package image

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const testTag = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnailer:1.4.2"

// whiteoutImage has three layers that overwrite a file, delete one with a
// whiteout, make directories opaque (before and after the layer's own
// entries) and white out a directory the same layer writes into.
func whiteoutImage(tb testing.TB) v1.Image {
	return buildImage(tb,
		layerTar(tb,
			dir("etc/"), file("etc/a.conf", "one"), file("etc/b.conf", "b"),
			dir("opt/old/"), file("opt/old/x", "x"), dir("opt/old/sub/"), file("opt/old/sub/y", "y"),
			file("var/task/app.js", "v1"), file("var/task/lib.js", "lib"),
			exe("bin/tool", "t"), file("keep/k", "k"),
			entry{name: "mode/ro", body: "ro", mode: 0o400},
		),
		layerTar(tb,
			file("etc/a.conf", "two"), file("etc/.wh.b.conf", ""),
			dir("opt/old/"), file("opt/old/.wh..wh..opq", ""), file("opt/old/z", "z"),
			file("var/task/new.js", "new"), file("var/.wh.task", ""),
			file("etc/.wh.missing", ""),
		),
		layerTar(tb,
			file("opt/old/sub/w", "w"), file("opt/old/.wh..wh..opq", ""),
			file("keep/k2", "k2"),
		),
	)
}

// whiteoutTree is whiteoutImage flattened.
var whiteoutTree = map[string]string{
	"bin":             "drwxr-xr-x",
	"bin/tool":        "-rwxr-xr-x t",
	"etc":             "drwxr-xr-x",
	"etc/a.conf":      "-rw-r--r-- two",
	"keep":            "drwxr-xr-x",
	"keep/k":          "-rw-r--r-- k",
	"keep/k2":         "-rw-r--r-- k2",
	"mode":            "drwxr-xr-x",
	"mode/ro":         "-rw-r--r-- ro",
	"opt":             "drwxr-xr-x",
	"opt/old":         "drwxr-xr-x",
	"opt/old/sub":     "drwxr-xr-x",
	"opt/old/sub/w":   "-rw-r--r-- w",
	"var":             "drwxr-xr-x",
	"var/task":        "drwxr-xr-x",
	"var/task/new.js": "-rw-r--r-- new",
}

// whiteoutOrigins gives, for each file of whiteoutTree, the index of the
// layer that wrote it.
var whiteoutOrigins = map[string]int{
	"bin/tool": 0, "etc/a.conf": 1, "keep/k": 0, "keep/k2": 2, "mode/ro": 0,
	"opt/old/sub/w": 2, "var/task/new.js": 1,
}

func TestFlattenFormats(t *testing.T) {
	img := whiteoutImage(t)
	for _, fm := range formats {
		t.Run(fm.name, func(t *testing.T) {
			src := fm.write(t, t.TempDir(), map[string]v1.Image{testTag: img})
			im, err := Open(context.Background(), src, testTag)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(testConfig, im.Config()); diff != "" {
				t.Errorf("Config() mismatch (-want +got):\n%s", diff)
			}
			compareLayers(t, img, im.Layers())
			dest := filepath.Join(t.TempDir(), "root")
			res, err := im.Flatten(context.Background(), dest, unpack.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(whiteoutTree, snapshot(t, dest)); diff != "" {
				t.Errorf("tree mismatch (-want +got):\n%s", diff)
			}
			want := map[string]string{}
			for p, i := range whiteoutOrigins {
				want[p] = im.Layers()[i].Path
			}
			if diff := cmp.Diff(want, res.Origins()); diff != "" {
				t.Errorf("Origins() mismatch (-want +got):\n%s", diff)
			}
			if res.Files != 14 || len(res.Rejected) != 0 {
				t.Errorf("Files = %d, Rejected = %v; want 14 files written and nothing rejected", res.Files, res.Rejected)
			}
		})
	}
}

// compareLayers compares the layers Open describes with img's own.
func compareLayers(t *testing.T, img v1.Image, got []Layer) {
	t.Helper()
	ls := layers(t, img)
	if len(got) != len(ls) {
		t.Fatalf("%d layers, want %d", len(got), len(ls))
	}
	for i, l := range ls {
		diffID, _ := l.DiffID()
		if got[i].DiffID != diffID.String() || got[i].Path == "" {
			t.Errorf("layer %d = %+v, want diff ID %s and a path", i, got[i], diffID)
		}
		d, _ := l.Digest()
		size, _ := l.Size()
		if got[i].Digest != d.String() && got[i].Digest != diffID.String() {
			t.Errorf("layer %d digest %s, want %s (or the diff ID of an uncompressed blob)", i, got[i].Digest, d)
		}
		if got[i].Digest == d.String() && got[i].Size != size {
			t.Errorf("layer %d size %d, want %d", i, got[i].Size, size)
		}
	}
}

// debianImage is a Debian-like Lambda image: the OS layer names its
// entries from "/", as the corpus image does, and /lib is a symlink to
// usr/lib (merged /usr); the function layer holds /var/task.
func debianImage(tb testing.TB) v1.Image {
	return buildImage(tb,
		layerTar(tb,
			dir("/etc/"), file("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
			file("/etc/debian_version", "12.11\n"),
			dir("/var/lib/dpkg/"), file("/var/lib/dpkg/status", "Package: bash\nVersion: 5.2.15-2\n"),
			dir("/usr/lib/"), symlink("/lib", "usr/lib"), symlink("/bin", "/usr/bin"),
			file("/usr/lib/os-release", "ID=debian\n"),
		),
		layerTar(tb,
			dir("var/task/"), file("var/task/app.js", "exports.handler = 1"),
			file("var/task/node_modules/x/package.json", `{"name":"x","version":"1.0.0"}`),
			file("lib/libextra.so.1", "ELF"), // written through the /lib symlink
		),
	)
}

func TestFlattenDebianLike(t *testing.T) {
	src := writeDocker(t, filepath.Join(t.TempDir(), "debian.tar"), map[string]v1.Image{testTag: debianImage(t)})
	im, err := Open(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "root")
	res, err := im.Flatten(context.Background(), dest, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	tree := snapshot(t, dest)
	os, task := im.Layers()[0].Path, im.Layers()[1].Path
	for p, layer := range map[string]string{
		"etc/os-release":                       os,
		"var/lib/dpkg/status":                  os,
		"var/task/node_modules/x/package.json": task,
		"usr/lib/libextra.so.1":                task,
	} {
		if tree[p] == "" {
			t.Errorf("%s missing after Flatten", p)
		}
		if got := res.Origin("/" + p); got != layer {
			t.Errorf("Origin(/%s) = %q, want %q", p, got, layer)
		}
	}
	if diff := cmp.Diff(map[string]string{"lib": "usr/lib", "bin": "/usr/bin"}, res.Symlinks); diff != "" {
		t.Errorf("Symlinks mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{testTag}, im.Tags()); diff != "" {
		t.Errorf("Tags() mismatch (-want +got):\n%s", diff)
	}
	if len(res.Rejected) != 0 || len(res.Notes) != 3 {
		t.Errorf("Rejected = %v, Notes = %q; want no rejection and 3 notes (absolute names, symlinks, placed through a symlink)", res.Rejected, res.Notes)
	}
}

// flattenErrorCase is an image Open accepts and Flatten must refuse.
type flattenErrorCase struct {
	name string
	path func(t *testing.T, dir string) string
	want error
	text string
}

func flattenErrorCases(tb testing.TB) []flattenErrorCase {
	good := dockerBytes(tb, testTag, whiteoutImage(tb))
	other := gz(tb, layerTar(tb, file("other", "x")))
	layerBlob := func(fn func([]byte) []byte) func(t *testing.T, dir string) string {
		return rewrite(good, func(name string, b []byte) []byte {
			return when(strings.HasSuffix(name, ".tar.gz"), fn(b), b)
		})
	}
	return []flattenErrorCase{
		{"a layer that does not match its digest", layerBlob(func([]byte) []byte { return other }),
			unpack.ErrCorrupt, "the blob does not match its digest"},
		{"a layer that does not match its diff ID", rewriteNames(good, zeroFirstDiffID),
			unpack.ErrCorrupt, "does not match its diff ID"},
		{"a corrupt gzip stream", layerBlob(func(b []byte) []byte {
			return append(b[:20:20], bytes.Repeat([]byte("x"), len(b)-20)...)
		}), unpack.ErrCorrupt, "reading the next entry"},
		{"a layer that is not a tar", layerBlob(func([]byte) []byte {
			return gz(tb, bytes.Repeat([]byte("not a tar archive "), 100))
		}), unpack.ErrCorrupt, "invalid tar header"},
		{"a truncated layer", layerBlob(func(b []byte) []byte { return b[:len(b)/2] }),
			unpack.ErrCorrupt, "unexpected EOF"},
	}
}

// zeroFirstDiffID renames the config of a docker archive to config.json,
// which claims no digest, and zeroes its first diff ID.
func zeroFirstDiffID(name string, b []byte) (string, []byte) {
	switch {
	case name == "manifest.json":
		return name, regexp.MustCompile(`"Config":"[^"]*"`).ReplaceAll(b, []byte(`"Config":"config.json"`))
	case strings.HasPrefix(name, "sha256:"):
		i := bytes.Index(b, []byte(`"diff_ids":["sha256:`)) + len(`"diff_ids":["sha256:`)
		return "config.json", append(append(b[:i:i], bytes.Repeat([]byte("0"), 64)...), b[i+64:]...)
	}
	return name, b
}

func TestFlattenErrors(t *testing.T) {
	for _, tc := range flattenErrorCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path(t, t.TempDir())
			im, err := Open(context.Background(), p, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = im.Flatten(context.Background(), filepath.Join(t.TempDir(), "root"), unpack.Limits{})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), p+"!/") || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Flatten error = %v, want %v naming a layer of %s and saying %q", err, tc.want, p, tc.text)
			}
		})
	}
}

func TestFlattenDestAndContext(t *testing.T) {
	src := writeDocker(t, filepath.Join(t.TempDir(), "image.tar"), map[string]v1.Image{testTag: whiteoutImage(t)})
	im, err := Open(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	writeFile(t, filepath.Join(full, "x"), "x")
	if _, err := im.Flatten(context.Background(), full, unpack.Limits{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Flatten into a non-empty directory: error = %v, want one saying it is not empty", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := im.Flatten(ctx, filepath.Join(t.TempDir(), "root"), unpack.Limits{})
	if !errors.Is(err, context.Canceled) || res == nil || res.Files != 0 {
		t.Errorf("Flatten with a cancelled context: %v, %+v; want context.Canceled and nothing written", err, res)
	}
}

// TestFlattenRepeatedLayer applies a layer twice: docker save stores the
// second as a symlink to the first in the legacy layout.
func TestFlattenRepeatedLayer(t *testing.T) {
	a, b := layerTar(t, file("f", "1")), layerTar(t, file("f", "2"))
	img := buildImage(t, a, b, a)
	for _, fm := range formats {
		t.Run(fm.name, func(t *testing.T) {
			im, err := Open(context.Background(), fm.write(t, t.TempDir(), map[string]v1.Image{testTag: img}), testTag)
			if err != nil {
				t.Fatal(err)
			}
			res, err := im.Flatten(context.Background(), filepath.Join(t.TempDir(), "root"), unpack.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Origin("f"), im.Layers()[2].Path; got != want {
				t.Errorf("Origin(f) = %q, want the third layer %q", got, want)
			}
		})
	}
}

func TestFlattenZstd(t *testing.T) {
	tarBytes := layerTar(t, file("etc/os-release", "ID=alpine\n"), file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n"))
	l := layerOf(t, tarBytes, tarball.WithCompression(compression.ZStd), tarball.WithMediaType(types.OCILayerZStd))
	dir := writeOCIDir(t, filepath.Join(t.TempDir(), "layout"), map[string]v1.Image{"alpine": imageOf(t, l)})
	im, err := Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "root")
	if _, err := im.Flatten(context.Background(), dest, unpack.Limits{}); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, dest)["lib/apk/db/installed"]; got != "-rw-r--r-- P:musl\nV:1.2.5-r0\n" {
		t.Errorf("lib/apk/db/installed = %q after flattening a zstd layer", got)
	}
}

// TestFlattenRewritesRemovedDir removes a directory the previous entries
// wrote into, then writes into it again, in both orders of the layer's
// entries: the new file must land in the tree, not in the removed directory.
func TestFlattenRewritesRemovedDir(t *testing.T) {
	lower := [][]entry{{file("a/b/f1", "1")}, {file("a/b/f2", "2")}}
	want := map[string]string{"a": "drwxr-xr-x", "a/b": "drwxr-xr-x", "a/b/f3": "-rw-r--r-- 3", "c": "-rw-r--r-- c"}
	for _, tc := range []struct {
		name string
		top  []entry
	}{
		{"whiteout first", []entry{file(".wh.a", ""), file("a/b/f3", "3"), file("c", "c")}},
		{"whiteout last", []entry{file("a/b/f3", "3"), file(".wh.a", ""), file("c", "c")}},
		{"opaque last", []entry{file("a/b/f3", "3"), file("a/.wh..wh..opq", ""), file("c", "c")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, dest := flattenEntries(t, unpack.Limits{}, append(lower, tc.top)...)
			if diff := cmp.Diff(want, snapshot(t, dest)); diff != "" {
				t.Errorf("tree mismatch (-want +got):\n%s", diff)
			}
			if len(res.Origins()) != 2 {
				t.Errorf("Origins() = %v, want a/b/f3 and c", res.Origins())
			}
		})
	}
}
