package serverless

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/sharedtest"
)

// readTSV reads a corpus TSV file as rows of columns, header skipped.
func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		if !first && sc.Text() != "" {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// corpusExpectations are what the corpus says of one app's functions.
type corpusExpectations struct {
	exposure  map[string]string   // EXPOSURE.tsv
	privilege map[string]string   // EXPOSURE.tsv
	artifacts map[string][]string // EXPECTED.tsv: artifact files packages come from, relative to the corpus
}

func readCorpus(t *testing.T, corpus, app string) corpusExpectations {
	c := corpusExpectations{exposure: map[string]string{}, privilege: map[string]string{}, artifacts: map[string][]string{}}
	for _, r := range readTSV(t, filepath.Join(corpus, "EXPOSURE.tsv")) {
		if r[0] == app {
			c.exposure[r[1]], c.privilege[r[1]] = r[2], r[3]
		}
	}
	for _, r := range readTSV(t, filepath.Join(corpus, "EXPECTED.tsv")) {
		if r[0] != app {
			continue
		}
		file, _, _ := strings.Cut(r[5], "!/")
		if !slices.Contains(c.artifacts[r[1]], file) {
			c.artifacts[r[1]] = append(c.artifacts[r[1]], file)
		}
	}
	return c
}

// privilegeMatches applies EXPOSURE.tsv's privilege column:
// "scoped-or-other" is scoped or unknown, never admin or broad.
func privilegeMatches(want string, got bundle.Privilege) bool {
	if want == "scoped-or-other" {
		return got == bundle.PrivilegeScoped || got == bundle.PrivilegeUnknown
	}
	return string(got) == want
}

// TestCorpusOrdersAPI loads orders-api both from its packaged state (what
// Detect picks) and from its serverless.yml, and checks functions,
// artifacts, exposure and privilege against the corpus index.
func TestCorpusOrdersAPI(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	want := readCorpus(t, corpus, "orders-api")
	appDir := filepath.Join(corpus, "orders-api")
	wantArtifacts := map[string][]string{
		"authorize":       {"authorize.zip"},
		"createOrder":     {"createOrder.zip", "commonLibs.zip"},
		"listOrders":      {"listOrders.zip", "commonLibs.zip"},
		"processPayment":  {"processPayment.zip"},
		"generateInvoice": {"generateInvoice.zip"},
		"nightlyReport":   {"nightlyReport.zip"},
		"notifyCustomer":  {"notifyCustomer.zip"},
		"paymentWebhook":  {"paymentWebhook.zip"},
	}
	for _, path := range []string{appDir, filepath.Join(appDir, "serverless.yml")} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			app := bundletest.Load(t, New(), path)
			if app.Name != "orders-api" || len(app.Warnings) != 0 {
				t.Errorf("name %q, warnings %q", app.Name, app.Warnings)
			}
			var names []string
			for _, f := range app.Functions {
				names = append(names, f.Name)
				checkCorpusFunction(t, corpus, appDir, f, want, wantArtifacts[f.Name])
			}
			wantNames := slices.Sorted(maps.Keys(want.exposure))
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("functions (-want +got):\n%s", diff)
			}
		})
	}
}

func checkCorpusFunction(t *testing.T, corpus, appDir string, f *bundle.Function, want corpusExpectations, wantFiles []string) {
	t.Helper()
	var got []string
	for i, a := range f.Artifacts {
		if a.Problem != "" {
			t.Errorf("%s: artifact %s: %s", f.Name, a.Name, a.Problem)
		}
		if _, err := os.Stat(a.Path); err != nil {
			t.Errorf("%s: artifact %s: %v", f.Name, a.Name, err)
		}
		wantRole := bundle.RoleLayer
		if i == 0 {
			wantRole = bundle.RoleCode
		}
		if a.Role != wantRole {
			t.Errorf("%s: artifact %d role %s, want %s", f.Name, i, a.Role, wantRole)
		}
		got = append(got, filepath.Base(a.Path))
		rel, _ := filepath.Rel(corpus, a.Path)
		if want.artifacts[f.Name] != nil && !slices.Contains(want.artifacts[f.Name], filepath.ToSlash(rel)) && i == 0 {
			t.Errorf("%s: code %s is not one EXPECTED.tsv names (%q)", f.Name, rel, want.artifacts[f.Name])
		}
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("%s: artifacts (-want +got):\n%s", f.Name, diff)
	}
	for _, file := range want.artifacts[f.Name] {
		if !slices.Contains(got, filepath.Base(file)) {
			t.Errorf("%s: EXPECTED.tsv lists packages from %s, not among its artifacts %q", f.Name, file, got)
		}
	}
	if string(f.Exposure()) != want.exposure[f.Name] {
		t.Errorf("%s: exposure %s, want %s (triggers %+v)", f.Name, f.Exposure(), want.exposure[f.Name], f.Triggers)
	}
	if !privilegeMatches(want.privilege[f.Name], f.Role.Privilege) {
		t.Errorf("%s: privilege %s %q, want %s", f.Name, f.Role.Privilege, f.Role.Reasons, want.privilege[f.Name])
	}
	if f.Source.Line == 0 || filepath.Dir(f.Source.File) != appDir {
		t.Errorf("%s: source %+v, want a line of %s/serverless.yml", f.Name, f.Source, appDir)
	}
}

// TestCorpusMalformedYAML checks that the broken serverless.yml of the
// corpus (a tab in indentation, an unterminated flow sequence) is a parse
// error naming the file and the line of the tab.
func TestCorpusMalformedYAML(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t, "corpus"), "bad", "malformed-yaml")
	manifest, ok := New().Detect(dir)
	if !ok {
		t.Fatalf("Detect(%s) = false", dir)
	}
	_, err := New().Load(t.Context(), manifest)
	want := manifest + ":9: invalid yaml: found a tab character that violates indentation"
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
}
