package serverless

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
)

// service is one Serverless service being read, from its configuration
// (serverless.yml) or its packaged state (serverless-state.json): both
// hold the same service object, the state with every variable resolved.
type service struct {
	t        *tree
	manifest string // as given
	state    bool   // read from serverless-state.json
	appDir   string // the service folder, onto which relative paths are joined
	packDir  string // the .serverless folder `serverless package` writes

	name      string
	provider  *yaml.Node
	functions *yaml.Node // raw: a mapping, or a list of mappings
	layers    *yaml.Node
	pkg       *yaml.Node   // service-level package settings
	custom    *yaml.Node   // for plugin settings
	resources *stack       // resources.Resources
	compiled  *stack       // state: the compiled CloudFormation template (nil without)
	lines     *configLines // state: where functions are in serverless.yml
	ciRoot    string       // state: the service folder on the machine that packaged it

	ws        websocketAuth          // how the service's WebSocket API authenticates
	roles     map[string]bundle.Role // roles already rated, by stack and logical id
	ownLayers layerIndex             // the layers section, indexed when first needed
	notes     notes
}

// fnEntry is one function definition.
type fnEntry struct {
	name string
	key  *yaml.Node // the key line is the function's line
	body *yaml.Node // raw value
}

// maxWarnings bounds the warnings kept for one application.
const maxWarnings = 500

// notes collects the application's warnings, each naming file and line.
type notes struct {
	list    []string
	seen    map[string]bool
	dropped int
}

// result is the warnings, with a last one counting those left out.
func (n *notes) result() []string {
	if n.dropped == 0 {
		return n.list
	}
	return append(n.list, fmt.Sprintf("%d further warnings left out", n.dropped))
}

func (n *notes) add(loc bundle.Location, format string, args ...any) {
	if len(n.list) >= maxWarnings {
		n.dropped++
		return
	}
	msg := fmt.Sprintf(format, args...)
	if loc.Line > 0 {
		msg = fmt.Sprintf("%s:%d: %s", loc.File, loc.Line, msg)
	} else {
		msg = loc.File + ": " + msg
	}
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if !n.seen[msg] {
		n.seen[msg] = true
		n.list = append(n.list, msg)
	}
}

// at is a location in the manifest being read.
func (s *service) at(n *yaml.Node) bundle.Location {
	return bundle.Location{File: s.manifest, Line: line(n)}
}

// configService reads serverless.yml / .yaml / .json.
func configService(manifest string, data []byte) (*service, error) {
	root, err := parseDocument(manifest, data, strings.HasSuffix(manifest, ".json"))
	if err != nil {
		return nil, err
	}
	s := &service{manifest: manifest, appDir: filepath.Dir(manifest), roles: map[string]bundle.Role{}}
	s.packDir = filepath.Join(s.appDir, packagedDir)
	s.t = &tree{file: manifest, root: root}
	s.t.vars = newResolver(s.t)
	s.t.circular = func(l int, what string) {
		s.notes.add(bundle.Location{File: manifest, Line: l}, "circular reference through %s: left unresolved", what)
	}
	s.readService(root)
	s.checkSections(root)
	_, s.functions = s.t.entry(root, "functions")
	s.pkg = s.t.get(root, "package")
	s.resources = s.userResources(s.t.get(root, "resources"))
	return s, nil
}

// readService reads what the configuration and the state share: the
// service name, provider, layers and custom sections.
func (s *service) readService(root *yaml.Node) {
	k, v := s.t.entry(root, "service")
	s.name = s.serviceName(k, v)
	s.provider = s.t.get(root, "provider")
	s.layers = s.t.get(root, "layers")
	s.custom = s.t.get(root, "custom")
	if name, unres := s.t.str(s.t.get(s.provider, "name")); name != "" && unres == "" && name != "aws" {
		s.notes.add(s.at(s.t.get(s.provider, "name")), "provider %q: fnaudit reads the AWS provider's events and roles; "+
			"triggers and roles of this service may be wrong", name)
	}
}

// serviceName reads `service: name` or the v1 form `service: {name: x}`.
func (s *service) serviceName(k, v *yaml.Node) string {
	n := s.t.deref(v)
	if s.t.isMap(n) {
		n = s.t.get(n, "name")
	}
	name, unres := s.t.str(n)
	switch {
	case unres != "":
		s.notes.add(s.at(k), "service name %s is unresolved: the application is named after its folder", unres)
		return ""
	case name == "" && k != nil:
		s.notes.add(s.at(k), "service is %s, not a name: the application is named after its folder", s.t.kindName(v))
	}
	return name
}

