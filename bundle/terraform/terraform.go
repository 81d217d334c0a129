package terraform

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// maxPlanSize is the largest plan file read.
const maxPlanSize = 64 << 20

// loader reads Terraform plan JSON.
type loader struct{}

var _ bundle.Loader = loader{}

// New returns the Terraform plan loader.
func New() bundle.Loader { return loader{} }

// Kind returns bundle.KindTerraform.
func (loader) Kind() bundle.Kind { return bundle.KindTerraform }

// Detect recognises a plan JSON file, a folder holding plan.json,
// tfplan.json or *.tfplan.json (the first that is a plan), or a saved binary
// plan (which Load then refuses with the command that converts it).
func (loader) Detect(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		return path, isPlanFile(path) || isBinaryPlan(path)
	}
	for _, c := range candidates(path) {
		if isPlanFile(c) {
			return c, true
		}
	}
	return "", false
}

// Load reads a plan: its functions, their code and layers, triggers and
// roles. See the package documentation.
func (loader) Load(ctx context.Context, manifest string) (*bundle.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := readPlan(manifest)
	if err != nil {
		return nil, err
	}
	return load(ctx, manifest, data, readModuleDirs(filepath.Dir(manifest)))
}

// load reads the plan data of manifest. moduleDirs are the module folders
// terraform init recorded, if any.
func load(ctx context.Context, manifest string, data []byte, moduleDirs map[string]string) (*bundle.Application, error) {
	doc, err := decodePlan(data)
	if err != nil {
		return nil, fmt.Errorf("reading terraform plan %s: %w", manifest, err)
	}
	if err := checkVersion(doc.root); err != nil {
		return nil, fmt.Errorf("reading terraform plan %s: %w", manifest, err)
	}
	dir := filepath.Dir(manifest)
	p, err := index(manifest, dir, doc)
	if err != nil {
		return nil, fmt.Errorf("reading terraform plan %s: %w", manifest, err)
	}
	p.moduleDirs = moduleDirs
	if err := p.build(ctx); err != nil {
		return nil, err
	}
	app := &bundle.Application{
		Name:     appName(dir),
		Kind:     bundle.KindTerraform,
		Manifest: manifest,
		Warnings: p.warnings,
	}
	for _, f := range p.fns {
		app.Functions = append(app.Functions, f.fn)
	}
	return app, nil
}

// readPlan reads a plan file, at most maxPlanSize bytes.
func readPlan(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, fmt.Errorf("reading terraform plan: %w", err)
	}
	defer f.Close()
	if isBinaryPlan(path) {
		return nil, fmt.Errorf("reading terraform plan %s: this is a saved binary plan; convert it with "+
			"`terraform show -json %s > plan.json` and scan plan.json", path, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading terraform plan %s: %w", path, err)
	}
	if len(data) > maxPlanSize {
		return nil, fmt.Errorf("reading terraform plan %s: larger than the %d MiB fnaudit reads", path, maxPlanSize>>20)
	}
	return toUTF8(data), nil
}

// checkVersion accepts the 0.x and 1.x JSON formats: a later major version
// may change the meaning of what is read here.
func checkVersion(root map[string]any) error {
	v, ok := root["format_version"].(string)
	if !ok {
		return fmt.Errorf("format_version is missing or not a string: not a plan from terraform show -json")
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "0" && major != "1" {
		return fmt.Errorf("format_version %q is not one fnaudit reads (0.x, 1.x)", v)
	}
	if _, ok := root["planned_values"]; !ok {
		if _, ok := root["configuration"]; !ok {
			return fmt.Errorf("no planned_values or configuration: not a plan (a state from terraform show -json has neither)")
		}
	}
	return nil
}

// appName names the application after the plan's folder.
func appName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(dir)
}

// build reads functions, then triggers, then permissions (which only add
// what the triggers do not say), then roles.
func (p *plan) build(ctx context.Context) error {
	if errored, _ := p.doc.root["errored"].(bool); errored {
		p.warn(nil, "the plan errored: it may be incomplete")
	}
	for _, r := range p.resources {
		if r.mode != "managed" {
			continue
		}
		switch r.typ {
		case "aws_lambda_function":
			p.register(p.awsFunction(r))
		case "google_cloudfunctions_function", "google_cloudfunctions2_function":
			p.register(p.gcpFunction(r))
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, r := range p.resources {
		if r.mode == "managed" {
			p.readTrigger(r)
		}
	}
	for _, f := range p.fns {
		if strings.HasPrefix(f.res.typ, "google_") {
			p.gcpTriggers(f)
		}
		f.from = map[string]bool{}
		for _, t := range f.fn.Triggers {
			f.from[t.Type] = true
		}
	}
	for _, r := range p.byType["aws_lambda_permission"] {
		if r.mode == "managed" {
			p.readPermission(r)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p.rateRoles()
	p.finish()
	return nil
}

// register adds a function to the indexes triggers are matched with.
func (p *plan) register(f *function) {
	p.fns = append(p.fns, f)
	p.fnByRes[f.res] = f
	p.fnByName[f.name] = append(p.fnByName[f.name], f)
	if f.arn != "" {
		p.fnByARN[f.arn] = append(p.fnByARN[f.arn], f)
	}
}

// rateRoles rates every function's role.
func (p *plan) rateRoles() {
	cache := map[string]bundle.Role{}
	for _, f := range p.fns {
		if strings.HasPrefix(f.res.typ, "google_") {
			f.fn.Role = p.gcpRole(f)
			continue
		}
		f.fn.Role = p.awsRole(f, cache)
	}
}

// finish makes function names unique (prefixing the module address, then
// using the resource address) and sorts functions and triggers.
func (p *plan) finish() {
	rename := func(newName func(*function) string) {
		count := map[string]int{}
		for _, f := range p.fns {
			count[f.fn.Name]++
		}
		for _, f := range p.fns {
			if count[f.fn.Name] > 1 {
				f.fn.Name = newName(f)
			}
		}
	}
	rename(func(f *function) string { return strings.TrimPrefix(f.res.module+"."+f.fn.Name, ".") })
	rename(func(f *function) string { return f.res.addr })
	sort.SliceStable(p.fns, func(i, j int) bool { return p.fns[i].fn.Name < p.fns[j].fn.Name })
	for _, f := range p.fns {
		sort.SliceStable(f.fn.Triggers, func(i, j int) bool {
			a, b := f.fn.Triggers[i], f.fn.Triggers[j]
			if a.Type != b.Type {
				return a.Type < b.Type
			}
			return a.Detail < b.Detail
		})
	}
}
