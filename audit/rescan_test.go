package audit

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

var corpusApps = []string{"billing-sync", "catalog-functions", "media-pipeline", "orders-api", "tenant-admin"}

// heldBack reads the IDs the osvdb README's "scheduled rescan" fixture holds
// back, by ecosystem: the newest 20 PyPI and crates.io records, 10 npm.
func heldBack(t *testing.T, osvdb string) map[string][]string {
	data, err := os.ReadFile(filepath.Join(osvdb, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, fixture, ok := strings.Cut(string(data), "## Fixture: \"scheduled rescan\"")
	if !ok {
		t.Fatal("osvdb README has no scheduled rescan fixture")
	}
	out := map[string][]string{}
	eco := ""
	heading := regexp.MustCompile(`^#### ([^:\s]+)`)
	row := regexp.MustCompile(`^\| \d+ \| ([A-Z]+-[0-9A-Za-z-]+) \|`)
	for _, line := range strings.Split(fixture, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			eco = m[1]
		} else if m := row.FindStringSubmatch(line); m != nil {
			out[eco] = append(out[eco], m[1])
		}
	}
	for eco, n := range map[string]int{"PyPI": 20, "crates.io": 20, "npm": 10} {
		if len(out[eco]) != n {
			t.Fatalf("README holds back %d %s records, want %d", len(out[eco]), eco, n)
		}
	}
	return out
}

// olderDB copies the OSV database without the records drop names, by
// ecosystem.
func olderDB(t *testing.T, full string, drop map[string][]string) string {
	dir := t.TempDir()
	ecos, err := os.ReadDir(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ecos {
		src := filepath.Join(full, e.Name(), "all.zip")
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, e.Name()), 0o755); err != nil {
			t.Fatal(err)
		}
		if n := copyZipWithout(t, src, filepath.Join(dir, e.Name(), "all.zip"), drop[e.Name()]); n != len(drop[e.Name()]) {
			t.Fatalf("%s: dropped %d of the %d records to hold back", e.Name(), n, len(drop[e.Name()]))
		}
	}
	return dir
}

