package cloudformation

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// samLoader reads AWS SAM and plain CloudFormation templates.
type samLoader struct{}

var _ bundle.Loader = samLoader{}

// New returns the loader of AWS SAM and CloudFormation templates. Its Kind
// is [bundle.KindSAM]; an application read from a template without the SAM
// transform has Kind [bundle.KindCloudFormation].
func New() bundle.Loader { return samLoader{} }

// Kind returns bundle.KindSAM.
func (samLoader) Kind() bundle.Kind { return bundle.KindSAM }

// Detect accepts a template file recognised by its content, or a directory
// holding .aws-sam/build/template.yaml, template.{yaml,yml,json} or a
// packaged template.
func (samLoader) Detect(path string) (string, bool) {
	return detectTemplate(path)
}

// Load reads a SAM or CloudFormation template.
func (samLoader) Load(ctx context.Context, manifest string) (*bundle.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &warnings{}
	root, err := readTemplateFile(manifest, w)
	if err != nil {
		return nil, err
	}
	s, err := newStack(manifest, root, w)
	if err != nil {
		return nil, err
	}
	project := projectDir(manifest)
	b := newBuilder(ctx, s, newImageIndex(project, w))
	if hasAssetMetadata(s) {
		// A template of a CDK cloud assembly, given on its own: its assets
		// are next to it.
		b.assets = &cdkAssets{dir: s.dir, files: map[string]string{}, paths: map[string]string{}}
	}
	fns := b.build()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kind := bundle.KindCloudFormation
	if s.isSAM() {
		kind = bundle.KindSAM
	}
	sortFunctions(fns)
	return &bundle.Application{
		Name:      appName(project),
		Kind:      kind,
		Manifest:  manifest,
		Functions: fns,
		Warnings:  w.result(),
	}, nil
}

// hasAssetMetadata says whether a template was synthesized by the CDK
// (its functions or layers carry aws:asset:path metadata).
func hasAssetMetadata(s *stack) bool {
	return slices.ContainsFunc(s.order, func(r *resource) bool {
		return (isFunctionType(r.typ) || r.typ == typeLambdaLayer) && r.meta.get("aws:asset:path") != nil
	})
}

// projectDir is the folder of the application a template belongs to: the
// template's folder, or for `sam build` output (.aws-sam/build/template.yaml)
// the folder holding .aws-sam.
func projectDir(manifest string) string {
	dir := filepath.Dir(manifest)
	if filepath.Base(dir) == "build" && filepath.Base(filepath.Dir(dir)) == ".aws-sam" {
		return filepath.Dir(filepath.Dir(dir))
	}
	return dir
}

var stackNameRe = regexp.MustCompile(`(?m)^\s*stack_name\s*=\s*"([^"]+)"`)

// appName is the stack name of samconfig.toml's first environment when
// there is one (`sam deploy` reads it from there), else the project
// folder's name.
func appName(project string) string {
	if head, ok := readHead(filepath.Join(project, "samconfig.toml"), 1<<20); ok {
		if m := stackNameRe.FindSubmatch(head); m != nil {
			return string(m[1])
		}
	}
	return folderName(project)
}

// folderName is the name of a folder, made absolute first so that "." has one.
func folderName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(dir)
}

func sortFunctions(fns []*bundle.Function) {
	slices.SortStableFunc(fns, func(a, b *bundle.Function) int { return strings.Compare(a.Name, b.Name) })
}

// fnEntry is a function being built, with what linking needs.
type fnEntry struct {
	res *resource
	fn  *bundle.Function
	// literalName is Properties.FunctionName when written as a literal.
	literalName string
	// types are the types of the function's triggers so far.
	types map[string]bool
}

// addTrigger gives the function a trigger.
func (e *fnEntry) addTrigger(t bundle.Trigger) {
	e.fn.Triggers = append(e.fn.Triggers, t)
	e.types[t.Type] = true
}

// hasTrigger says whether the function has a trigger of one of types.
func (e *fnEntry) hasTrigger(types ...string) bool {
	return slices.ContainsFunc(types, func(t string) bool { return e.types[t] })
}

