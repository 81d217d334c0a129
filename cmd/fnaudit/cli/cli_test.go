package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testDB   = "../../../testdata/osvdb"
	demoZip  = "../../../testdata/demo/orders-function.zip"
	envChild = "FNAUDIT_TEST_RUN_CLI"
)

// TestMain lets tests run this test binary as the fnaudit command itself
// (for the network and signal tests, which need a separate process).
func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		os.Exit(Run(context.Background(), append([]string{"fnaudit"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))
	}
	// The repository's test database is as old as the checkout: the
	// staleness check has its own test (TestScanStaleDatabase), which sets
	// its limit; every other test gates without it.
	os.Setenv("FNAUDIT_MAX_DB_AGE", "0")
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	return runCtx(t, context.Background(), args...)
}

func runCtx(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(ctx, append([]string{"fnaudit"}, args...), strings.NewReader(""), &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

type reportDoc struct {
	Functions []struct {
		Name     string   `json:"name"`
		Status   string   `json:"status"`
		Errors   []string `json:"errors"`
		Packages []struct {
			Ecosystem, Name, Version, Location string
		} `json:"packages"`
		Findings []struct {
			ID      string   `json:"id"`
			Package string   `json:"package"`
			Aliases []string `json:"aliases"`
		} `json:"findings"`
	} `json:"functions"`
	Summary struct {
		Gate struct {
			Passed   bool `json:"passed"`
			ExitCode int  `json:"exit_code"`
		} `json:"gate"`
	} `json:"summary"`
}

func readReport(t *testing.T, path string) (reportDoc, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc reportDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc, b
}

func TestVersion(t *testing.T) {
	r := run(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "fnaudit "+Version+"\n") {
		t.Fatalf("version: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestScanDemo audits the demo zip: every installed package and none of the
// first-party or lockfile-only ones, the advisories of the OSV subset, and
// the same bytes twice.
func TestScanDemo(t *testing.T) {
	dir := t.TempDir()
	out1, out2 := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json")
	r := run(t, "scan", "--db", testDB, "--format", "json="+out1, "--format", "table", demoZip)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "GHSA-35jh-r3h4-6jhm") || !strings.Contains(r.stdout, "Gate (fail on none): PASSED") {
		t.Errorf("table lacks the lodash finding or the gate line:\n%s", r.stdout)
	}
	doc, b1 := readReport(t, out1)
	fn := doc.Functions[0]
	var pkgs []string
	for _, p := range fn.Packages {
		pkgs = append(pkgs, p.Ecosystem+"/"+p.Name+"@"+p.Version)
	}
	wantPkgs := []string{
		"npm/@middy/core@2.5.7", "npm/axios@0.21.0", "npm/follow-redirects@1.16.3", "npm/jsonwebtoken@8.5.1",
		"npm/lodash@4.17.15", "npm/moment@2.29.1", "npm/ms@2.1.2", "npm/ms@2.1.3",
	}
	if diff := cmp.Diff(wantPkgs, pkgs); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	var ids []string
	for _, f := range fn.Findings {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	wantIDs := []string{
		"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-4w2v-q235-vp99", "GHSA-8cf7-32gw-wr33",
		"GHSA-8hfj-j24r-96c4", "GHSA-cph5-m8f7-6c5x", "GHSA-hjrf-2m68-5959", "GHSA-p6mc-m468-83gw",
		"GHSA-qwph-4952-7xr6", "GHSA-wc69-rhjr-hc9g", "GHSA-wf5p-g6vw-rhxx",
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}

	if r := run(t, "scan", "--db", testDB, "--format", "json="+out2, demoZip); r.code != 0 {
		t.Fatalf("second run: exit %d", r.code)
	}
	if _, b2 := readReport(t, out2); !bytes.Equal(b1, b2) {
		t.Error("two scans of the same zip wrote different JSON")
	}
}

// TestFlagsAfterPath: flags may follow the PATH, as users of other scanners
// write them; "--" ends the flags.
func TestFlagsAfterPath(t *testing.T) {
	r := run(t, "scan", demoZip, "--db", testDB, "--fail-on", "high", "-q")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (the gate read --fail-on high); stderr:\n%s", r.code, r.stderr)
	}
	r = run(t, "scan", "--db", testDB, "--", demoZip)
	if r.code != 0 {
		t.Fatalf("with --: exit %d; stderr:\n%s", r.code, r.stderr)
	}
}

func TestScanGate(t *testing.T) {
	tests := []struct {
		failOn string
		want   int
	}{{"none", 0}, {"critical", 0}, {"high", 1}, {"medium", 1}, {"LOW", 1}}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			r := run(t, "scan", "--db", testDB, "--fail-on", tt.failOn, "--format", "json", demoZip)
			if r.code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.want, r.stderr)
			}
			var doc reportDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Summary.Gate.ExitCode != tt.want {
				t.Errorf("report says exit %d, process %d", doc.Summary.Gate.ExitCode, tt.want)
			}
		})
	}
}

