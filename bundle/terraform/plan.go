package terraform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// resource is one resource instance of the plan, its values merged from
// planned_values, resource_changes and prior_state.
type resource struct {
	addr   string // instance address: module.api.aws_lambda_function.this[0]
	module string // module instance address: module.api ("" for the root)
	mode   string // managed or data
	typ    string
	name   string
	key    string // instance key as written in addresses: [0], ["a"], or ""
	values map[string]any
	// unknown is the change's after_unknown tree: true where a value is
	// only known after apply.
	unknown any
	// prior holds the values before the change, used for what the plan
	// leaves unknown when the resource is not being created.
	prior   map[string]any
	actions []string
	line    int
	mod     *module        // the configuration module the resource is in
	cfg     map[string]any // configuration expressions; nil when absent
}

// local is the resource's module-relative address without instance key:
// aws_lambda_function.this, data.aws_iam_policy_document.x.
func (r *resource) local() string {
	if r.mode == "data" {
		return "data." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

// module is one module of the configuration (not an instance of it).
type module struct {
	addr      string // module.a.module.b ("" for the root)
	name      string // the call's name in its parent: b
	key       string // the call's path of names joined by dots: a.b
	parent    *module
	source    string
	callExprs map[string]any // the module call's argument expressions
	outputs   map[string]any // output name → expression
	resources map[string]map[string]any
	calls     map[string]*module
}

// state says whether an attribute of a resource is known at plan time.
type state int

const (
	absent  state = iota // not set, or null
	known                // set to a value known at plan time
	unknown              // known only after apply
)

// step is one step of an attribute path: a string key or a list index.
type step = any

// get returns the value at path and whether it is known.
func (r *resource) get(path ...step) (any, state) {
	v := walk(r.values, path)
	if v != nil {
		return v, known
	}
	if !isUnknown(r.unknown, path) {
		return nil, absent
	}
	if r.prior != nil && !slices.Contains(r.actions, "create") {
		if pv := walk(r.prior, path); pv != nil {
			return pv, known
		}
	}
	return nil, unknown
}

// walk follows path through decoded JSON. An index 0 into an object stands
// for the object itself (blocks that nest one object are written either way).
func walk(v any, path []step) any {
	for _, s := range path {
		switch k := s.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			switch x := v.(type) {
			case []any:
				if k < 0 || k >= len(x) {
					return nil
				}
				v = x[k]
			case map[string]any:
				if k != 0 {
					return nil
				}
			default:
				return nil
			}
		}
	}
	return v
}

// isUnknown says whether an after_unknown tree marks path (or a prefix of
// it) unknown.
func isUnknown(tree any, path []step) bool {
	for _, s := range path {
		if b, ok := tree.(bool); ok {
			return b
		}
		tree = walk(tree, []step{s})
		if tree == nil {
			return false
		}
	}
	b, ok := tree.(bool)
	return ok && b
}

// expr returns the configuration expression at path (nil when there is none).
func (r *resource) expr(path ...step) map[string]any {
	m, _ := walk(r.cfg, path).(map[string]any)
	return m
}

// hasExpr says whether the configuration sets the attribute or block at path.
func (r *resource) hasExpr(path ...step) bool {
	return walk(r.cfg, path) != nil
}

// exprRefs returns the references of an expression.
func exprRefs(e map[string]any) []string {
	list, _ := e["references"].([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// keyText writes an instance key the way addresses and references do.
func keyText(index any) string {
	switch k := index.(type) {
	case float64:
		return "[" + strconv.FormatFloat(k, 'f', -1, 64) + "]"
	case string:
		return "[" + strconv.Quote(k) + "]"
	}
	return ""
}

// stripKeys removes instance keys from an address: module.a[0].module.b["x"]
// becomes module.a.module.b.
func stripKeys(addr string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case quoted && c == '\\':
			i++
		case quoted:
			quoted = c != '"'
		case c == '"' && depth > 0:
			quoted = true
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// describe names an attribute path for messages: layers[0], role.
func describe(path []step) string {
	var b strings.Builder
	for _, s := range path {
		switch k := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}

// length returns the number of elements of the list at path and whether the
// list is known. Elements unknown at plan time count (they are written as
// null, and marked in after_unknown).
func (r *resource) length(path ...step) (int, state) {
	if isUnknown(r.unknown, path) && walk(r.values, path) == nil {
		return 0, unknown
	}
	n := 0
	if l, ok := walk(r.values, path).([]any); ok {
		n = len(l)
	}
	if l, ok := walk(r.unknown, path).([]any); ok && len(l) > n {
		n = len(l)
	}
	if n == 0 && walk(r.values, path) == nil {
		return 0, absent
	}
	return n, known
}

// str returns the string at path of r. A value of another type is reported
// and treated as absent.
func (p *plan) str(r *resource, path ...step) (string, state) {
	v, st := r.get(path...)
	if st != known {
		return "", st
	}
	s, ok := v.(string)
	if !ok {
		p.warn(r, "%s is %s, not a string: ignored", describe(path), kindOf(v))
		return "", absent
	}
	return s, known
}

// boolean returns the boolean at path of r.
func (p *plan) boolean(r *resource, path ...step) (bool, state) {
	v, st := r.get(path...)
	if st != known {
		return false, st
	}
	b, ok := v.(bool)
	if !ok {
		p.warn(r, "%s is %s, not a boolean: ignored", describe(path), kindOf(v))
		return false, absent
	}
	return b, known
}

// strs returns the strings of the list at path of r (a single string counts
// as a list of one) and whether the whole list is known.
func (p *plan) strs(r *resource, path ...step) ([]string, state) {
	v, st := r.get(path...)
	if st != known {
		return nil, st
	}
	if s, ok := v.(string); ok {
		return []string{s}, known
	}
	l, ok := v.([]any)
	if !ok {
		p.warn(r, "%s is %s, not a list: ignored", describe(path), kindOf(v))
		return nil, absent
	}
	var out []string
	complete := known
	for i, x := range l {
		s, ok := x.(string)
		switch {
		case ok:
			out = append(out, s)
		case x == nil && isUnknown(r.unknown, append(append([]step(nil), path...), i)):
			complete = unknown
		case x != nil:
			p.warn(r, "%s[%d] is %s, not a string: ignored", describe(path), i, kindOf(x))
		}
	}
	if l, ok := walk(r.unknown, path).([]any); ok && len(l) > len(out) && slices.Contains(l, any(true)) {
		complete = unknown
	}
	return out, complete
}
