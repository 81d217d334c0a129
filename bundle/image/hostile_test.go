package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// rejection is an expected EntryError, its archive being one of the image's
// layers.
type rejection struct{ entry, reason string }

type hostileCase struct {
	name     string
	layers   [][]entry
	rejected []rejection
	tree     map[string]string // everything expected under dest
	symlinks map[string]string // Result.Symlinks
}

// inside returns the tree entries of the directories of the absolute path
// abs once placed under the image root, and its path there.
func inside(abs string) (map[string]string, string) {
	rel := strings.TrimPrefix(filepath.ToSlash(abs), "/")
	tree := map[string]string{}
	for d := rel; d != "."; d = filepath.ToSlash(filepath.Dir(d)) {
		tree[d] = "drwxr-xr-x"
	}
	return tree, rel
}

// with returns tree plus the entries of more.
func with(tree map[string]string, more map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tree {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// hostileCases are layers whose hostile entries must be skipped while the
// rest is applied. Absolute names and targets point into outside, which holds
// one file, "secret".
func hostileCases(outside string) []hostileCase {
	dirs, rel := inside(outside)
	return []hostileCase{{
		name: "dot-dot traversal",
		layers: [][]entry{{
			file("ok.txt", "ok"), file("../../evil-1.txt", "x"), file("lib/../../evil-2.txt", "x"),
			file("/../evil-3.txt", "x"), file("lib/../inside.txt", "in"), dir("../"),
		}},
		rejected: []rejection{
			{"../../evil-1.txt", reasonEscapes}, {"lib/../../evil-2.txt", reasonEscapes},
			{"/../evil-3.txt", reasonEscapes}, {"../", reasonEscapes},
		},
		tree: map[string]string{"ok.txt": "-rw-r--r-- ok", "inside.txt": "-rw-r--r-- in"},
	}, {
		name:   "absolute names stay inside the image root",
		layers: [][]entry{{file(outside+"/evil-abs.txt", "abs"), file("/etc/passwd", "root:x:0:0")}},
		tree: with(dirs, map[string]string{
			rel + "/evil-abs.txt": "-rw-r--r-- abs", "etc": "drwxr-xr-x", "etc/passwd": "-rw-r--r-- root:x:0:0",
		}),
	}, {
		name: "symlink escape, then writes through it in the same and a later layer",
		layers: [][]entry{
			{symlink("escape", outside), file("escape/evil-1.txt", "1"), symlink("up", "../../../../.."), file("up/evil-2.txt", "2")},
			{file("escape/evil-3.txt", "3"), symlink("loop", "loop"), file("loop/x", "x"), symlink("ab", "/ab/")},
			{file("ab/x", "x")},
		},
		rejected: []rejection{{"loop/x", errLoop.Error()}, {"ab/x", errLoop.Error()}},
		tree: with(dirs, map[string]string{
			rel + "/evil-1.txt": "-rw-r--r-- 1", "evil-2.txt": "-rw-r--r-- 2", rel + "/evil-3.txt": "-rw-r--r-- 3",
		}),
		symlinks: map[string]string{"escape": outside, "up": "../../../../..", "loop": "loop", "ab": "/ab/"},
	}, {
		name: "hard links",
		layers: [][]entry{{
			hardlink("passwd", "/etc/passwd"), hardlink("secret", outside+"/secret"), hardlink("up", "../../x"),
			file("real", "data"), hardlink("copy", "real"), hardlink("abs-copy", "/real"), dir("d/"), hardlink("hd", "d"),
			symlink("s", "real"), hardlink("hs", "s"), hardlink("self", "self"),
			dir("h/"), file("h/f", "hf"), hardlink("h", "h/f"),
		}, {
			exe("tool", "bin"), hardlink("d/tool-copy", "tool"), file("real", "new"),
		}},
		rejected: []rejection{
			{"passwd", `hard link to "/etc/passwd", which is not a file the image holds at this point`},
			{"secret", `hard link to "` + outside + `/secret", which is not a file the image holds at this point`},
			{"up", `hard link target "../../x": path escapes the image root`},
			{"hd", `hard link to "d", which is not a file the image holds at this point`},
			{"self", `hard link to "self", which is not a file the image holds at this point`},
			{"h", `hard link would replace the directory that holds its target "h/f"`},
		},
		tree: map[string]string{
			"real": "-rw-r--r-- new", "copy": "-rw-r--r-- data", "abs-copy": "-rw-r--r-- data", "d": "drwxr-xr-x",
			"tool": "-rwxr-xr-x bin", "d/tool-copy": "-rwxr-xr-x bin", "h": "drwxr-xr-x", "h/f": "-rw-r--r-- hf",
		},
		symlinks: map[string]string{"s": "real", "hs": "real"},
	}, {
		name: "modes and special files",
		layers: [][]entry{{
			entry{name: "suid", body: "s", mode: 0o4755}, entry{name: "sgid", body: "g", mode: 0o2711},
			entry{name: "private", body: "p", mode: 0o600}, entry{name: "sticky/", typ: tar.TypeDir, mode: 0o1777},
			entry{name: "secret/", typ: tar.TypeDir, mode: 0o700},
			entry{name: "dev/null", typ: tar.TypeChar}, entry{name: "dev/sda", typ: tar.TypeBlock},
			entry{name: "run/fifo", typ: tar.TypeFifo},
		}},
		tree: map[string]string{
			"suid": "-rwxr-xr-x s", "sgid": "-rwxr-xr-x g", "private": "-rw-r--r-- p",
			"sticky": "drwxr-xr-x", "secret": "drwxr-xr-x",
		},
	}, {
		name: "clashes and odd names",
		layers: [][]entry{{
			file("a", "x"), file("a/b", "y"), dir("d/"), file("d/in", "in"), file("d", "file now"),
			file("f", "file"), dir("f/"), file(strings.Repeat("n", 300), "long"), file("w/.wh..", ""),
			file("w/.wh.", ""), file("w/.wh..wh.plnk", ""),
		}},
		rejected: []rejection{
			{"a/b", `"a" is not a directory but a file of an earlier entry`},
			{strings.Repeat("n", 300), "cannot be written: file name too long"},
			{"w/.wh..", "whiteout of no file"}, {"w/.wh.", "whiteout of no file"},
		},
		tree: map[string]string{"a": "-rw-r--r-- x", "d": "-rw-r--r-- file now", "f": "drwxr-xr-x"},
	}}
}

func TestFlattenHostile(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	for _, tc := range hostileCases(outside) {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, filepath.Join(mkdir(t, outside), "secret"), "do not copy")
			src, res, dest := flattenEntries(t, unpack.Limits{}, tc.layers...)
			var got []rejection
			for _, r := range res.Rejected {
				if !strings.HasPrefix(r.Archive, src+"!/") {
					t.Errorf("rejection %v: archive is not %s!/<layer>", r, src)
				}
				got = append(got, rejection{r.Entry, r.Reason})
			}
			if diff := cmp.Diff(tc.rejected, got, cmp.AllowUnexported(rejection{})); diff != "" {
				t.Errorf("Rejected mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tree, snapshot(t, dest)); diff != "" {
				t.Errorf("tree mismatch (-want +got):\n%s", diff)
			}
			if tc.symlinks == nil {
				tc.symlinks = map[string]string{}
			}
			if diff := cmp.Diff(tc.symlinks, res.Symlinks); diff != "" {
				t.Errorf("Symlinks mismatch (-want +got):\n%s", diff)
			}
			checkOutside(t, outside, filepath.Dir(dest))
		})
	}
}

