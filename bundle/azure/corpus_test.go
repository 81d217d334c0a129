package azure

import (
	"bufio"
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

// intendedExposure reads EXPOSURE.tsv: function → exposure for app.
func intendedExposure(t *testing.T, corpus, app string) map[string]bundle.Exposure {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPOSURE.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]bundle.Exposure{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 3 && cols[0] == app {
			want[cols[1]] = bundle.Exposure(cols[2])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

func TestCorpusCatalogFunctions(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	dir := filepath.Join(corpus, "catalog-functions")
	app := bundletest.Load(t, New(), dir)
	want := intendedExposure(t, corpus, "catalog-functions")
	if len(want) == 0 {
		t.Fatal("EXPOSURE.tsv lists no catalog-functions function")
	}
	if app.Name != "catalog-functions" || app.Kind != bundle.KindAzure {
		t.Errorf("app = %s (%s), want catalog-functions (azure)", app.Name, app.Kind)
	}
	if len(app.Warnings) > 0 {
		t.Errorf("warnings: %q", app.Warnings)
	}
	got := map[string]bundle.Exposure{}
	var names []string
	for _, fn := range app.Functions {
		got[fn.Name] = fn.Exposure()
		names = append(names, fn.Name)
		checkCorpusFunction(t, dir, fn)
	}
	if !slices.IsSorted(names) {
		t.Errorf("functions not sorted by name: %q", names)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exposure per function (-EXPOSURE.tsv +loaded):\n%s", diff)
	}
}

// checkCorpusFunction checks what every catalog-functions function shares:
// the run-from-package zip, the node runtime, an unknown privilege.
func checkCorpusFunction(t *testing.T, dir string, fn *bundle.Function) {
	t.Helper()
	wantArt := []bundle.Artifact{{Role: bundle.RoleCode, Name: "catalog-functions",
		Path: filepath.Join(dir, "dist", "catalog-functions.zip"), Mount: Mount}}
	if diff := cmp.Diff(wantArt, fn.Artifacts); diff != "" {
		t.Errorf("%s artifacts (-want +got):\n%s", fn.Name, diff)
	}
	if _, err := os.Stat(fn.Artifacts[0].Path); err != nil {
		t.Errorf("%s artifact: %v", fn.Name, err)
	}
	if fn.Role.Privilege != bundle.PrivilegeUnknown || fn.Runtime != "node" {
		t.Errorf("%s: privilege %s, runtime %q; want unknown, node", fn.Name, fn.Role.Privilege, fn.Runtime)
	}
	if want := filepath.Join(dir, fn.Name, "function.json"); fn.Source.File != want || fn.Source.Line < 1 {
		t.Errorf("%s source = %+v, want %s:<line>", fn.Name, fn.Source, want)
	}
}
