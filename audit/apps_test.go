package audit

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/fnaudit/fnaudit/reports"
)

// expectedApp is what EXPECTED.tsv and EXPOSURE.tsv say of one application.
type expectedApp struct {
	packages  map[string]map[pkgKey]bool // function → packages
	exposure  map[string]string
	privilege map[string]string
}

func readExpectedApps(t *testing.T, corpus string) map[string]*expectedApp {
	apps := map[string]*expectedApp{}
	get := func(app string) *expectedApp {
		if apps[app] == nil {
			apps[app] = &expectedApp{packages: map[string]map[pkgKey]bool{}, exposure: map[string]string{}, privilege: map[string]string{}}
		}
		return apps[app]
	}
	for _, row := range readTSV(t, filepath.Join(corpus, "EXPECTED.tsv")) {
		a := get(row[0])
		if a.packages[row[1]] == nil {
			a.packages[row[1]] = map[pkgKey]bool{}
		}
		a.packages[row[1]][keyOf(row[2], row[3], row[4])] = true
	}
	for _, row := range readTSV(t, filepath.Join(corpus, "EXPOSURE.tsv")) {
		a := get(row[0])
		a.exposure[row[1]], a.privilege[row[1]] = row[2], row[3]
	}
	return apps
}

// TestCorpusApps audits each corpus application through its manifest and
// checks every function: the packages EXPECTED.tsv lists (layers and images
// included), the exposure and role breadth EXPOSURE.tsv gives, and the
// advisories osv-scanner 2.6.0 reports for the function's packages.
func TestCorpusApps(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	db := sharedtest.Dir(t, "osvdb")
	expected := readExpectedApps(t, corpus)
	peer := peerAdvisories(t, corpus)
	cfg := DefaultConfig()
	cfg.DBDir = db
	for _, app := range []string{"orders-api", "media-pipeline", "billing-sync", "tenant-admin", "catalog-functions"} {
		t.Run(app, func(t *testing.T) {
			want := expected[app]
			r, err := Run(context.Background(), cfg, filepath.Join(corpus, app))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, fn := range r.Functions {
				names = append(names, fn.Name)
			}
			var wantNames []string
			for fn := range want.exposure {
				wantNames = append(wantNames, fn)
			}
			slices.Sort(wantNames)
			if !slices.Equal(names, wantNames) {
				t.Fatalf("functions %v, want %v", names, wantNames)
			}
			for _, fn := range r.Functions {
				t.Run(fn.Name, func(t *testing.T) {
					checkFunction(t, want, peer, fn)
				})
			}
		})
	}
}

func checkFunction(t *testing.T, want *expectedApp, peer map[pkgKey][]string, fn reports.Function) {
	if fn.Status != reports.StatusOK {
		t.Errorf("status %s: %v", fn.Status, fn.Errors)
	}
	if got := string(fn.Exposure); got != want.exposure[fn.Name] {
		t.Errorf("exposure %s, want %s (triggers %+v)", got, want.exposure[fn.Name], fn.Triggers)
	}
	switch wp := want.privilege[fn.Name]; wp {
	case "scoped-or-other":
		if fn.Privilege == bundle.PrivilegeAdmin || fn.Privilege == bundle.PrivilegeBroad {
			t.Errorf("privilege %s (%v), want scoped or unknown", fn.Privilege, fn.PrivilegeReasons)
		}
	default:
		if string(fn.Privilege) != wp {
			t.Errorf("privilege %s (%v), want %s", fn.Privilege, fn.PrivilegeReasons, wp)
		}
	}
	got := map[pkgKey]bool{}
	for _, p := range fn.Packages {
		if !p.Shadowed {
			got[keyOf(p.Ecosystem, p.Name, p.Version)] = true
		}
	}
	for k := range want.packages[fn.Name] {
		if !got[k] {
			t.Errorf("missing package %s %s %s", k.eco, k.name, k.version)
		}
	}
	for k := range got {
		if !want.packages[fn.Name][k] {
			t.Errorf("unexpected package %s %s %s", k.eco, k.name, k.version)
		}
	}
	checkAdvisories(t, got, peer, fn)
}

// TestCorpusBadApps: the hostile template audits its good function in
// full and fails each bad one with an error naming its file; a template
// whose artifact is missing still lists the function with its exposure; a
// manifest that does not parse is an input error naming file and line.
func TestCorpusBadApps(t *testing.T) {
	bad := sharedtest.Dir(t, "corpus/bad")
	cfg := DefaultConfig()
	cfg.DBDir = sharedtest.Dir(t, "osvdb")

	r, err := Run(context.Background(), cfg, filepath.Join(bad, "template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Gate.ExitCode != reports.ExitIncomplete {
		t.Errorf("exit code %d, want 3", r.Summary.Gate.ExitCode)
	}
	for _, fn := range r.Functions {
		if fn.Name == "GoodFunction" {
			if fn.Status != reports.StatusOK || len(fn.Packages) != 2 {
				t.Errorf("GoodFunction: %s, %d packages, errors %v", fn.Status, len(fn.Packages), fn.Errors)
			}
			continue
		}
		if fn.Status != reports.StatusIncomplete || len(fn.Errors) == 0 || !strings.Contains(strings.Join(fn.Errors, " "), "artifacts/") {
			t.Errorf("%s: status %s, errors %v: want incomplete with the artifact named", fn.Name, fn.Status, fn.Errors)
		}
	}
	if len(r.Functions) != 8 {
		t.Errorf("%d functions, want 8", len(r.Functions))
	}

	r, err = Run(context.Background(), cfg, filepath.Join(bad, "missing-artifact-sam"))
	if err != nil {
		t.Fatal(err)
	}
	fn := r.Functions[0]
	if fn.Status != reports.StatusIncomplete || fn.Exposure != bundle.ExposurePublic || !strings.Contains(strings.Join(fn.Errors, " "), "ghost.zip") {
		t.Errorf("missing artifact: %+v", fn)
	}

	for _, dir := range []string{"malformed-yaml", "malformed-sam"} {
		_, err := Run(context.Background(), cfg, filepath.Join(bad, dir))
		if !errors.Is(err, bundle.ErrInput) {
			t.Errorf("%s: err = %v, want an input error", dir, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, dir+"/") || !strings.Contains(msg, ":") {
			t.Errorf("%s: %q does not name the file", dir, msg)
		}
	}
}
