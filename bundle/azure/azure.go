package azure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Mount is where App Service places the app's files at run time.
const Mount = "/home/site/wwwroot"

// roleReason says why an Azure function's privilege is unknown.
const roleReason = "Azure: the function app's managed identity and role assignments are not in the project"

// errNotObject is wrapped by errors for a host.json that is not a JSON object.
var errNotObject = errors.New("not a JSON object")

// Loader reads Azure Functions apps. Its zero value is ready to use.
type Loader struct{}

var _ bundle.Loader = Loader{}

// New returns the Azure Functions loader.
func New() bundle.Loader { return Loader{} }

// Kind returns [bundle.KindAzure].
func (Loader) Kind() bundle.Kind { return bundle.KindAzure }

// Detect accepts a host.json file, a folder holding host.json, or a zip
// holding host.json at its root (a run-from-package zip). It returns the
// host.json path (joined onto path, not made absolute) or the zip.
func (Loader) Detect(path string) (manifest string, ok bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		m := filepath.Join(path, hostFile)
		if hf, err := os.Stat(m); err == nil && hf.Mode().IsRegular() {
			return m, true
		}
		return "", false
	}
	if !fi.Mode().IsRegular() {
		return "", false
	}
	if filepath.Base(path) == hostFile {
		return path, true
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") && isPackageZip(path) {
		return path, true
	}
	return "", false
}

// Load reads the function app whose host.json (or run-from-package zip) is
// manifest. A host.json that cannot be read or parsed is an error; a broken
// function definition is a warning, and that function is listed with
// exposure unknown.
func (Loader) Load(ctx context.Context, manifest string) (*bundle.Application, error) {
	return loadManifest(ctx, manifest, maxFunctions)
}

// loadManifest is Load with a bound on the number of functions.
func loadManifest(ctx context.Context, manifest string, maxFuncs int) (*bundle.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, name, hostRel, err := openManifest(manifest)
	if err != nil {
		return nil, err
	}
	defer a.close()
	app := &bundle.Application{Name: name, Kind: bundle.KindAzure, Manifest: manifest}
	l := &load{ctx: ctx, app: app, src: a, maxFunctions: maxFuncs}
	if err := l.run(hostRel); err != nil {
		return nil, err
	}
	return app, nil
}

// openManifest opens the app's files: the folder of host.json, or the
// run-from-package zip given on its own. It returns the app's name and
// where host.json is among its files.
func openManifest(manifest string) (a *appFS, name, hostRel string, err error) {
	if strings.EqualFold(filepath.Ext(manifest), ".zip") {
		base := filepath.Base(manifest)
		a, err = openZipFS(manifest)
		return a, strings.TrimSuffix(base, filepath.Ext(base)), hostFile, err
	}
	dir := filepath.Dir(manifest)
	a, err = openDir(dir)
	return a, appName(dir), filepath.Base(manifest), err
}

// appName is the name of the app folder dir (resolved when dir is ".").
func appName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return filepath.Base(abs)
	}
	return filepath.Base(dir)
}

// load is one Load call's state.
type load struct {
	ctx          context.Context
	app          *bundle.Application
	src          *appFS // the app's files, where host.json is
	maxFunctions int
	notes        notes
}

// run reads host.json (rel in l.src), finds the functions and builds them.
func (l *load) run(hostRel string) error {
	host, err := readHost(l.src, hostRel, &l.notes)
	if err != nil {
		return err
	}
	settings := readLocalSettings(l.src, &l.notes)
	art, pkg := l.artifact()
	defs, err := l.definitions(settings, pkg)
	if err != nil {
		return err
	}
	runtime := appRuntime(l.src, &host, settings, defs)
	for _, d := range defs {
		l.app.Functions = append(l.app.Functions, l.function(&host, d, runtime, art))
	}
	slices.SortStableFunc(l.app.Functions, func(x, y *bundle.Function) int { return strings.Compare(x.Name, y.Name) })
	l.app.Warnings = l.notes.list
	return nil
}

