package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/schematest"
	"github.com/fnaudit/fnaudit/internal/sharedtest"
)

// TestCorpusBadArtifacts scans each hostile or broken artifact of
// ../shared/corpus/bad on its own: a clear error naming the file and the
// reason, exit 3, nothing written outside the run's temp dir, and the good
// one audited in full.
func TestCorpusBadArtifacts(t *testing.T) {
	bad := sharedtest.Dir(t, "corpus/bad/artifacts")
	tests := []struct {
		file   string
		code   int
		reason string
	}{
		{"zip-slip.zip", 3, `"../../evil-zip-slip.txt"`},
		{"absolute-path.zip", 3, `"/tmp/evil-absolute.txt"`},
		{"symlink-escape.zip", 3, "symlink points outside"},
		{"zip-bomb.zip", 3, "node_modules/huge/data.bin"},
		{"truncated.zip", 3, "corrupt or truncated"},
		{"not-a-zip.zip", 3, "not a zip archive"},
		{"does-not-exist.zip", 2, "no such file"},
		{"good.zip", 0, ""},
	}
	db, err := filepath.Abs(testDB)
	if err != nil {
		t.Fatal(err)
	}
	canaries := []string{"/tmp/evil-zip-slip-2.txt", "/tmp/evil-absolute.txt", "/tmp/evil-through-symlink.txt"}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			root := t.TempDir()
			tmp := filepath.Join(root, "a", "b", "run")
			if err := os.MkdirAll(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(filepath.Join(root, "a"))
			out := filepath.Join(root, "report.json")
			r := run(t, "scan", "--db", db, "--tmp-dir", tmp, "--format", "json="+out, "--format", "table",
				filepath.Join(bad, tt.file))
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			text := r.stdout + r.stderr
			if !strings.Contains(text, tt.file) || !strings.Contains(text, tt.reason) {
				t.Errorf("output does not name %s and %q:\n%s", tt.file, tt.reason, text)
			}
			if tt.code == 0 && (!strings.Contains(r.stdout, "minimist") && !strings.Contains(r.stdout, "2 packages (npm 2)")) {
				t.Errorf("good.zip: want its 2 packages:\n%s", r.stdout)
			}
			// Nothing outside the run's temp dir: the tree holds the
			// report (if any) and the now empty dirs, nothing else.
			var extra []string
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && p != out {
					extra = append(extra, p)
				}
				return nil
			})
			if len(extra) > 0 {
				t.Errorf("files left behind: %v", extra)
			}
			for _, c := range canaries {
				if _, err := os.Stat(c); err == nil {
					t.Errorf("%s exists", c)
				}
			}
		})
	}
}

// TestCorpusAllFormats writes every format for every corpus application in
// one run, twice: CycloneDX (one document per function and the
// application's) and SARIF validate against their schemas, and JSON,
// CycloneDX and SARIF are the same bytes both times.
func TestCorpusAllFormats(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	db := sharedtest.Dir(t, "osvdb")
	cdx, sarif := schematest.CycloneDX(t), schematest.SARIF(t)
	for _, app := range []string{"orders-api", "media-pipeline", "billing-sync", "tenant-admin", "catalog-functions"} {
		t.Run(app, func(t *testing.T) {
			var runs [2]string
			for i := range runs {
				runs[i] = t.TempDir()
				d := runs[i]
				r := run(t, "scan", filepath.Join(corpus, app), "--db", db, "-q",
					"--format", "json="+filepath.Join(d, "report.json"),
					"--format", "cyclonedx="+filepath.Join(d, "cdx"),
					"--format", "sarif="+filepath.Join(d, "report.sarif"),
					"--format", "markdown="+filepath.Join(d, "report.md"),
					"--format", "html="+filepath.Join(d, "report.html"),
					"--format", "table")
				if r.code != 0 {
					t.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
			}
			files, _ := filepath.Glob(filepath.Join(runs[0], "cdx", "*.cdx.json"))
			if len(files) < 2 {
				t.Fatalf("%d CycloneDX documents", len(files))
			}
			for _, f := range append(files, filepath.Join(runs[0], "report.sarif"), filepath.Join(runs[0], "report.json")) {
				a, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(runs[0], f)
				b, err := os.ReadFile(filepath.Join(runs[1], rel))
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs between two runs (%v)", rel, err)
				}
				switch {
				case strings.HasSuffix(f, ".cdx.json"):
					if err := schematest.Validate(cdx, a); err != nil {
						t.Errorf("%s: %v", rel, err)
					}
				case strings.HasSuffix(f, ".sarif"):
					if err := schematest.Validate(sarif, a); err != nil {
						t.Errorf("%s: %v", rel, err)
					}
				}
			}
		})
	}
}
