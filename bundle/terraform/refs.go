package terraform

import (
	"strings"
)

// maxRefDepth bounds how many variables and module outputs a reference is
// followed through (and so any cycle among them).
const maxRefDepth = 32

// maxRefLen bounds the length of a reference string that is parsed.
const maxRefLen = 4096

// seg is one step of a reference or address: a name and the instance key
// that follows it ([0], ["a"]), if any.
type seg struct{ name, key string }

// parseRef splits a reference such as module.api["x"].function_arn or
// aws_lambda_function.this[0].arn into its steps. It returns nil for text
// that is not a reference.
func parseRef(s string) []seg {
	if s == "" || len(s) > maxRefLen {
		return nil
	}
	var out []seg
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		cur := seg{name: s[i:j]}
		if strings.ContainsAny(cur.name, `]"`) {
			return nil
		}
		for j < len(s) && s[j] == '[' {
			end := closing(s, j)
			if end < 0 {
				return nil
			}
			cur.key += s[j : end+1]
			j = end + 1
		}
		if cur.name == "" && len(out) > 0 {
			out[len(out)-1].key += cur.key // a key after a key: x[0][1]
		} else {
			out = append(out, cur)
		}
		if j < len(s) && s[j] != '.' {
			return nil
		}
		i = j + 1
	}
	return out
}

// closing returns the index of the ']' that closes the '[' at s[open],
// skipping quoted strings; -1 when there is none.
func closing(s string, open int) int {
	quoted := false
	for i := open + 1; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ']':
			return i
		}
	}
	return -1
}

// modulePath parses a module instance address (module.a[0].module.b) into
// the calls it goes through.
func modulePath(addr string) []seg {
	segs := parseRef(addr)
	var out []seg
	for i := 0; i+1 < len(segs); i += 2 {
		if segs[i].name != "module" {
			return out
		}
		out = append(out, segs[i+1])
	}
	return out
}

// scope is where a reference is evaluated: a configuration module and the
// module instances it may stand for (a call step with key "" matches any
// instance of that call).
type scope struct {
	mod  *module
	inst []seg
}

// refsOf resolves the configuration references of the expression at path
// of r to the resources they name, through module variables and outputs.
// When several instances match, those with r's own instance key are
// preferred (aws_lambda_function.x[count.index]).
func (p *plan) refsOf(r *resource, path ...step) []*resource {
	if r.mod == nil {
		return nil
	}
	return p.resolveAll(r, scope{r.mod, modulePath(r.module)}, exprRefs(r.expr(path...)))
}

// resolveAll resolves references in a scope, without duplicates, in the
// order of the references.
func (p *plan) resolveAll(from *resource, sc scope, refs []string) []*resource {
	var out []*resource
	seen := map[*resource]bool{}
	visited := map[string]bool{}
	for _, ref := range refs {
		for _, t := range p.resolve(sc, ref, 0, visited) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	if from == nil || from.key == "" || len(out) < 2 {
		return out
	}
	var same []*resource
	for _, t := range out {
		if t.key == from.key {
			same = append(same, t)
		}
	}
	if len(same) > 0 {
		return same
	}
	return out
}

// resolve resolves one reference.
func (p *plan) resolve(sc scope, ref string, depth int, visited map[string]bool) []*resource {
	segs := parseRef(ref)
	if len(segs) < 2 || depth > maxRefDepth || sc.mod == nil {
		return nil
	}
	id := sc.mod.addr + "|" + instText(sc.inst) + "|" + ref
	if visited[id] {
		return nil
	}
	visited[id] = true
	switch segs[0].name {
	case "data":
		if len(segs) < 3 {
			return nil
		}
		return p.lookup(sc, "data."+segs[1].name+"."+segs[2].name, segs[2].key)
	case "module":
		return p.resolveOutput(sc, segs, depth, visited)
	case "var":
		return p.resolveVar(sc, segs[1].name, depth, visited)
	case "local", "each", "count", "path", "self", "terraform", "ephemeral", "action":
		return nil
	}
	return p.lookup(sc, segs[0].name+"."+segs[1].name, segs[1].key)
}

// resolveOutput follows module.NAME.OUTPUT into the called module.
func (p *plan) resolveOutput(sc scope, segs []seg, depth int, visited map[string]bool) []*resource {
	if len(segs) < 3 {
		return nil
	}
	child := sc.mod.calls[segs[1].name]
	if child == nil {
		return nil
	}
	out, _ := child.outputs[segs[2].name].(map[string]any)
	expr, _ := out["expression"].(map[string]any)
	inner := scope{child, append(append([]seg(nil), sc.inst...), segs[1])}
	var found []*resource
	for _, ref := range exprRefs(expr) {
		found = append(found, p.resolve(inner, ref, depth+1, visited)...)
	}
	return found
}

// resolveVar follows var.NAME to the argument the calling module passes.
func (p *plan) resolveVar(sc scope, name string, depth int, visited map[string]bool) []*resource {
	if sc.mod.parent == nil || len(sc.inst) == 0 {
		return nil
	}
	expr, _ := sc.mod.callExprs[name].(map[string]any)
	outer := scope{sc.mod.parent, sc.inst[:len(sc.inst)-1]}
	var found []*resource
	for _, ref := range exprRefs(expr) {
		found = append(found, p.resolve(outer, ref, depth+1, visited)...)
	}
	return found
}

// lookup returns the instances of a module-relative resource address in a
// scope.
func (p *plan) lookup(sc scope, local, key string) []*resource {
	if sc.mod == nil {
		return nil
	}
	var out []*resource
	for _, r := range p.byLocal[sc.mod.addr+" "+local] {
		if (key == "" || r.key == key) && instMatches(sc.inst, modulePath(r.module)) {
			out = append(out, r)
		}
	}
	return out
}

// instMatches says whether a module instance path matches a pattern whose
// steps with no key match any instance.
func instMatches(pattern, actual []seg) bool {
	if len(pattern) != len(actual) {
		return false
	}
	for i := range pattern {
		if pattern[i].name != actual[i].name || (pattern[i].key != "" && pattern[i].key != actual[i].key) {
			return false
		}
	}
	return true
}

// instText writes a module instance path.
func instText(inst []seg) string {
	var b strings.Builder
	for _, s := range inst {
		b.WriteString(".module." + s.name + s.key)
	}
	return b.String()
}
