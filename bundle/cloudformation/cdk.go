package cloudformation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Bounds of a cloud assembly: nested assemblies (CDK stages) and nested
// stacks are followed this deep.
const (
	maxAssemblyDepth = 4
	maxNestedStacks  = 3
)

// cdkLoader reads AWS CDK cloud assemblies (`cdk synth` output).
type cdkLoader struct{}

var _ bundle.Loader = cdkLoader{}

// NewCDK returns the loader of AWS CDK cloud assemblies (cdk.out).
func NewCDK() bundle.Loader { return cdkLoader{} }

// Kind returns bundle.KindCDK.
func (cdkLoader) Kind() bundle.Kind { return bundle.KindCDK }

// Detect accepts a cloud assembly's manifest.json, a cdk.out folder, or a
// folder holding cdk.out/: a manifest.json listing artifacts of type
// aws:cloudformation:stack, or nested assemblies (cdk:cloud-assembly, the
// stages of an app).
func (cdkLoader) Detect(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		return path, looksLikeAssembly(path)
	}
	for _, p := range []string{filepath.Join(path, "manifest.json"), filepath.Join(path, "cdk.out", "manifest.json")} {
		if looksLikeAssembly(p) {
			return p, true
		}
	}
	return "", false
}

func looksLikeAssembly(p string) bool {
	head, ok := readHead(p, 4<<20)
	return ok && bytes.Contains(head, []byte(`"artifacts"`)) &&
		(bytes.Contains(head, []byte(`"aws:cloudformation:stack"`)) || bytes.Contains(head, []byte(`"cdk:cloud-assembly"`)))
}

// Load reads every stack of the assembly (and of nested assemblies and
// nested stacks) and merges their functions into one application.
func (cdkLoader) Load(ctx context.Context, manifest string) (*bundle.Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &warnings{}
	stacks, err := readAssembly(manifest, 0)
	if err != nil {
		return nil, err
	}
	asmDir := filepath.Dir(manifest)
	project := filepath.Dir(asmDir)
	images := newImageIndex(project, w)
	var all []cdkFunction
	for _, st := range stacks {
		fns, err := loadCDKStack(ctx, st, images, w, 0)
		if err != nil {
			return nil, err
		}
		all = append(all, fns...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name := folderName(project)
	if len(stacks) == 1 {
		name = stacks[0].name
	}
	out := disambiguate(all)
	sortFunctions(out)
	return &bundle.Application{Name: name, Kind: bundle.KindCDK, Manifest: manifest, Functions: out, Warnings: w.result()}, nil
}

// cdkStack is a stack artifact of an assembly.
type cdkStack struct {
	name     string
	template string // path, joined onto the assembly's folder
	assets   *cdkAssets
	params   map[string]*node // nested stacks: parameters given by the parent
}

// cdkFunction is a function with the stack it came from.
type cdkFunction struct {
	stack, id string
	fn        *bundle.Function
}

// cdkManifest is the part of a cloud assembly manifest.json fnaudit reads
// (schema: @aws-cdk/cloud-assembly-schema, AssemblyManifest).
type cdkManifest struct {
	Artifacts map[string]struct {
		Type       string `json:"type"`
		Properties struct {
			TemplateFile  string `json:"templateFile"`
			StackName     string `json:"stackName"`
			File          string `json:"file"`
			DirectoryName string `json:"directoryName"`
		} `json:"properties"`
		Metadata map[string][]cdkMetadataEntry `json:"metadata"`
	} `json:"artifacts"`
}

// cdkMetadataEntry is one metadata entry of a manifest artifact.
type cdkMetadataEntry struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// readAssembly reads a manifest.json: its stacks, in artifact id order,
// and those of nested assemblies (stages).
func readAssembly(manifest string, depth int) ([]cdkStack, error) {
	var m cdkManifest
	if err := readJSON(manifest, &m); err != nil {
		return nil, err
	}
	dir := filepath.Dir(manifest)
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	assets := &cdkAssets{dir: dir, files: map[string]string{}, paths: map[string]string{}}
	var stacks []cdkStack
	for _, id := range ids {
		a := m.Artifacts[id]
		switch a.Type {
		case "cdk:asset-manifest":
			if err := assets.read(filepath.Join(dir, a.Properties.File)); err != nil {
				return nil, err
			}
		case "cdk:cloud-assembly":
			if depth >= maxAssemblyDepth || a.Properties.DirectoryName == "" {
				continue
			}
			nested, err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName, "manifest.json"), depth+1)
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, nested...)
		case "aws:cloudformation:stack":
			name := a.Properties.StackName
			if name == "" {
				name = id
			}
			stacks = append(stacks, cdkStack{name: name, template: filepath.Join(dir, a.Properties.TemplateFile), assets: assets})
			assets.indexPaths(name, a.Metadata)
		}
	}
	return stacks, nil
}

