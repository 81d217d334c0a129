package azure

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
)

// loadFS loads the app whose files are fsys (host.json at its root).
func loadFS(fsys fs.FS) (*bundle.Application, error) {
	app := &bundle.Application{Name: "fuzz", Kind: bundle.KindAzure, Manifest: "app/host.json"}
	src := &appFS{fsys: fsys, base: "app", close: func() error { return nil }}
	l := &load{ctx: context.Background(), app: app, src: src, maxFunctions: maxFunctions}
	return app, l.run(hostFile)
}

// checkApp checks the invariants of a loaded app.
func checkApp(t *testing.T, app *bundle.Application) {
	t.Helper()
	names := make([]string, 0, len(app.Functions))
	for _, f := range app.Functions {
		names = append(names, f.Name)
		if len(f.Artifacts) != 1 || f.Role.Privilege != bundle.PrivilegeUnknown || f.Source.File == "" {
			t.Fatalf("function %+v", f)
		}
		for _, tr := range f.Triggers {
			switch tr.Exposure {
			case bundle.ExposurePublic, bundle.ExposureAuthenticated, bundle.ExposureInternal, bundle.ExposureUnknown:
			default:
				t.Fatalf("trigger %+v: exposure %q", tr, tr.Exposure)
			}
			if tr.Type == "" || tr.Auth == "" {
				t.Fatalf("trigger %+v", tr)
			}
		}
	}
	if !slices.IsSorted(names) {
		t.Fatalf("functions not sorted: %q", names)
	}
}

// FuzzAzureFunctionJSON feeds arbitrary bytes as a function.json and a
// host.json, as functions.metadata, and as Python v2 and Node.js v4 source:
// no panic, no hang, and what loads keeps the model's invariants.
func FuzzAzureFunctionJSON(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "function.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*.py"))
	seeds = append(append(seeds, more...), filepath.Join("testdata", "node-v4", "src", "functions", "http.js"),
		filepath.Join("testdata", "dotnet-isolated", "functions.metadata"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte(minimalHost))
	}
	f.Add([]byte(`{"bindings": [{"type": "httpTrigger", "authLevel": "anonymous"}]}`),
		[]byte(`{"extensions": {"http": {"routePrefix": "x"}}, "functions": ["F"], "customHandler": {}}`))
	f.Add([]byte(strings.Repeat("[", 5000)), []byte("{\"a\": *x, // c\n}"))
	f.Fuzz(func(t *testing.T, fn, host []byte) {
		layouts := []fstest.MapFS{
			{"host.json": {Data: host}, "F/function.json": {Data: fn}},
			{"host.json": {Data: []byte(minimalHost)}, "functions.metadata": {Data: fn}},
			{"host.json": {Data: []byte(minimalHost)}, "function_app.py": {Data: fn},
				"package.json": {Data: []byte(`{"main": "src/{a,b}/*.js"}`)}, "src/a/index.js": {Data: fn}},
		}
		for _, fsys := range layouts {
			start := time.Now()
			app, err := loadFS(fsys)
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("took %v", took)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "app/host.json") {
					t.Fatalf("error does not name host.json: %v", err)
				}
				continue
			}
			checkApp(t, app)
		}
	})
}