// definitions finds the app's functions: in the app's files, else in its
// run-from-package zip (pkg, when the folder is a project whose functions
// are only known after a build), else it makes one function standing for
// the whole app, whose exposure is unknown.
func (l *load) definitions(settings localSettings, pkg string) ([]*funcDef, error) {
	f := &finder{ctx: l.ctx, a: l.src, settings: settings, notes: &l.notes, maxFunctions: l.maxFunctions}
	defs, err := f.discover()
	if err != nil || len(defs) > 0 {
		return defs, err
	}
	if pkg != "" {
		z, err := openZipFS(l.src.loc(pkg))
		if err == nil {
			defer z.close()
			f.a, f.settings = z, localSettings{}
			if defs, err = f.discover(); err != nil || len(defs) > 0 {
				return defs, err
			}
		}
	}
	l.notes.add(l.app.Manifest, 0, "no function definition could be read (looked for */function.json, "+
		"functions.metadata, function_app.py decorators and registrations in the files of package.json main)%s: "+
		"the app is listed as one function whose exposure is unknown", projectHint(l.src))
	return []*funcDef{{name: l.app.Name, file: l.app.Manifest, problem: "function definitions could not be read", noted: true}}, nil
}

// projectHint says what to give instead of a source project whose functions
// are declared by attributes or annotations, compiled in at build time.
func projectHint(a *appFS) string {
	switch {
	case hasDotnetProject(a):
		return "; for a C# project give its publish output (dotnet publish), which holds functions.metadata or */function.json"
	case a.isFile("pom.xml") || a.isFile("build.gradle") || a.isFile("build.gradle.kts"):
		return "; for a Java project give its staging folder (target/azure-functions/<app>), which holds */function.json"
	}
	return ""
}

// artifact is the code every function of the app runs: the run-from-package
// zip when the folder holds one (pkg is then its path inside the folder),
// else the app folder (or the zip given as the manifest).
func (l *load) artifact() (art bundle.Artifact, pkg string) {
	art = bundle.Artifact{Role: bundle.RoleCode, Name: l.app.Name, Path: l.src.base, Mount: Mount}
	if l.src.isZip {
		return art, ""
	}
	pkg = packageZip(l.src, l.app.Name, &l.notes)
	if pkg != "" {
		art.Path = l.src.loc(pkg)
	}
	return art, pkg
}

// packageZip finds the app's run-from-package zip: dist/*.zip, then *.zip
// at the app's root, holding host.json at its root. Among several it
// prefers the one named after the app, else the first by name.
func packageZip(a *appFS, app string, n *notes) string {
	const maxCandidates = 20
	var found []string
	for _, pattern := range []string{"dist/*.zip", "*.zip"} {
		for _, rel := range a.glob(pattern, maxCandidates) {
			if a.packageZip(rel) {
				found = append(found, rel)
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	pick := found[0]
	for _, rel := range found {
		if strings.EqualFold(filepath.Base(rel), app+".zip") {
			pick = rel
			break
		}
	}
	if len(found) > 1 {
		n.add(a.loc(pick), 0, "several run-from-package zips (%s): this one is audited as the app's code", strings.Join(found, ", "))
	}
	return pick
}

// function builds one bundle.Function from its definition.
func (l *load) function(host *hostConfig, d *funcDef, runtime string, art bundle.Artifact) *bundle.Function {
	triggers := buildTriggers(host, d, &l.notes)
	handler := d.handler
	if handler == "" && host.customHandler {
		handler = host.handler
	}
	fn := &bundle.Function{
		Name:        d.name,
		Runtime:     functionRuntime(runtime, d),
		Handler:     handler,
		PackageType: "zip",
		Source:      bundle.Location{File: d.file, Line: max(d.line, 1)},
		Artifacts:   []bundle.Artifact{art},
		Triggers:    triggers,
		Role:        bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{roleReason}},
	}
	if len(triggers) > 0 && triggers[0].Source.Line > 0 {
		fn.Source.Line = triggers[0].Source.Line
	}
	if d.disabled {
		l.notes.add(d.file, fn.Source.Line, "function %s is disabled: listed all the same (it can be enabled without a deployment)", d.name)
	}
	if !host.loads(d.name) {
		l.notes.add(d.file, fn.Source.Line, `function %s is not named in host.json "functions", so the host does not load it: listed all the same`, d.name)
	}
	return fn
}

// notes collects the warnings of one Load.
type notes struct {
	list []string
}

// addErr records a warning about a file that could not be read or parsed
// (a JSON error's own line is used).
func (n *notes) addErr(file, what string, err error) {
	var je *jsonError
	if errors.As(err, &je) {
		n.add(file, je.line, "%s: %s", what, je.message())
		return
	}
	n.add(file, 0, "%s: %v", what, err)
}

// add records a warning about file (at line, when known).
func (n *notes) add(file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		n.list = append(n.list, fmt.Sprintf("%s:%d: %s", file, line, msg))
		return
	}
	n.list = append(n.list, fmt.Sprintf("%s: %s", file, msg))
}