// readJSON decodes a JSON file of at most maxTemplateBytes; a syntax or
// type error names the line.
func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateBytes+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxTemplateBytes {
		return &ParseError{File: path, Msg: fmt.Sprintf("larger than %d MiB", maxTemplateBytes>>20), Err: ErrTooLarge}
	}
	if err := json.Unmarshal(data, v); err != nil {
		var off int64
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		line := 0
		if off > 0 && off <= int64(len(data)) {
			line = bytes.Count(data[:off], []byte("\n")) + 1
		}
		return &ParseError{File: path, Line: line, Msg: "parsing json: " + strings.TrimPrefix(err.Error(), "json: "), Err: err}
	}
	return nil
}

// loadCDKStack reads one stack template, and the nested stacks whose
// templates CDK wrote into the assembly.
func loadCDKStack(ctx context.Context, st cdkStack, images *imageIndex, w *warnings, depth int) ([]cdkFunction, error) {
	root, err := readTemplateFile(st.template, w)
	if err != nil {
		return nil, err
	}
	s, err := newStack(st.template, root, w)
	if err != nil {
		return nil, err
	}
	s.name, s.paramValues = st.name, st.params
	b := newBuilder(ctx, s, images)
	b.assets = st.assets
	b.build()
	var out []cdkFunction
	for _, e := range b.order {
		out = append(out, cdkFunction{stack: st.name, id: e.res.id, fn: e.fn})
	}
	for _, r := range s.order {
		if r.typ != typeNestedStack || depth >= maxNestedStacks {
			continue
		}
		nested, ok := b.nestedStack(r, st)
		if !ok {
			continue
		}
		fns, err := loadCDKStack(ctx, nested, images, w, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, fns...)
	}
	return out, nil
}

// nestedStack returns the nested stack a CDK AWS::CloudFormation::Stack
// resource deploys, when its template is in the assembly.
func (b *builder) nestedStack(r *resource, parent cdkStack) (cdkStack, bool) {
	p := b.str(r.meta.get("aws:asset:path"))
	if p == "" || !strings.HasSuffix(p, ".json") {
		b.s.warnf(r.line, "nested stack %s has no template in the assembly: not read", r.id)
		return cdkStack{}, false
	}
	params := map[string]*node{}
	if given := b.s.ev.eval(r.props.get("Parameters")); given != nil {
		for _, f := range given.fields {
			if f.val.kind == kindString {
				params[f.key] = f.val
			}
		}
	}
	return cdkStack{name: b.assets.name(b, r), template: b.assets.join(p), assets: parent.assets, params: params}, true
}

// disambiguate names functions uniquely: a name two functions of one stack
// share falls back to their logical ids, and a name two stacks share is
// prefixed with the stack name ("ApiStack/Handler").
func disambiguate(all []cdkFunction) []*bundle.Function {
	count := func(key func(cdkFunction) string) map[string]int {
		n := map[string]int{}
		for _, f := range all {
			n[key(f)]++
		}
		return n
	}
	inStack := count(func(f cdkFunction) string { return f.stack + "\x00" + f.fn.Name })
	for _, f := range all {
		if inStack[f.stack+"\x00"+f.fn.Name] > 1 {
			f.fn.Name = f.id
		}
	}
	stacksOf := map[string]map[string]bool{}
	for _, f := range all {
		if stacksOf[f.fn.Name] == nil {
			stacksOf[f.fn.Name] = map[string]bool{}
		}
		stacksOf[f.fn.Name][f.stack] = true
	}
	out := make([]*bundle.Function, 0, len(all))
	for _, f := range all {
		if len(stacksOf[f.fn.Name]) > 1 {
			f.fn.Name = f.stack + "/" + f.fn.Name
		}
		for i := range f.fn.Artifacts {
			if f.fn.Artifacts[i].Role != bundle.RoleLayer {
				f.fn.Artifacts[i].Name = f.fn.Name
			}
		}
		out = append(out, f.fn)
	}
	return out
}