func TestScanUsageErrors(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no path", []string{"scan", "--db", testDB}, "scan needs one PATH"},
		{"two paths", []string{"scan", "--db", testDB, demoZip, demoZip}, "scan needs one PATH"},
		{"missing path", []string{"scan", "--db", testDB, filepath.Join(tmp, "nope.zip")}, "nope.zip: no such file"},
		{"unknown format", []string{"scan", "--db", testDB, "--format", "xml", demoZip}, `unknown format "xml"`},
		{"two formats on stdout", []string{"scan", "--db", testDB, "--format", "json", "--format", "table", demoZip}, "both write to stdout"},
		{"bad level", []string{"scan", "--db", testDB, "--fail-on", "severe", demoZip}, `unknown level "severe"`},
		{"missing database", []string{"scan", "--db", filepath.Join(tmp, "nodb"), demoZip}, "nodb"},
		{"unknown flag", []string{"scan", "--frobnicate", demoZip}, "frobnicate"},
		{"unwritable output", []string{"scan", "--db", testDB, "--format", "json=" + filepath.Join(tmp, "no", "dir", "r.json"), demoZip}, "r.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.wantStderr)
			}
		})
	}
}

// writeZip builds a zip whose entries are given as name → content; a name
// starting with "link:" is a symlink to the content.
func writeZip(t *testing.T, path string, entries [][2]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate}
		h.SetMode(0o644)
		if name, ok := strings.CutPrefix(e[0], "link:"); ok {
			h.Name = name
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanHostileArtifacts: a corrupt or hostile zip makes the function
// incomplete with an error naming the file and the reason, exit 3, and the
// run leaves nothing behind in its temp dir's parent.
func TestScanHostileArtifacts(t *testing.T) {
	src := t.TempDir()
	good := [][2]string{{"node_modules/lodash/package.json", `{"name":"lodash","version":"4.17.15"}`}}
	writeZip(t, filepath.Join(src, "slip.zip"), append(good, [2]string{"../../evil.txt", "x"}))
	writeZip(t, filepath.Join(src, "link.zip"), append(good, [2]string{"link:escape", "/etc"}))
	os.WriteFile(filepath.Join(src, "html.zip"), []byte("<html><body>404 Not Found</body></html>"), 0o644)
	var full bytes.Buffer
	b, _ := os.ReadFile(filepath.Join(src, "slip.zip"))
	full.Write(b[:len(b)/2])
	os.WriteFile(filepath.Join(src, "half.zip"), full.Bytes(), 0o644)

	tests := []struct {
		file, reason string
		wantLodash   bool
	}{
		{"slip.zip", `entry "../../evil.txt"`, true},
		{"link.zip", "symlink points outside", true},
		{"html.zip", "not a zip archive", false},
		{"half.zip", "corrupt or truncated", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tmp := t.TempDir()
			out := filepath.Join(t.TempDir(), "r.json")
			r := run(t, "scan", "--db", testDB, "--tmp-dir", tmp, "--format", "json="+out, filepath.Join(src, tt.file))
			if r.code != 3 {
				t.Fatalf("exit %d, want 3; stderr:\n%s", r.code, r.stderr)
			}
			doc, _ := readReport(t, out)
			fn := doc.Functions[0]
			if fn.Status != "incomplete" || len(fn.Errors) == 0 {
				t.Fatalf("function = %+v, want incomplete with errors", fn)
			}
			msg := strings.Join(fn.Errors, "\n")
			if !strings.Contains(msg, tt.file) || !strings.Contains(msg, tt.reason) {
				t.Errorf("errors %q do not name %s and %q", msg, tt.file, tt.reason)
			}
			hasLodash := len(fn.Packages) == 1 && fn.Packages[0].Name == "lodash"
			if hasLodash != tt.wantLodash {
				t.Errorf("safe part catalogued = %v, want %v (packages %+v)", hasLodash, tt.wantLodash, fn.Packages)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("the run left %d entries in --tmp-dir", len(left))
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(tmp), "evil.txt")); err == nil {
				t.Error("evil.txt written outside the run's temp dir")
			}
		})
	}
}

// TestScanCancelled: an interrupted scan is an incomplete audit (exit 3) and
// removes its temp dir.
func TestScanCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tmp := t.TempDir()
	r := runCtx(t, ctx, "scan", "--db", testDB, "--tmp-dir", tmp, demoZip)
	if r.code != 3 {
		t.Fatalf("exit %d, want 3; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("stderr %q does not say the run was interrupted", r.stderr)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the run left %d entries in --tmp-dir", len(left))
	}
}

func TestFormatHelpListsEveryFormat(t *testing.T) {
	r := run(t, "scan", "--help")
	for _, name := range []string{"table:", "json:"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("scan --help does not list %s:\n%s", name, r.stdout)
		}
	}
}

// TestScanToDevNull: an output path that is not a regular file (/dev/null,
// a pipe) is written in place and never replaced by a regular file.
func TestScanToDevNull(t *testing.T) {
	r := run(t, "scan", "--db", testDB, "--format", "json=/dev/null", demoZip)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	fi, err := os.Stat("/dev/null")
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}
}

// TestSBOMCommand writes one CycloneDX document per function plus the
// application's, the same bytes twice.
func TestSBOMCommand(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	for _, d := range []string{d1, d2} {
		if r := run(t, "sbom", "--db", testDB, "--out-dir", d, demoZip); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	for _, name := range []string{"orders-function.cdx.json", "application.cdx.json"} {
		a, err := os.ReadFile(filepath.Join(d1, name))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(d2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
		var doc struct {
			BOMFormat       string `json:"bomFormat"`
			SpecVersion     string `json:"specVersion"`
			Vulnerabilities []any  `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(a, &doc); err != nil || doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.6" || len(doc.Vulnerabilities) != 11 {
			t.Errorf("%s: %+v %v", name, doc, err)
		}
	}
}
