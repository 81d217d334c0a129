package bundled

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bundleJS is a small esbuild-style bundle that links to map.
func bundleJS(mapURL string) string {
	return "var __commonJS = (cb, mod) => () => mod;\nvar require_x = __commonJS({ \"node_modules/a/x.js\"(exports) {} });\n" +
		"exports.handler = async () => require_x();\n//# sourceMappingURL=" + mapURL + "\n"
}

const secretMap = `{"version":3,"sources":["../node_modules/leaked-secret/index.js"],"mappings":""}`

// TestHostileArtifacts: maps outside the artifact are never opened
// (through a sourceMappingURL or a symlink), and oversized, deep or
// malformed files become warnings naming them, never partial results.
func TestHostileArtifacts(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, outside string)
		warn  string // a warning must contain it ("" for none)
	}{
		{"sourceMappingURL climbing out", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("../outside/secret.map"))
		}, "index.js: bundled code without a source map"},
		{"absolute sourceMappingURL", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS(filepath.Join(outside, "secret.map")))
		}, "index.js: bundled code without a source map"},
		{"map symlinked out", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			if err := os.Symlink(filepath.Join(outside, "secret.map"), filepath.Join(dir, "index.js.map")); err != nil {
				t.Skip(err)
			}
		}, "index.js: bundled code without a source map"},
		{"folder symlinked out", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("maps/secret.map"))
			if err := os.Symlink(outside, filepath.Join(dir, "maps")); err != nil {
				t.Skip(err)
			}
		}, "index.js: bundled code without a source map"},
		{"map over 64 MiB", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			f, err := os.Create(filepath.Join(dir, "index.js.map"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(maxFileBytes + 1); err != nil { // sparse
				t.Fatal(err)
			}
		}, "index.js.map: too large: 67108865 bytes, over the 64 MiB limit"},
		{"map nested too deep", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			write(t, filepath.Join(dir, "index.js.map"), `{"version":3,"sources":["node_modules/a/x.js"],"x":`+strings.Repeat("[", 100000)+`}`)
		}, "index.js.map: JSON nested too deeply"},
		{"malformed map", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			write(t, filepath.Join(dir, "index.js.map"), `{"version":3,"sources":["node_modules/a/x.js"]`)
		}, "index.js.map: parsing JSON"},
		{"bad inline map", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("data:application/json;base64,!!!!"))
		}, "index.js: inline source map: decoding inline map"},
		{"map of another version", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			write(t, filepath.Join(dir, "index.js.map"), `{"version":2,"sources":["node_modules/a/x.js"]}`)
		}, "index.js.map: source map version 2: want 3"},
		{"lockfile in the artifact over its limit", func(t *testing.T, dir, outside string) {
			write(t, filepath.Join(dir, "index.js"), bundleJS("index.js.map"))
			write(t, filepath.Join(dir, "index.js.map"), `{"version":3,"sources":["node_modules/a/x.js"]}`)
			write(t, filepath.Join(dir, "yarn.lock"), "not a lockfile")
		}, "yarn.lock: not a yarn lockfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir, outside := filepath.Join(root, "artifact"), filepath.Join(root, "outside")
			write(t, filepath.Join(outside, "secret.map"), secretMap)
			tt.setup(t, dir, outside)
			res, err := Recover(context.Background(), dir, Hints{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Packages {
				if p.Name == "leaked-secret" {
					t.Errorf("read a map outside the artifact: %+v", p)
				}
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), tt.warn) {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.warn)
			}
		})
	}
}

func TestRecoverErrors(t *testing.T) {
	if _, err := Recover(context.Background(), filepath.Join(t.TempDir(), "missing"), Hints{}); err == nil {
		t.Error("missing dir: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Recover(ctx, filepath.Join(fixtures, "map"), Hints{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// A lockfile hint that is not a lockfile is a warning.
	res, err := Recover(context.Background(), filepath.Join(fixtures, "webpack"), Hints{LockFile: filepath.Join(fixtures, "map", "index.js.map")})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "index.js.map: not a lockfile fnaudit reads") {
		t.Errorf("warnings %q", w)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