// cdkAssets resolves CDK asset metadata against one assembly.
type cdkAssets struct {
	dir string
	// files maps an asset hash, and its S3 object key, to its path
	// relative to the assembly.
	files map[string]string
	// paths maps stack + "\x00" + logical id to the construct path, from
	// the manifest's aws:cdk:logicalId metadata.
	paths map[string]string
}

// read indexes an asset manifest (*.assets.json): files.<hash>.source.path
// by hash and by destination object key.
func (a *cdkAssets) read(path string) error {
	var m struct {
		Files map[string]struct {
			Source struct {
				Path string `json:"path"`
			} `json:"source"`
			Destinations map[string]struct {
				ObjectKey string `json:"objectKey"`
			} `json:"destinations"`
		} `json:"files"`
	}
	if err := readJSON(path, &m); err != nil {
		return err
	}
	for hash, f := range m.Files {
		if f.Source.Path == "" {
			continue
		}
		a.files[hash] = f.Source.Path
		for _, d := range f.Destinations {
			if d.ObjectKey != "" {
				a.files[d.ObjectKey] = f.Source.Path
			}
		}
	}
	return nil
}

// indexPaths records the construct paths of a stack's logical ids from
// its manifest metadata (used when templates carry no aws:cdk:path).
func (a *cdkAssets) indexPaths(stack string, metadata map[string][]cdkMetadataEntry) {
	for path, entries := range metadata {
		for _, e := range entries {
			var logical string
			if e.Type == "aws:cdk:logicalId" && json.Unmarshal(e.Data, &logical) == nil {
				a.paths[stack+"\x00"+logical] = strings.TrimPrefix(path, "/")
			}
		}
	}
}

// join resolves a path of the assembly.
func (a *cdkAssets) join(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.dir, filepath.FromSlash(p))
}

var assetHashRe = regexp.MustCompile(`[0-9a-f]{64}`)

// artifact returns the artifact of a function or layer from its
// aws:asset:path metadata, else from its S3 key's asset hash. A Docker
// image asset is built at deploy time: it is found only when an archive
// of the image cdk-assets builds (tagged cdkasset-<hash>) is near the app.
func (a *cdkAssets) artifact(b *builder, r *resource, role bundle.ArtifactRole, name string) (bundle.Artifact, bool) {
	if a == nil {
		return bundle.Artifact{}, false
	}
	p := b.str(r.meta.get("aws:asset:path"))
	if p == "" {
		prop := "Code"
		if r.typ == typeLambdaLayer {
			prop = "Content"
		}
		key := display(b.s.ev.eval(r.props.get(prop).get("S3Key")))
		if f, ok := a.files[key]; ok {
			p = f
		} else if h := assetHashRe.FindString(key); h != "" && a.files[h] != "" {
			p = a.files[h]
		}
	}
	if p == "" {
		return bundle.Artifact{}, false
	}
	if role == bundle.RoleImage || r.meta.get("aws:asset:dockerfile-path") != nil {
		hash := strings.TrimPrefix(filepath.Base(p), "asset.")
		if found, ref := b.images.find(b.ctx, []string{"cdkasset-" + hash}); found != "" {
			return bundle.Artifact{Role: bundle.RoleImage, Name: name, Path: found, Ref: ref, Mount: mount(bundle.RoleImage)}, true
		}
		return problem(bundle.RoleImage, name, "image is built at deploy time from the Docker context %s: build it "+
			"(`docker build -t cdkasset-%s %s`), save it next to the app (`docker save cdkasset-%s -o %s.tar`) and audit again",
			a.join(p), hash, a.join(p), hash, name), true
	}
	return bundle.Artifact{Role: role, Name: name, Path: a.join(p), Mount: mount(role)}, true
}

// name is a CDK function's name: FunctionName when a literal, else the id
// of its construct (the aws:cdk:path segment before "Resource"), else the
// logical id.
func (a *cdkAssets) name(b *builder, r *resource) string {
	if n := r.props.get("FunctionName"); n != nil && n.kind == kindString && n.str != "" {
		return n.str
	}
	p := b.str(r.meta.get("aws:cdk:path"))
	if p == "" {
		p = a.paths[b.s.name+"\x00"+r.id]
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) > 0 && segs[len(segs)-1] == "Resource" {
		segs = segs[:len(segs)-1]
	}
	if len(segs) > 1 && segs[len(segs)-1] != "" {
		return strings.TrimSuffix(segs[len(segs)-1], ".NestedStackResource")
	}
	return r.id
}
