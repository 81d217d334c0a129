package serverless

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Manifest file names, in the order Detect prefers them inside a folder.
const (
	stateFile    = "serverless-state.json"
	packagedDir  = ".serverless"
	compiledFile = "cloudformation-template-update-stack.json"
)

// configNames are the configuration files fnaudit reads, in the framework's
// own order of preference.
var configNames = []string{"serverless.yml", "serverless.yaml", "serverless.json"}

// codeConfigNames are configurations written as code, which fnaudit does
// not run: it asks for the packaged state instead.
var codeConfigNames = []string{"serverless.ts", "serverless.js", "serverless.cjs", "serverless.mjs"}

// Loader reads Serverless Framework applications. Its zero value is ready
// to use.
type Loader struct{}

var _ bundle.Loader = Loader{}

// New returns the Serverless Framework loader.
func New() bundle.Loader { return Loader{} }

// Kind is [bundle.KindServerless].
func (Loader) Kind() bundle.Kind { return bundle.KindServerless }

// Detect accepts a serverless-state.json, serverless.yml, serverless.yaml,
// serverless.json (or serverless.ts/.js, which Load refuses with advice),
// or a folder holding .serverless/serverless-state.json (preferred: it is
// what was packaged) or one of those configuration files. A .serverless
// folder given itself is accepted too.
func (Loader) Detect(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		base := filepath.Base(path)
		ok := base == stateFile || slices.Contains(configNames, base) || slices.Contains(codeConfigNames, base)
		return path, ok
	}
	candidates := []string{filepath.Join(packagedDir, stateFile), stateFile}
	candidates = append(candidates, configNames...)
	candidates = append(candidates, codeConfigNames...)
	for _, c := range candidates {
		p := filepath.Join(path, c)
		if isFile(p) {
			return p, true
		}
	}
	return "", false
}

// isFile says whether path is a regular file (following symlinks).
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// Load reads a Serverless application from its packaged state or its
// configuration file. See the package documentation for what is read.
func (Loader) Load(ctx context.Context, manifest string) (*bundle.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if slices.Contains(codeConfigNames, filepath.Base(manifest)) {
		return nil, fmt.Errorf("%s: a configuration written as code cannot be read without running it: "+
			"run `serverless package` and scan the folder holding %s", manifest, filepath.Join(packagedDir, stateFile))
	}
	data, err := readManifest(manifest)
	if err != nil {
		return nil, err
	}
	return load(ctx, manifest, data)
}

// load reads a manifest already in memory.
func load(ctx context.Context, manifest string, data []byte) (*bundle.Application, error) {
	var s *service
	var err error
	if filepath.Base(manifest) == stateFile {
		s, err = stateService(manifest, data)
	} else {
		s, err = configService(manifest, data)
	}
	if err != nil {
		return nil, err
	}
	return s.application(ctx)
}

// application builds the Application from a service.
func (s *service) application(ctx context.Context) (*bundle.Application, error) {
	app := &bundle.Application{Name: s.name, Kind: bundle.KindServerless, Manifest: s.manifest}
	if app.Name == "" {
		app.Name = folderName(s.appDir)
	}
	entries, err := s.functionEntries()
	if err != nil {
		return nil, err
	}
	s.scanWebsockets(entries)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		app.Functions = append(app.Functions, s.function(e))
	}
	slices.SortStableFunc(app.Functions, func(a, b *bundle.Function) int { return strings.Compare(a.Name, b.Name) })
	app.Warnings = s.notes.result()
	return app, nil
}

// folderName names an application after its folder.
func folderName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(dir)
}