// mkdir creates dir and returns it.
func mkdir(tb testing.TB, dir string) string {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// checkOutside fails unless outside holds only "secret", unchanged, and
// parent only dest.
func checkOutside(t *testing.T, outside, parent string) {
	t.Helper()
	if diff := cmp.Diff([]string{"secret"}, dirNames(t, outside)); diff != "" {
		t.Errorf("%s changed (-want +got):\n%s", outside, diff)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "do not copy" {
		t.Errorf("outside/secret = %q, want it unchanged", b)
	}
	if diff := cmp.Diff([]string{"dest"}, dirNames(t, parent)); diff != "" {
		t.Errorf("%s holds more than dest (-want +got):\n%s", parent, diff)
	}
}

// flattenEntries builds a docker archive of the layers and flattens it under
// lim into <tempdir>/root/dest, failing the test on an error.
func flattenEntries(t *testing.T, lim unpack.Limits, layers ...[]entry) (src string, res *Result, dest string) {
	t.Helper()
	src, res, dest, err := flattenLayers(t, lim, tarLayers(t, layers)...)
	if err != nil {
		t.Fatal(err)
	}
	return src, res, dest
}

// tarLayers returns a layer tar of each list of entries.
func tarLayers(t *testing.T, layers [][]entry) [][]byte {
	var tars [][]byte
	for _, l := range layers {
		tars = append(tars, layerTar(t, l...))
	}
	return tars
}

// flattenLayers builds a docker archive of the layer tars and flattens it
// under lim into <tempdir>/root/dest.
func flattenLayers(t *testing.T, lim unpack.Limits, layers ...[]byte) (string, *Result, string, error) {
	t.Helper()
	tmp := t.TempDir()
	src := writeDocker(t, filepath.Join(tmp, "image.tar"), map[string]v1.Image{testTag: buildImage(t, layers...)})
	im, err := Open(context.Background(), src, testTag)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(mkdir(t, filepath.Join(tmp, "root")), "dest")
	res, err := im.Flatten(context.Background(), dest, lim)
	if res == nil {
		t.Fatal("Flatten returned a nil Result")
	}
	return src, res, dest, err
}

// limitCase is an image that must fail with ErrLimit under lim.
type limitCase struct {
	name   string
	lim    unpack.Limits
	layers [][]byte
	want   string // in the error message
}

func limitCases(tb testing.TB) []limitCase {
	many := make([]entry, 50)
	for i := range many {
		many[i] = file("f"+strings.Repeat("x", i), "")
	}
	bomb := gz(tb, layerTar(tb, entry{name: "bomb", zeros: 64 << 20}))
	padded := append(layerTar(tb, file("a", "a")), make([]byte, 2<<20)...)
	return []limitCase{
		{"an entry declaring more than the per-entry limit", unpack.Limits{MaxEntryBytes: 1 << 20},
			[][]byte{layerTar(tb, entry{name: "big", zeros: 2 << 20})}, `entry "big" declares 2097152 bytes, over the per-entry size limit`},
		{"layers writing more than the total limit", unpack.Limits{MaxTotalBytes: 1 << 20},
			[][]byte{layerTar(tb, entry{name: "a", zeros: 600 << 10}), layerTar(tb, entry{name: "b", zeros: 600 << 10})},
			`entry "b" declares 614400 bytes after 614400 already written, over the total unpacked size limit`},
		{"a gzip bomb layer", DefaultLimits(), [][]byte{bomb}, "over the compression ratio limit of 200:1"},
		{"too many entries", unpack.Limits{MaxEntries: 10}, [][]byte{layerTar(tb, many...)}, "more than 10 entries"},
		{"too many directories", unpack.Limits{MaxEntries: 10},
			[][]byte{layerTar(tb, file(strings.Repeat("d/", 20)+"f", ""))}, "more than 10 directories"},
		{"a tar stream far longer than what it writes", unpack.Limits{MaxTotalBytes: 1 << 20, MaxEntries: 10, MaxRatio: 1 << 40},
			[][]byte{padded}, "tar streams inflate to more than 1089536 bytes"},
	}
}

func TestFlattenLimits(t *testing.T) {
	for _, tc := range limitCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			src, res, dest, err := flattenLayers(t, tc.lim, tc.layers...)
			if !errors.Is(err, unpack.ErrLimit) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), src+"!/") {
				t.Fatalf("Flatten error = %v, want ErrLimit naming the layer of %s and saying %q", err, src, tc.want)
			}
			lim := withDefaults(tc.lim)
			if n := diskBytes(t, dest); n > lim.MaxTotalBytes || res.Bytes > lim.MaxTotalBytes {
				t.Errorf("%d bytes on disk, Result.Bytes = %d, over the limit of %d", n, res.Bytes, lim.MaxTotalBytes)
			}
		})
	}
}

