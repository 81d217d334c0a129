package terraform

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// maxModules bounds the configuration modules read: a plan with more is
// hostile or generated, and the rest are ignored with a warning.
const maxModules = 10000

// plan is the indexed plan document.
type plan struct {
	file      string // the manifest path as given
	dir       string // its folder: the root module's folder
	doc       *document
	resources []*resource            // sorted by address
	byAddr    map[string]*resource   // instance address → resource
	byLocal   map[string][]*resource // module config address + " " + local address → instances
	byType    map[string][]*resource // resource type → instances, in address order
	root      *module
	modules   map[string]*module // config address → module
	// moduleDirs maps a module key (a.b) to its folder relative to the
	// root module, from .terraform/modules/modules.json when present.
	moduleDirs map[string]string
	warnings   []string
	warned     map[string]bool
	// attrs indexes resources by the string value of an attribute
	// (type + " " + attribute → value → resources), built on first use.
	attrs map[string]map[string][]*resource
	// methods indexes aws_api_gateway_method resources by methodKey.
	methods map[string]*resource
	// grants indexes the resources that give roles policies.
	grants *grantIndex
	// albIndex maps target groups to the listeners forwarding to them.
	albIndex map[*resource][]forwarder
	// invokerIndex maps GCP functions to the IAM resources granting roles
	// on them; saGrants maps service accounts (email: or ref:) to project
	// IAM resources naming them.
	invokerIndex map[*function][]*resource
	saGrants     map[string][]*resource
	// functions, indexed for matching triggers.
	fns      []*function
	fnByRes  map[*resource]*function
	fnByName map[string][]*function
	fnByARN  map[string][]*function
}

// withAttr returns the resources of a type whose attribute attr is v.
func (p *plan) withAttr(typ, attr, v string) []*resource {
	k := typ + " " + attr
	idx, ok := p.attrs[k]
	if !ok {
		idx = map[string][]*resource{}
		for _, r := range p.byType[typ] {
			if s, _ := r.get(attr); s != nil {
				if s, ok := s.(string); ok && s != "" {
					idx[s] = append(idx[s], r)
				}
			}
		}
		p.attrs[k] = idx
	}
	return idx[v]
}

// warn records a warning about a resource (nil for the whole plan).
func (p *plan) warn(r *resource, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	switch {
	case r == nil:
		msg = p.file + ": " + msg
	case r.line > 0:
		msg = fmt.Sprintf("%s:%d: %s: %s", p.file, r.line, r.addr, msg)
	default:
		msg = fmt.Sprintf("%s: %s: %s", p.file, r.addr, msg)
	}
	if p.warned[msg] {
		return
	}
	p.warned[msg] = true
	p.warnings = append(p.warnings, msg)
}

// index builds the plan's resources and modules from the decoded document.
func index(file, dir string, doc *document) (*plan, error) {
	p := &plan{
		file: file, dir: dir, doc: doc,
		byAddr: map[string]*resource{}, byLocal: map[string][]*resource{}, byType: map[string][]*resource{},
		modules: map[string]*module{}, warned: map[string]bool{}, attrs: map[string]map[string][]*resource{},
		fnByRes: map[*resource]*function{}, fnByName: map[string][]*function{}, fnByARN: map[string][]*function{},
	}
	p.root = p.configModule(nil, "", mapAt(doc.root, "configuration", "root_module"))
	if err := p.readValues(); err != nil {
		return nil, err
	}
	sort.Slice(p.resources, func(i, j int) bool { return p.resources[i].addr < p.resources[j].addr })
	for _, r := range p.resources {
		r.mod = p.modules[stripKeys(r.module)]
		if r.mod != nil {
			r.cfg, _ = r.mod.resources[r.local()]["expressions"].(map[string]any)
		}
		r.line = p.lineOf(r.addr)
		k := stripKeys(r.module) + " " + r.local()
		p.byLocal[k] = append(p.byLocal[k], r)
		p.byType[r.typ] = append(p.byType[r.typ], r)
	}
	return p, nil
}

// lineOf returns the line where the resource is written, preferring its
// planned values.
func (p *plan) lineOf(addr string) int {
	for _, s := range []string{"planned_values", "resource_changes", "prior_state"} {
		if l := p.doc.line(s, addr); l > 0 {
			return l
		}
	}
	return 0
}