func copyZipWithout(t *testing.T, src, dst string, ids []string) int {
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	dropped := 0
	for _, f := range zr.File {
		if slices.Contains(ids, strings.TrimSuffix(f.Name, ".json")) {
			dropped++
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dropped
}

// finding names one finding for set comparisons.
type findingRow struct{ app, function, id string }

// expectedNew is PEER-FINDINGS.tsv (osv-scanner on the full database)
// restricted to the held-back IDs.
func expectedNew(t *testing.T, corpus string, held map[string][]string) map[findingRow]bool {
	all := slices.Concat(held["PyPI"], held["crates.io"], held["npm"])
	out := map[findingRow]bool{}
	for _, row := range readTSV(t, filepath.Join(corpus, "PEER-FINDINGS.tsv")) {
		if slices.Contains(all, row[5]) {
			out[findingRow{row[0], row[1], row[5]}] = true
		}
	}
	return out
}

// scanCorpusInto scans copies of the corpus applications against db and
// records them in st, then deletes the copies: a rescan must not need them.
func scanCorpusInto(t *testing.T, st store.Store, corpus, db string) map[string]*reports.Report {
	copies := t.TempDir()
	cfg := DefaultConfig()
	cfg.DBDir = db
	out := map[string]*reports.Report{}
	for _, app := range corpusApps {
		if err := exec.Command("cp", "-a", filepath.Join(corpus, app), copies).Run(); err != nil {
			t.Fatalf("copying %s: %v", app, err)
		}
		r, err := Run(context.Background(), cfg, filepath.Join(copies, app))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := RecordScan(context.Background(), st, r, map[string]string{"env": "prod"}); err != nil {
			t.Fatal(err)
		}
		out[app] = r
	}
	if err := os.RemoveAll(copies); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRescanCorpus is the scheduled rescan with real data: the corpus is
// scanned against a database without the newest advisories, then rescanned
// against the full one with its artifacts deleted. Exactly the held-back
// advisories that affect corpus packages come out new; everything else is
// unchanged. Rescanning the other way round marks them fixed.
func TestRescanCorpus(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	full := sharedtest.Dir(t, "osvdb")
	held := heldBack(t, full)
	older := olderDB(t, full, held)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "fnaudit.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scanned := scanCorpusInto(t, st, corpus, older)
	want := expectedNew(t, corpus, held)
	if len(want) == 0 {
		t.Fatal("no held-back advisory affects the corpus: the fixture changed?")
	}
	t.Logf("%d findings of held-back advisories expected: %v", len(want), sortedRows(want))

	cfg := DefaultRescanConfig()
	cfg.DBDir = full
	cfg.Policy = reports.Policy{FailOn: reports.LevelLow}
	cfg.Query = store.Query{Labels: map[string]string{"env": "prod"}}
	res := rescanAndRecord(t, st, cfg)
	if res.ExitCode != reports.ExitFailed {
		t.Errorf("exit code %d with new findings at fail-on low, want 1", res.ExitCode)
	}
	checkChanges(t, res, reports.ChangeNew, want, scanned)

	// Nothing changed since: all unchanged, and unchanged findings do not
	// fail the gate.
	again := rescanAndRecord(t, st, cfg)
	checkChanges(t, again, "", nil, scanned)
	if again.ExitCode != reports.ExitPassed {
		t.Errorf("second rescan: exit code %d, want 0 (nothing new)", again.ExitCode)
	}

	// Back to the older database: the held-back advisories are fixed.
	cfg.DBDir = older
	back := rescanAndRecord(t, st, cfg)
	checkChanges(t, back, reports.ChangeFixed, want, scanned)
	if back.ExitCode != reports.ExitPassed {
		t.Errorf("rescan with fixed findings only: exit code %d, want 0", back.ExitCode)
	}
}

func rescanAndRecord(t *testing.T, st store.Store, cfg RescanConfig) *RescanResult {
	t.Helper()
	res, err := Rescan(context.Background(), cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Reports) != len(corpusApps) {
		t.Fatalf("%d reports, want %d", len(res.Reports), len(corpusApps))
	}
	if _, err := RecordRescan(context.Background(), st, res); err != nil {
		t.Fatal(err)
	}
	return res
}

// checkChanges checks that exactly the findings of want carry change (none
// when change is ""), that every other finding is unchanged, and that the
// functions and packages are those of the original scan.
func checkChanges(t *testing.T, res *RescanResult, change string, want map[findingRow]bool, scanned map[string]*reports.Report) {
	t.Helper()
	got := map[findingRow]bool{}
	for _, r := range res.Reports {
		orig := scanned[r.Application.Name]
		checkSameFunctions(t, orig, r)
		n := 0
		for _, fn := range r.Functions {
			for _, f := range fn.Findings {
				n++
				if f.Change == reports.ChangeUnchanged {
					continue
				}
				if f.Change != change {
					t.Errorf("%s/%s %s: change %q", r.Application.Name, fn.Name, f.ID, f.Change)
					continue
				}
				if f.Summary == "" || f.Severity == "" {
					t.Errorf("%s/%s %s (%s): listed without its advisory's details", r.Application.Name, fn.Name, f.ID, f.Change)
				}
				row := findingRow{r.Application.Name, fn.Name, f.ID}
				for _, id := range append([]string{f.ID}, f.Aliases...) {
					if want[findingRow{row.app, row.function, id}] {
						row.id = id
					}
				}
				got[row] = true
			}
		}
		c := r.Summary.Changes
		if c == nil || c.New+c.Unchanged+c.Fixed != n {
			t.Errorf("%s: summary changes %+v for %d findings", r.Application.Name, c, n)
		}
	}
	if diff := cmp.Diff(sortedRows(want), sortedRows(got)); diff != "" {
		t.Errorf("findings marked %q (-want +got):\n%s", change, diff)
	}
}

func sortedRows(m map[findingRow]bool) []string {
	var out []string
	for r := range m {
		out = append(out, fmt.Sprintf("%s/%s %s", r.app, r.function, r.id))
	}
	slices.Sort(out)
	return out
}

// checkSameFunctions: a rescan reads the functions and packages back from
// the store exactly as scanned (the SBOM round trip).
func checkSameFunctions(t *testing.T, orig, r *reports.Report) {
	t.Helper()
	if len(orig.Functions) != len(r.Functions) {
		t.Fatalf("%s: %d functions, scanned %d", r.Application.Name, len(r.Functions), len(orig.Functions))
	}
	for i, fn := range r.Functions {
		o := orig.Functions[i]
		if diff := cmp.Diff(o.Packages, fn.Packages); diff != "" {
			t.Errorf("%s/%s packages (-scanned +rescanned):\n%s", r.Application.Name, fn.Name, diff)
		}
		// As the report JSON has them (Trigger.Source and Artifact.Mount
		// are not part of it, nor stored).
		if diff := cmp.Diff(jsonOf(t, o.Triggers, o.Artifacts, o.Exposure, o.Privilege, o.Status, o.Errors),
			jsonOf(t, fn.Triggers, fn.Artifacts, fn.Exposure, fn.Privilege, fn.Status, fn.Errors)); diff != "" {
			t.Errorf("%s/%s (-scanned +rescanned):\n%s", r.Application.Name, fn.Name, diff)
		}
	}
}

// TestRescanNothingStored: a rescan of an empty store says what to do.
func TestRescanNothingStored(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := DefaultRescanConfig()
	cfg.DBDir = "../testdata/osvdb"
	_, err = Rescan(context.Background(), cfg, st)
	if err == nil || !strings.Contains(err.Error(), "fnaudit scan --store") {
		t.Errorf("rescan of an empty store: %v", err)
	}
}

func jsonOf(t *testing.T, v ...any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