// diskBytes returns the size of the regular files under dir.
func diskBytes(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// zstdFrame returns a zstd frame whose header declares a window of
// 1<<windowLog bytes, holding blocks RLE blocks of 128 KiB of zeros.
func zstdFrame(windowLog, blocks int) []byte {
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, byte(windowLog-10) << 3}
	for i := range blocks {
		h := 128<<10<<3 | 1<<1 // RLE block of 128 KiB
		if i == blocks-1 {
			h |= 1 // last block
		}
		b = append(b, byte(h), byte(h>>8), byte(h>>16), 0)
	}
	return b
}

// TestFlattenZstdWindow checks that a tiny zstd layer declaring a huge
// window is refused without allocating the window.
func TestFlattenZstdWindow(t *testing.T) {
	l := static.NewLayer(zstdFrame(29, 4), types.OCILayerZStd)
	dir := writeOCIDir(t, filepath.Join(t.TempDir(), "layout"), map[string]v1.Image{"zstd": imageOf(t, l)})
	im, err := Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = im.Flatten(context.Background(), filepath.Join(t.TempDir(), "root"), unpack.Limits{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, unpack.ErrCorrupt) || !strings.Contains(err.Error(), "window size exceeded") {
		t.Errorf("Flatten error = %v, want ErrCorrupt: window size exceeded", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
		t.Errorf("Flatten allocated %d MiB for a %d-byte layer", n>>20, len(zstdFrame(29, 4)))
	}
}

// TestFlattenManyRejections checks that Rejected and Notes stay bounded.
func TestFlattenManyRejections(t *testing.T) {
	var es []entry
	for i := range maxListed + 5 {
		es = append(es, file(fmt.Sprintf("../evil-%d", i), "x"), entry{name: fmt.Sprintf("fifo-%d", i), typ: tar.TypeFifo})
	}
	src, res, _ := flattenEntries(t, unpack.Limits{}, es)
	last := res.Rejected[len(res.Rejected)-1]
	if len(res.Rejected) != maxListed+1 || last.Archive != src || last.Reason != "5 more entries rejected, not listed" {
		t.Errorf("%d rejections, the last %v; want %d and a summary of 5 more", len(res.Rejected), last, maxListed+1)
	}
	if n := len(res.Notes); n != maxListed+1 || !strings.HasSuffix(res.Notes[n-1], ": 5 more entries skipped, not listed") {
		t.Errorf("%d notes, the last %q; want %d and a summary of 5 more", n, res.Notes[n-1], maxListed+1)
	}
}
