package terraform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
)

// FuzzTerraformPlan loads arbitrary bytes as a plan and checks what holds
// for any input: no panic, a bounded time, an error that names the file, or
// an application whose functions are sorted, uniquely named and rated with
// the bundle vocabulary.
func FuzzTerraformPlan(f *testing.F) {
	for _, name := range []string{"aws-modules", "aws-sources", "gcp"} {
		data, err := os.ReadFile(filepath.Join("testdata", name, "plan.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(planJSON(lambdaFn, res{addr: "aws_lambda_function_url.u", values: map[string]any{"function_name": "fn", "authorization_type": "NONE"}}))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.a[0]","resources":[]}]}}}`))
	f.Add([]byte(`{"format_version":"1.2","configuration":{"root_module":{"module_calls":{"a":{"source":"./a","module":{}}}}}}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`))
	f.Add([]byte(`{`))
	const manifest = "fuzz/plan.json"
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		app, err := load(context.Background(), manifest, data, nil)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("load took %s for %d bytes", d, len(data))
		}
		topLevelKeys(data)
		if err != nil {
			if !strings.Contains(err.Error(), manifest) {
				t.Errorf("error %q does not name the plan", err)
			}
			return
		}
		checkApplication(t, app)
	})
}

// checkApplication checks the invariants of a loaded application.
func checkApplication(t *testing.T, app *bundle.Application) {
	t.Helper()
	if app.Kind != bundle.KindTerraform {
		t.Errorf("kind %q", app.Kind)
	}
	names := map[string]bool{}
	for i, fn := range app.Functions {
		if names[fn.Name] || fn.Name == "" {
			t.Errorf("function name %q empty or repeated", fn.Name)
		}
		names[fn.Name] = true
		if i > 0 && app.Functions[i-1].Name > fn.Name {
			t.Errorf("functions not sorted: %q before %q", app.Functions[i-1].Name, fn.Name)
		}
		if len(fn.Artifacts) == 0 || !slices.Contains([]string{"zip", "image"}, fn.PackageType) {
			t.Errorf("%s: %d artifacts, package type %q", fn.Name, len(fn.Artifacts), fn.PackageType)
		}
		for _, tr := range fn.Triggers {
			if !slices.Contains([]bundle.Exposure{bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown}, tr.Exposure) {
				t.Errorf("%s: trigger %+v has exposure %q", fn.Name, tr, tr.Exposure)
			}
		}
		if !slices.Contains([]bundle.Privilege{bundle.PrivilegeAdmin, bundle.PrivilegeBroad, bundle.PrivilegeScoped, bundle.PrivilegeUnknown}, fn.Role.Privilege) {
			t.Errorf("%s: privilege %q", fn.Name, fn.Role.Privilege)
		}
	}
}