// checkSections warns about top-level sections of the wrong type, which
// are then ignored.
func (s *service) checkSections(root *yaml.Node) {
	for _, key := range []string{"provider", "custom", "layers", "package", "resources"} {
		k, v := s.t.entry(root, key)
		d := s.t.deref(v)
		if d == nil || d.Kind == yaml.MappingNode || (d.Kind == yaml.ScalarNode && d.Tag == "!!null") ||
			(key == "resources" && d.Kind == yaml.SequenceNode) {
			continue
		}
		what := s.t.kindName(v)
		if _, unres := s.t.str(v); unres != "" {
			what = unres
		}
		s.notes.add(s.at(k), "%s is %s, not a mapping: ignored", key, what)
	}
}

// functionEntries lists the function definitions: `functions` is a
// mapping, or (to split a configuration over files) a list of mappings.
func (s *service) functionEntries() ([]fnEntry, error) {
	fns := s.t.deref(s.functions)
	if fns == nil {
		return nil, nil
	}
	switch fns.Kind {
	case yaml.MappingNode:
		return s.entriesOf(fns), nil
	case yaml.SequenceNode:
		var out []fnEntry
		for _, item := range fns.Content {
			if s.t.isMap(item) {
				out = append(out, s.entriesOf(item)...)
				continue
			}
			s.notes.add(s.at(item), "functions from %s are not read (fnaudit resolves self:, sls: and defaults only): "+
				"run `serverless package` and scan the folder holding .serverless/", s.t.describe(item))
		}
		return out, nil
	}
	if _, unres := s.t.str(fns); unres != "" {
		return nil, fmt.Errorf("%s:%d: functions come from %s, which fnaudit does not read: "+
			"run `serverless package` and scan the folder holding .serverless/serverless-state.json", s.manifest, line(s.functions), unres)
	}
	return nil, fmt.Errorf("%s:%d: functions is %s, not a mapping of function names to definitions",
		s.manifest, line(s.functions), s.t.kindName(fns))
}

func (s *service) entriesOf(m *yaml.Node) []fnEntry {
	var out []fnEntry
	for _, p := range s.t.pairs(m) {
		out = append(out, fnEntry{name: p.key, key: p.k, body: p.v})
	}
	return out
}

// function reads one function.
func (s *service) function(e fnEntry) *bundle.Function {
	fn := &bundle.Function{Name: e.name, Source: s.functionSource(e), PackageType: "zip"}
	body := s.t.deref(e.body)
	if body == nil || body.Kind != yaml.MappingNode {
		s.undefinedFunction(fn, e)
		return fn
	}
	if image := s.t.get(body, "image"); image != nil {
		fn.PackageType = "image"
		fn.Artifacts = []bundle.Artifact{s.imageArtifact(e.name, image)}
	} else {
		fn.Runtime = s.setting(body, "runtime")
		fn.Handler, _ = s.t.str(s.t.get(body, "handler"))
		fn.Artifacts = append([]bundle.Artifact{s.codeArtifact(e.name, body)}, s.layerArtifacts(e, body)...)
		if fn.Handler == "" {
			s.notes.add(s.at(e.key), "function %s has neither handler nor image", e.name)
		}
	}
	fn.Triggers = s.triggers(e, body)
	fn.Role = s.role(e, body)
	return fn
}

// undefinedFunction fills a function whose definition cannot be read (a
// ${file(...)} variable, a string): its code is where `serverless package`
// would put it, how it is invoked is unknown.
func (s *service) undefinedFunction(fn *bundle.Function, e fnEntry) {
	what := s.t.kindName(e.body)
	if _, unres := s.t.str(e.body); unres != "" {
		what = unres
	}
	loc := s.at(e.key)
	s.notes.add(loc, "function %s is defined by %s, which fnaudit does not read: its triggers and role are unknown", e.name, what)
	fn.Artifacts = []bundle.Artifact{s.codeArtifact(e.name, nil)}
	fn.Triggers = []bundle.Trigger{{Type: "unknown", Detail: "definition " + what, Auth: authUnresolved,
		Exposure: bundle.ExposureUnknown, Source: fn.Source}}
	fn.Role = bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{"function definition " + what + " is not read"}}
}

// setting is a function setting with the provider's as default
// (runtime, ...).
func (s *service) setting(body *yaml.Node, key string) string {
	if v, _ := s.t.str(s.t.get(body, key)); v != "" {
		return v
	}
	v, _ := s.t.str(s.t.get(s.provider, key))
	return v
}

// functionSource is where a function is defined: its key in serverless.yml
// (for the state, in the serverless.yml beside it when there is one).
func (s *service) functionSource(e fnEntry) bundle.Location {
	if s.lines != nil {
		if loc, ok := s.lines.function(e.name); ok {
			return loc
		}
	}
	return s.at(e.key)
}

// normalizedName is the framework's getNormalizedFunctionName: the name
// with "-" spelled Dash, "_" spelled Underscore and the first letter
// upper-cased, the stem of logical ids (createOrder → CreateOrderLambdaFunction).
func normalizedName(name string) string {
	name = strings.ReplaceAll(name, "-", "Dash")
	name = strings.ReplaceAll(name, "_", "Underscore")
	r, size := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return name
	}
	return string(unicode.ToUpper(r)) + name[size:]
}
