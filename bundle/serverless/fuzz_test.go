package serverless

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
)

// FuzzServerlessManifest feeds arbitrary bytes as a serverless.yml (state
// false) or a .serverless/serverless-state.json (state true). Loading must
// not panic, must finish quickly, and what it returns must be well formed.
func FuzzServerlessManifest(f *testing.F) {
	for _, name := range []string{"http-auth", "workers", "variables", "images", "packaged"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name, "serverless.yml")); err == nil {
			f.Add(false, data)
		}
	}
	for _, name := range []string{"packaged", "packaged-v2"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name, ".serverless", "serverless-state.json")); err == nil {
			f.Add(true, data)
		}
	}
	f.Add(false, []byte(billionLaughs()))
	f.Add(false, []byte(doublingVariables()))
	f.Add(false, []byte("service: s\nfunctions:\n  f: &f\n    handler: h\n    events: [*f, {http: *f}]\n"))
	f.Add(true, []byte(`{"service": {"service": "s", "provider": {"$ref": "$[\"service\"]"}, "functions": {"f": {"events": {"$ref": "$"}}}}}`))
	f.Fuzz(func(t *testing.T, state bool, data []byte) {
		manifest := filepath.Join("fuzz", "serverless.yml")
		if state {
			manifest = filepath.Join("fuzz", ".serverless", "serverless-state.json")
		}
		start := time.Now()
		app, err := load(t.Context(), manifest, data)
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("load took %v", d)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), manifest+":") {
				t.Fatalf("error %q does not name the manifest", err)
			}
			return
		}
		checkWellFormed(t, app)
	})
}

// checkWellFormed checks the invariants of any loaded application.
func checkWellFormed(t *testing.T, app *bundle.Application) {
	t.Helper()
	if !slices.IsSortedFunc(app.Functions, func(a, b *bundle.Function) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("functions are not sorted by name")
	}
	exposures := []bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown}
	privileges := []bundle.Privilege{bundle.PrivilegeAdmin, bundle.PrivilegeBroad, bundle.PrivilegeScoped, bundle.PrivilegeUnknown}
	for _, f := range app.Functions {
		if f.Source.File == "" || (f.PackageType != "zip" && f.PackageType != "image") || len(f.Artifacts) == 0 {
			t.Errorf("function %q: source %+v, package type %q, %d artifacts", f.Name, f.Source, f.PackageType, len(f.Artifacts))
		}
		if !slices.Contains(privileges, f.Role.Privilege) {
			t.Errorf("function %q: privilege %q", f.Name, f.Role.Privilege)
		}
		for _, a := range f.Artifacts {
			if (a.Path == "") == (a.Problem == "") && a.Role != bundle.RoleImage {
				t.Errorf("function %q: artifact %+v needs a path or a problem", f.Name, a)
			}
		}
		for _, tr := range f.Triggers {
			if !slices.Contains(exposures, tr.Exposure) || tr.Auth == "" || tr.Type == "" || tr.Source.File == "" {
				t.Errorf("function %q: trigger %+v", f.Name, tr)
			}
		}
	}
}
