package terraform

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/sharedtest"
)

// TestCorpusTenantAdmin loads the corpus's Terraform application and checks
// it against INDEX.md and EXPOSURE.tsv: names, artifacts in load order (each
// on disk), exposure and privilege.
func TestCorpusTenantAdmin(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	dir := filepath.Join(corpus, "tenant-admin")
	manifest, ok := New().Detect(dir)
	if !ok || manifest != filepath.Join(dir, "plan.json") {
		t.Fatalf("Detect(%s) = %q, %v; want its plan.json", dir, manifest, ok)
	}
	app, err := New().Load(context.Background(), manifest)
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "tenant-admin" || app.Kind != bundle.KindTerraform {
		t.Errorf("application %q of kind %q, want tenant-admin, terraform", app.Name, app.Kind)
	}
	build := filepath.Join(dir, "build")
	wantArtifacts := map[string][]string{
		"signup":    {filepath.Join(build, "signup.zip"), filepath.Join(build, "tenant-common-layer.zip")},
		"events":    {filepath.Join(build, "events.zip"), filepath.Join(build, "tenant-common-layer.zip")},
		"provision": {filepath.Join(build, "provision.zip")},
	}
	exposure := corpusExposure(t, corpus, "tenant-admin")
	got := map[string][]string{}
	for _, f := range app.Functions {
		for _, a := range f.Artifacts {
			got[f.Name] = append(got[f.Name], a.Path)
			if _, err := os.Stat(a.Path); err != nil || a.Problem != "" {
				t.Errorf("%s: artifact %s: %v %s", f.Name, a.Path, err, a.Problem)
			}
		}
		short := strings.TrimPrefix(f.Name, "tenant-admin-")
		want, listed := exposure[short]
		if !listed {
			t.Errorf("%s is not in EXPOSURE.tsv", f.Name)
		}
		if string(f.Exposure()) != want[0] {
			t.Errorf("%s: exposure %s, want %s (EXPOSURE.tsv)", f.Name, f.Exposure(), want[0])
		}
		if string(f.Role.Privilege) != want[1] || f.Role.Privilege != bundle.PrivilegeAdmin {
			t.Errorf("%s: privilege %s %v, want %s", f.Name, f.Role.Privilege, f.Role.Reasons, want[1])
		}
	}
	if len(app.Functions) != len(exposure) {
		t.Errorf("%d functions, EXPOSURE.tsv lists %d", len(app.Functions), len(exposure))
	}
	if diff := cmp.Diff(wantArtifacts, got); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}
}

// corpusExposure reads EXPOSURE.tsv's rows of an application: function →
// exposure, privilege.
func corpusExposure(t *testing.T, corpus, app string) map[string][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPOSURE.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][2]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 4 && cols[0] == app {
			out[cols[1]] = [2]string{cols[2], cols[3]}
		}
	}
	if len(out) == 0 {
		t.Fatalf("EXPOSURE.tsv has no rows for %s", app)
	}
	return out
}