// builder turns one stack into functions.
type builder struct {
	ctx    context.Context
	s      *stack
	fns    map[string]*fnEntry
	order  []*fnEntry
	images *imageIndex
	// assets resolves CDK asset metadata; nil for SAM/CloudFormation.
	assets *cdkAssets
	// attached maps an IAM role's logical id to the policy resources
	// attached to it (AWS::IAM::Policy, ManagedPolicy, RolePolicy).
	attached map[string][]*resource
	// roleNames maps a literal RoleName to the roles bearing it.
	roleNames map[string][]string
	// byName maps a function's literal FunctionName (else its logical id)
	// to it, once all functions are read.
	byName map[string]*fnEntry
	// Memoized per builder: Globals sections, SAM APIs with their
	// Globals, rated roles, and the listeners forwarding to each target
	// group.
	globals   map[string]*node
	apis      map[string]*node
	roles     map[string]bundle.Role
	listeners map[string][]listenerHit
}

func newBuilder(ctx context.Context, s *stack, images *imageIndex) *builder {
	return &builder{ctx: ctx, s: s, fns: map[string]*fnEntry{}, images: images,
		globals: map[string]*node{}, apis: map[string]*node{}, roles: map[string]bundle.Role{}}
}

// build reads the stack's functions, then the resources that make
// triggers for them, in template order.
func (b *builder) build() []*bundle.Function {
	b.indexAttachments()
	for _, r := range b.s.order {
		if b.ctx.Err() != nil {
			return nil
		}
		switch r.typ {
		case typeSAMFunction:
			b.add(r, b.samFunction(r))
		case typeLambdaFunction:
			b.add(r, b.lambdaFunction(r))
		case typeSAMApplication:
			b.s.warnf(r.line, "nested application %s is not read: audit its template separately", r.id)
		case typeNestedStack:
			if b.assets == nil {
				b.s.warnf(r.line, "nested stack %s is not read: audit its template separately", r.id)
			}
		}
	}
	b.linkTriggers()
	out := make([]*bundle.Function, 0, len(b.order))
	for _, e := range b.order {
		out = append(out, e.fn)
	}
	return out
}

func (b *builder) add(r *resource, fn *bundle.Function) {
	e := &fnEntry{res: r, fn: fn, types: map[string]bool{}}
	if n := r.props.get("FunctionName"); n != nil && n.kind == kindString {
		e.literalName = n.str
	}
	for _, t := range fn.Triggers {
		e.types[t.Type] = true
	}
	b.fns[r.id] = e
	b.order = append(b.order, e)
}

// loc locates a line of the stack's template.
func (b *builder) loc(line int) bundle.Location {
	return bundle.Location{File: b.s.file, Line: line}
}

// str evaluates a property to a string, "" when absent or unresolved.
func (b *builder) str(n *node) string {
	s, _ := b.s.ev.scalar(n)
	return s
}

// boolProp evaluates a boolean property: 1 true, 0 false, -1 absent or unresolved.
func (b *builder) boolProp(n *node) int {
	s, ok := b.s.ev.scalar(n)
	if !ok {
		return -1
	}
	switch strings.ToLower(s) {
	case "true":
		return 1
	case "false":
		return 0
	}
	return -1
}

// runtimeHandler sets Runtime and Handler from evaluated properties.
func (b *builder) runtimeHandler(fn *bundle.Function, props *node) {
	for _, p := range []struct {
		key string
		dst *string
	}{{"Runtime", &fn.Runtime}, {"Handler", &fn.Handler}} {
		n := props.get(p.key)
		if n == nil {
			continue
		}
		v := b.s.ev.eval(n)
		if v.kind == kindString {
			*p.dst = v.str
			continue
		}
		b.s.warnf(props.keyLine(p.key), "%s of %s is unresolved (%s)", p.key, fn.Name, reason(v))
	}
}

// packageType reads PackageType: "image" or "zip".
func (b *builder) packageType(props *node) string {
	if strings.EqualFold(b.str(props.get("PackageType")), "Image") {
		return "image"
	}
	if props.get("PackageType") == nil && props.get("ImageUri") != nil {
		return "image"
	}
	return "zip"
}

// warnUnresolved warns about an unresolved value that decides an
// artifact, an exposure or a role.
func (b *builder) warnUnresolved(line int, what string, v *node) {
	b.s.warnf(line, "%s is unresolved (%s)", what, reason(v))
}

// quote formats a name for messages.
func quote(s string) string { return fmt.Sprintf("%q", s) }