// mapAt follows keys through nested objects; nil when a step is missing or
// not an object.
func mapAt(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// configModule reads a module of the configuration and, recursively, the
// modules it calls.
func (p *plan) configModule(parent *module, name string, m map[string]any) *module {
	mod := &module{name: name, parent: parent, resources: map[string]map[string]any{}, calls: map[string]*module{}}
	if parent != nil {
		mod.addr = strings.TrimPrefix(parent.addr+".module."+name, ".")
		mod.key = strings.TrimPrefix(parent.key+"."+name, ".")
	}
	p.modules[mod.addr] = mod
	mod.outputs, _ = m["outputs"].(map[string]any)
	list, _ := m["resources"].([]any)
	for _, x := range list {
		r, _ := x.(map[string]any)
		typ, _ := r["type"].(string)
		rname, _ := r["name"].(string)
		if typ == "" || rname == "" {
			continue
		}
		local := typ + "." + rname
		if r["mode"] == "data" {
			local = "data." + local
		}
		mod.resources[local] = r
	}
	calls, _ := m["module_calls"].(map[string]any)
	for _, cname := range sortedKeys(calls) {
		call, _ := calls[cname].(map[string]any)
		if call == nil || len(p.modules) >= maxModules {
			continue
		}
		child := p.configModule(mod, cname, mapAt(call, "module"))
		child.source, _ = call["source"].(string)
		child.callExprs, _ = call["expressions"].(map[string]any)
		mod.calls[cname] = child
	}
	return mod
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readValues reads the resources of planned_values, resource_changes and
// prior_state, in that order of preference.
func (p *plan) readValues() error {
	planned, err := p.valuesModule("planned_values", "root_module")
	if err != nil {
		return err
	}
	for _, r := range planned {
		p.add(r)
	}
	deleted, err := p.readChanges()
	if err != nil {
		return err
	}
	prior, err := p.valuesModule("prior_state", "values", "root_module")
	if err != nil {
		return err
	}
	for _, r := range prior {
		if have := p.byAddr[r.addr]; have != nil {
			have.prior = r.values
			continue
		}
		if !deleted[r.addr] && (r.mode == "data" || len(planned) == 0) {
			p.add(r)
		}
	}
	return nil
}

// add adds a resource unless one with its address is already there.
func (p *plan) add(r *resource) {
	if _, ok := p.byAddr[r.addr]; ok {
		return
	}
	p.byAddr[r.addr] = r
	p.resources = append(p.resources, r)
}

// readChanges reads resource_changes: after_unknown and actions for the
// resources already read, the after values of the others. It returns the
// addresses of the resources the plan deletes.
func (p *plan) readChanges() (map[string]bool, error) {
	deleted := map[string]bool{}
	raw, ok := p.doc.root["resource_changes"]
	if !ok || raw == nil {
		return deleted, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("resource_changes is %s, not a list", kindOf(raw))
	}
	for i, x := range list {
		rc, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resource_changes[%d] is %s, not an object", i, kindOf(x))
		}
		r, err := resourceOf(rc, fmt.Sprintf("resource_changes[%d]", i))
		if err != nil {
			return nil, err
		}
		r.module, _ = rc["module_address"].(string)
		change := mapAt(rc, "change")
		r.values, _ = change["after"].(map[string]any)
		r.unknown = change["after_unknown"]
		r.actions = stringsOf(change["actions"])
		if removes(r.actions) {
			deleted[r.addr] = true
			continue
		}
		if have := p.byAddr[r.addr]; have != nil {
			have.unknown, have.actions = r.unknown, r.actions
			if have.values == nil {
				have.values = r.values
			}
			continue
		}
		p.add(r)
	}
	return deleted, nil
}

// removes says whether change actions leave no object behind.
func removes(actions []string) bool {
	return len(actions) > 0 && !slices.Contains(actions, "create") && !slices.Contains(actions, "update") &&
		!slices.Contains(actions, "no-op") && !slices.Contains(actions, "read")
}

// valuesModule reads the resources of the values representation module at
// keys, and of its child modules, depth first.
func (p *plan) valuesModule(keys ...string) ([]*resource, error) {
	var v any = p.doc.root
	for i, k := range keys {
		if v == nil {
			return nil, nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is %s, not an object", strings.Join(keys[:i], "."), kindOf(v))
		}
		v = m[k]
	}
	var out []*resource
	err := p.walkModule(strings.Join(keys, "."), v, 0, &out)
	return out, err
}

// walkModule appends the resources of one values module and its children.
func (p *plan) walkModule(where string, v any, depth int, out *[]*resource) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s is %s, not an object", where, kindOf(v))
	}
	if depth > maxDepth {
		return fmt.Errorf("%s: modules nested deeper than %d levels", where, maxDepth)
	}
	modAddr, _ := m["address"].(string)
	res, err := listAt(m, "resources", where)
	if err != nil {
		return err
	}
	for i, x := range res {
		rm, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("%s.resources[%d] is %s, not an object", where, i, kindOf(x))
		}
		r, err := resourceOf(rm, fmt.Sprintf("%s.resources[%d]", where, i))
		if err != nil {
			return err
		}
		r.module = modAddr
		r.values, _ = rm["values"].(map[string]any)
		*out = append(*out, r)
	}
	children, err := listAt(m, "child_modules", where)
	if err != nil {
		return err
	}
	for i, c := range children {
		if err := p.walkModule(fmt.Sprintf("%s.child_modules[%d]", where, i), c, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// listAt returns m[key] as a list; absent or null is an empty list.
func listAt(m map[string]any, key, where string) ([]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s.%s is %s, not a list", where, key, kindOf(v))
	}
	return l, nil
}

// resourceOf reads the identifying fields of a resource object.
func resourceOf(m map[string]any, where string) (*resource, error) {
	r := &resource{}
	r.addr, _ = m["address"].(string)
	r.typ, _ = m["type"].(string)
	r.name, _ = m["name"].(string)
	if r.addr == "" || r.typ == "" || r.name == "" {
		return nil, fmt.Errorf("%s has no address, type or name", where)
	}
	r.mode, _ = m["mode"].(string)
	if r.mode != "data" {
		r.mode = "managed"
	}
	r.key = keyText(m["index"])
	return r, nil
}

// stringsOf returns the strings of a list.
func stringsOf(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// kindOf names the JSON type of a decoded value, with its article.
func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}
