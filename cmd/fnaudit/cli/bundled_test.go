package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/testfs"
)

// The bundle is a real esbuild build (minified, with its source map) of
// sbom/bundled/testdata/project; see that folder's README.
const (
	bundledMap  = "../../../sbom/bundled/testdata/fixtures/map"
	bundledLock = "../../../sbom/bundled/testdata/project/package-lock.json"
)

// bundledZip writes orders.zip (index.js and index.js.map) into a new
// folder, with the build's package-lock.json beside it when lock is set.
func bundledZip(t *testing.T, lock bool) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "orders.zip")
	testfs.ZipFiles(t, out, filepath.Join(bundledMap, "index.js"), filepath.Join(bundledMap, "index.js.map"))
	if lock {
		testfs.CopyFile(t, bundledLock, filepath.Join(dir, "package-lock.json"))
	}
	return out
}

// bundledReport is the part of the JSON report these tests read.
type bundledReport struct {
	Database struct {
		Warnings []string `json:"warnings"`
	} `json:"database"`
	Functions []struct {
		Status   string   `json:"status"`
		Errors   []string `json:"errors"`
		Packages []struct {
			Name, Version, Evidence, Location string
		} `json:"packages"`
		Findings []struct {
			ID      string `json:"id"`
			Package string `json:"package"`
		} `json:"findings"`
	} `json:"functions"`
}

// TestScanBundledZip scans a zip holding only an esbuild bundle and its
// map: the build's lockfile beside the zip pins the versions and the
// vulnerable ones fail the gate (exit 1); without it the function is
// incomplete and the scan exits 3, naming the unversioned packages; the
// policy's bundled_unknown_versions: warn turns that into warnings (exit
// 0, nothing matched); never a silent pass.
func TestScanBundledZip(t *testing.T) {
	tests := []struct {
		name     string
		lock     bool
		policy   string
		code     int
		status   string
		findings []string
	}{
		{"lockfile beside the zip", true, "", 1, "ok", []string{
			"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-4w2v-q235-vp99", "GHSA-cph5-m8f7-6c5x",
			"GHSA-p6mc-m468-83gw", "GHSA-vh95-rmgr-6w4m", "GHSA-wf5p-g6vw-rhxx", "GHSA-xvch-5gv4-984h"}},
		{"no lockfile", false, "", 3, "incomplete", nil},
		{"no lockfile and a policy that warns", false, "bundled_unknown_versions: warn\n", 0, "ok", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath := bundledZip(t, tt.lock)
			out := filepath.Join(t.TempDir(), "r.json")
			args := []string{"scan", "--db", testDB, "--fail-on", "high", "--format", "json=" + out, "--format", "table"}
			if tt.policy != "" {
				p := filepath.Join(t.TempDir(), "fnaudit.yaml")
				if err := os.WriteFile(p, []byte(tt.policy), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--policy", p)
			}
			r := run(t, append(args, zipPath)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			var doc bundledReport
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			fn := doc.Functions[0]
			if fn.Status != tt.status {
				t.Errorf("status %s, want %s (errors %q)", fn.Status, tt.status, fn.Errors)
			}
			var ids []string
			for _, f := range fn.Findings {
				ids = append(ids, f.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.findings) {
				t.Errorf("findings %v, want %v", ids, tt.findings)
			}
			for _, p := range fn.Packages {
				if !strings.HasPrefix(p.Evidence, "sourcemap") || p.Location != "index.js.map" {
					t.Errorf("package %+v: want sourcemap evidence located in index.js.map", p)
				}
				if (p.Version != "") != tt.lock {
					t.Errorf("package %+v: version pinned %v, want %v", p, p.Version != "", tt.lock)
				}
			}
			if len(fn.Packages) < 9 {
				t.Errorf("%d packages recovered, want 9 or more", len(fn.Packages))
			}
			// Whatever the policy, the unversioned packages are named.
			said := strings.Join(append(fn.Errors, doc.Database.Warnings...), "\n")
			if !tt.lock && !strings.Contains(said, "bundled packages with no known version, not matched against advisories: @tootallnate/once, axios") {
				t.Errorf("no message names the unversioned packages: %q", said)
			}
		})
	}
}

// TestSBOMBundledEvidence: the CycloneDX document says how each bundled
// package was found (fnaudit:evidence).
func TestSBOMBundledEvidence(t *testing.T) {
	dir := t.TempDir()
	r := run(t, "sbom", "--db", testDB, "--out-dir", dir, bundledZip(t, true))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "orders.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		Components []struct {
			Name, Version string
			Properties    []struct{ Name, Value string }
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &bom); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range bom.Components {
		if c.Name != "lodash" {
			continue
		}
		found = true
		if !slices.Contains(c.Properties, struct{ Name, Value string }{"fnaudit:evidence", "sourcemap+lockfile"}) || c.Version != "4.17.15" {
			t.Errorf("lodash component %+v lacks fnaudit:evidence sourcemap+lockfile", c)
		}
	}
	if !found {
		t.Error("no lodash component")
	}
}

// TestPolicyBundledUnknownVersions: the policy key takes fail or warn,
// and anything else is a usage error naming the file and line.
func TestPolicyBundledUnknownVersions(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		policy string
		code   int
		stderr string
	}{
		{"bundled_unknown_versions: fail\n", 3, ""},
		{"fail_on: high\nbundled_unknown_versions: maybe\n", 2, `fnaudit.yaml:2: bundled_unknown_versions "maybe": want fail or warn`},
		{"bundled_unknown_versions: [warn]\n", 2, "want fail or warn"},
	} {
		p := filepath.Join(dir, "fnaudit.yaml")
		if err := os.WriteFile(p, []byte(tt.policy), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, "scan", "--db", testDB, "--policy", p, bundledZip(t, false))
		if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("policy %q: exit %d, stderr %q; want %d, %q", tt.policy, r.code, r.stderr, tt.code, tt.stderr)
		}
	}
}
