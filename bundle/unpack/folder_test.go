package unpack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// folder writes files (slash path → content) under a fresh directory.
func folder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDirCopiesTree(t *testing.T) {
	layer := buildZip(t, entry{name: "nodejs/node_modules/lodash/package.json", body: `{"name":"lodash"}`})
	src := folder(t, map[string]string{
		"app.py":                                  "print('hi')",
		"requests-2.28.1.dist-info/METADATA":      "Name: requests\n",
		"layers/common.zip":                       string(layer),
		"node_modules/.bin/placeholder":           "",
		"node_modules/left-pad/package.json":      `{"name":"left-pad"}`,
		"node_modules/left-pad/lib/index.js.keep": "x",
	})
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600)
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(src, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../left-pad/package.json", filepath.Join(src, "node_modules", ".bin", "inside")); err != nil {
		t.Fatal(err)
	}
	s := newSandbox(t)
	res, err := Dir(context.Background(), src, s.dest, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s.assertConfined(t)
	got := tree(t, s.dest)
	for _, want := range []string{"app.py", "requests-2.28.1.dist-info/METADATA", "layers/common.zip!/nodejs/node_modules/lodash/package.json", "node_modules/left-pad/package.json"} {
		if _, ok := got[want]; !ok {
			t.Errorf("%s not copied; tree: %v", want, got)
		}
	}
	for _, absent := range []string{"escape", "node_modules/.bin/inside"} {
		if _, ok := got[absent]; ok {
			t.Errorf("symlink %s was materialised", absent)
		}
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Entry != "escape" || !strings.Contains(res.Rejected[0].Reason, "outside the folder") {
		t.Errorf("rejected = %v, want the escaping symlink", res.Rejected)
	}
	if diff := cmp.Diff([]string{"layers/common.zip"}, res.Nested); diff != "" {
		t.Errorf("nested (-want +got):\n%s", diff)
	}
}

func TestDirLimits(t *testing.T) {
	src := folder(t, map[string]string{"a": strings.Repeat("x", 2000), "b": strings.Repeat("y", 2000), "c/d": "z"})
	tests := []struct {
		name string
		lim  Limits
		want string
	}{
		{"total bytes", Limits{MaxTotalBytes: 3000}, "--max-unpacked-bytes"},
		{"entry bytes", Limits{MaxEntryBytes: 1000}, "--max-unpacked-bytes"},
		{"entries", Limits{MaxEntries: 2}, "--max-entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dir(context.Background(), src, filepath.Join(t.TempDir(), "d"), tt.lim)
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a limit error naming %s", err, tt.want)
			}
		})
	}
}

func TestDirErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Dir(context.Background(), filepath.Join(dir, "missing"), filepath.Join(dir, "d"), Limits{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing folder: %v", err)
	}
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Dir(context.Background(), f, filepath.Join(dir, "d2"), Limits{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file given as folder: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Dir(ctx, folder(t, map[string]string{"a": "b"}), filepath.Join(dir, "d3"), Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestFile(t *testing.T) {
	src := filepath.Join(folder(t, map[string]string{"app.jar": "PK\x03\x04jar"}), "app.jar")
	dest := filepath.Join(t.TempDir(), "d")
	res, err := File(context.Background(), src, dest, Limits{})
	if err != nil || res.Files != 1 {
		t.Fatalf("File: %v, %+v", err, res)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "app.jar")); string(got) != "PK\x03\x04jar" {
		t.Errorf("copied %q", got)
	}
	if _, err := File(context.Background(), src, filepath.Join(t.TempDir(), "e"), Limits{MaxTotalBytes: 3}); !errors.Is(err, ErrLimit) {
		t.Errorf("limit: %v", err)
	}
}
