package serverless

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
)

// stateService reads .serverless/serverless-state.json, which `serverless
// package` writes: {"service": {service, provider, functions, layers,
// resources, ...}, "package": {individually, artifact, ...}}, every
// variable already resolved, objects met twice written as json-cycle
// {"$ref": "$[...]"}.
func stateService(manifest string, data []byte) (*service, error) {
	root, err := parseDocument(manifest, data, true)
	if err != nil {
		return nil, err
	}
	s := &service{manifest: manifest, state: true, packDir: filepath.Dir(manifest), roles: map[string]bundle.Role{}}
	s.appDir = filepath.Dir(s.packDir)
	s.t = &tree{file: manifest, root: root, refs: true}
	s.t.circular = func(l int, what string) {
		s.notes.add(bundle.Location{File: manifest, Line: l}, "circular reference through %s: left unread", what)
	}
	k, svc := s.t.entry(root, "service")
	if !s.t.isMap(svc) {
		return nil, fmt.Errorf("%s:%d: no \"service\" object: not a serverless-state.json written by `serverless package`",
			manifest, max(line(k), 1))
	}
	s.readService(svc)
	if s.name == "" {
		s.name = s.t.text(s.t.get(svc, "serviceObject", "name"))
	}
	_, s.functions = s.t.entry(svc, "functions")
	s.pkg = s.t.get(root, "package")
	if s.pkg == nil {
		s.pkg = s.t.get(svc, "package")
	}
	s.resources = s.userResources(s.t.get(svc, "resources"))
	s.compiled = s.compiledStack()
	s.ciRoot = ciRootOf(s.artifactSettings())
	s.lines = s.siblingConfig(s.t.text(s.t.get(svc, "serviceFilename")))
	return s, nil
}

// compiledStack is the compiled CloudFormation template: embedded in the
// state as provider.compiledCloudFormationTemplate, else the
// cloudformation-template-update-stack.json beside it.
func (s *service) compiledStack() *stack {
	if res := s.t.get(s.provider, "compiledCloudFormationTemplate", "Resources"); res != nil {
		return newStack("compiled", s.t, res)
	}
	p := filepath.Join(s.packDir, compiledFile)
	if !isFile(p) {
		return nil
	}
	root, err := readTree(p)
	if err != nil {
		s.notes.add(bundle.Location{File: p}, "not read: %v", err)
		return nil
	}
	return newStack("compiled", root, root.get(root.root, "Resources"))
}

// readTree reads and parses another file of the service (no variables).
func readTree(p string) (*tree, error) {
	data, err := readManifest(p)
	if err != nil {
		return nil, err
	}
	root, err := parseDocument(p, data, strings.HasSuffix(p, ".json"))
	if err != nil {
		return nil, err
	}
	return &tree{file: p, root: root}, nil
}

// artifactSettings lists the package.artifact values of the state.
func (s *service) artifactSettings() []string {
	var out []string
	add := func(n *yaml.Node) {
		if v := s.t.text(s.t.get(n, "package", "artifact")); v != "" {
			out = append(out, v)
		}
	}
	fns, _ := s.functionEntries()
	for _, e := range fns {
		add(e.body)
	}
	for _, p := range s.t.pairs(s.layers) {
		add(p.v)
	}
	if v := s.t.text(s.t.get(s.pkg, "artifact")); v != "" {
		out = append(out, v)
	}
	return out
}

// configLines finds functions in the configuration file beside a state
// file, so that a function's Source points at what a developer edits.
type configLines struct {
	t *tree
}

// siblingConfig reads the configuration the state was packaged from
// (serviceFilename, else serverless.yml / .yaml / .json) for its line
// numbers. Without one, locations point into the state file.
func (s *service) siblingConfig(serviceFilename string) *configLines {
	names := configNames
	if base := filepath.Base(serviceFilename); slices.Contains(configNames, base) {
		names = []string{base}
	}
	for _, name := range names {
		p := filepath.Join(s.appDir, name)
		if !isFile(p) {
			continue
		}
		t, err := readTree(p)
		if err != nil {
			s.notes.add(bundle.Location{File: s.manifest}, "locations point into the state file: %v", err)
			return nil
		}
		return &configLines{t: t}
	}
	return nil
}

// definition finds a function's key and body in the configuration.
func (c *configLines) definition(name string) (k, body *yaml.Node) {
	_, fns := c.t.entry(c.t.root, "functions")
	if c.t.isSeq(fns) {
		for _, item := range c.t.items(fns) {
			if k, body = c.t.entry(item, name); k != nil {
				return k, body
			}
		}
		return nil, nil
	}
	return c.t.entry(fns, name)
}

// function is where a function is defined.
func (c *configLines) function(name string) (bundle.Location, bool) {
	k, _ := c.definition(name)
	if k == nil {
		return bundle.Location{}, false
	}
	return bundle.Location{File: c.t.file, Line: k.Line}, true
}

// event is where the i-th of a function's n events is, when the
// configuration lists n events for it (else the two differ and the
// state's own lines are used).
func (c *configLines) event(name string, i, n int) (bundle.Location, bool) {
	_, body := c.definition(name)
	items := c.t.items(c.t.get(body, "events"))
	if len(items) != n || i >= n {
		return bundle.Location{}, false
	}
	return bundle.Location{File: c.t.file, Line: items[i].Line}, true
}

// key is where a key of a function's definition is (url, events).
func (c *configLines) key(name, key string) (bundle.Location, bool) {
	_, body := c.definition(name)
	k, _ := c.t.entry(body, key)
	if k == nil {
		return bundle.Location{}, false
	}
	return bundle.Location{File: c.t.file, Line: k.Line}, true
}
