package unpack

import (
	"archive/zip"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// corpusDir locates the shared hostile-input corpus (../shared/corpus from the
// repository root). Without it the test is skipped, unless
// FNAUDIT_REQUIRE_SHARED=1 demands it.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "bad", "artifacts")); err != nil {
		if os.Getenv("FNAUDIT_REQUIRE_SHARED") == "1" {
			t.Fatalf("../shared/corpus not found (%v) and FNAUDIT_REQUIRE_SHARED=1", err)
		}
		t.Skipf("../shared/corpus not found: corpus tests skipped")
	}
	return dir
}

// Files the hostile corpus tries to write outside the extraction directory.
var corpusCanaries = []string{"/tmp/evil-zip-slip-2.txt", "/tmp/evil-absolute.txt", "/tmp/evil-through-symlink.txt"}

func TestCorpusBadArtifacts(t *testing.T) {
	artifacts := filepath.Join(corpusDir(t), "bad", "artifacts")
	for _, p := range corpusCanaries {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s exists before the test ran; remove it so this test can tell whether extraction writes it", p)
		}
	}
	for _, tc := range []struct {
		file     string
		wantErr  error
		rejected []string // entry names, all of the artifact itself
		check    func(t *testing.T, dest string, res *Result)
	}{
		{file: "zip-slip.zip", rejected: []string{"../../evil-zip-slip.txt", "node_modules/../../../../tmp/evil-zip-slip-2.txt"}},
		{file: "absolute-path.zip", rejected: []string{"/tmp/evil-absolute.txt"}},
		{
			file:     "symlink-escape.zip",
			rejected: []string{"passwd-link", "escape", "node_modules/left-pad/package.json"},
			check:    checkSymlinkEscape,
		},
		{file: "zip-bomb.zip", wantErr: ErrLimit, check: checkBomb},
		{file: "truncated.zip", wantErr: ErrCorrupt},
		{file: "not-a-zip.zip", wantErr: ErrNotZip},
		{file: "does-not-exist.zip", wantErr: ErrNotFound},
		{file: "good.zip", check: checkGood(filepath.Join(artifacts, "good.zip"))},
	} {
		t.Run(tc.file, func(t *testing.T) {
			sb := newSandbox(t)
			src := filepath.Join(artifacts, tc.file)
			res, err := Zip(context.Background(), src, sb.dest, Limits{})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Zip error = %v, want %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), src) {
				t.Errorf("error %q does not name the artifact", err)
			}
			var got []string
			for _, r := range res.Rejected {
				if r.Archive != src {
					t.Errorf("rejection %v names archive %q, want %q", r, r.Archive, src)
				}
				got = append(got, r.Entry)
			}
			if diff := cmp.Diff(tc.rejected, got); diff != "" {
				t.Errorf("rejected entries (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, sb.dest, res)
			}
			sb.assertConfined(t)
			for _, p := range corpusCanaries {
				if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s exists after extracting %s", p, tc.file)
				}
			}
		})
	}
}

// checkSymlinkEscape: no link is created, the entry written "through" the
// escape link lands in a plain directory inside dest.
func checkSymlinkEscape(t *testing.T, dest string, _ *Result) {
	want := map[string]string{
		"index.js":                        "-rw-r--r--",
		"escape":                          "drwxr-xr-x",
		"escape/evil-through-symlink.txt": "-rw-r--r--",
	}
	got := map[string]string{}
	walk(t, dest, func(rel string, fi fs.FileInfo) { got[rel] = fi.Mode().String() })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dest tree (-want +got):\n%s", diff)
	}
}

// checkBomb: 1 GiB of zeros is refused on its declared size, before it is
// written, and memory-cheaply.
func checkBomb(t *testing.T, dest string, res *Result) {
	if n := diskBytes(t, dest); n > DefaultMaxTotalBytes || res.Bytes > DefaultMaxTotalBytes {
		t.Errorf("%d bytes on disk, Result.Bytes = %d; want at most %d", n, res.Bytes, DefaultMaxTotalBytes)
	}
	// Time it again on its own: it must stop quickly.
	start := time.Now()
	_, err := Zip(context.Background(), filepath.Join(corpusDir(t), "bad", "artifacts", "zip-bomb.zip"), filepath.Join(t.TempDir(), "again"), Limits{})
	if d := time.Since(start); d > 2*time.Second || !errors.Is(err, ErrLimit) {
		t.Errorf("zip bomb: %v after %v, want ErrLimit within 2s", err, d)
	}
	if !strings.Contains(err.Error(), "node_modules/huge/data.bin") {
		t.Errorf("error %q does not name the entry", err)
	}
}

// checkGood: every regular file of good.zip is extracted, none rejected.
func checkGood(src string) func(t *testing.T, dest string, res *Result) {
	return func(t *testing.T, dest string, res *Result) {
		zr, err := zip.OpenReader(src)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var want, got []string
		for _, f := range zr.File {
			if f.Mode().IsRegular() {
				want = append(want, f.Name)
			}
		}
		walk(t, dest, func(rel string, fi fs.FileInfo) {
			if fi.Mode().IsRegular() {
				got = append(got, rel)
			}
		})
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("files extracted (-want +got):\n%s", diff)
		}
		if res.Files != len(want) || len(res.Notes) != 0 {
			t.Errorf("Files = %d, Notes = %q; want %d files, no notes", res.Files, res.Notes, len(want))
		}
	}
}
