package serverless

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on variable resolution: nesting of variables inside variables,
// the number of variables resolved for one manifest, the length of a
// resolved value.
const (
	maxVarLevel  = 32
	maxVarSteps  = 1 << 16
	maxValueSize = 64 << 10
)

// resolver resolves the Serverless Framework's ${...} variables the way
// `serverless package` would without options, credentials or network:
//
//   - ${self:a.b.c} reads the configuration itself (service, provider,
//     custom, ...), following aliases and merge keys;
//   - ${sls:stage} is provider.stage, else "dev"; ${aws:region} is
//     provider.region, else "us-east-1";
//   - ${opt:...} and ${env:...} are never read (fnaudit takes no CLI
//     options and does not let its own environment change a manifest's
//     meaning): like every other source (ssm, file, cf, s3, param, plugin
//     sources) they are unavailable, so the next source is tried, up to a
//     literal default: ${opt:stage, 'dev'} is "dev";
//   - a variable with no available source stays as written and is reported
//     as unresolved.
//
// A variable leading back to itself is reported as a circular reference
// and stays unresolved.
type resolver struct {
	t      *tree
	memo   map[string]outcome // self: addresses already resolved
	active map[string]bool    // self: addresses being resolved
	level  int                // nesting of the current resolution
	steps  int                // variables resolved so far
	line   int                // line of the value being resolved, for messages
}

// outcome is what one source gave.
type outcome struct {
	state  int // found, missing or unresolved
	value  string
	target *yaml.Node // for self: sources, the node reached
}

const (
	missing    = iota // the source has no value: try the next one
	found             // value (and target for self:) are set
	unresolved        // fnaudit cannot know; stop
)

func newResolver(t *tree) *resolver {
	return &resolver{t: t, memo: map[string]outcome{}, active: map[string]bool{}}
}

// interpolateAt is interpolate for the value on a given line (named when
// a circular reference is found).
func (r *resolver) interpolateAt(s string, line int) (string, string) {
	saved := r.line
	r.line = line
	defer func() { r.line = saved }()
	return r.interpolate(s)
}

// interpolate resolves every variable in s. It returns the value with the
// unresolved variables left as written, and the first of those.
func (r *resolver) interpolate(s string) (string, string) {
	if !strings.Contains(s, "${") {
		return s, ""
	}
	var b strings.Builder
	first := ""
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		b.WriteString(s[i:j])
		end := closingBrace(s, j)
		if end < 0 {
			b.WriteString(s[j:])
			if first == "" {
				first = s[j:]
			}
			break
		}
		raw := s[j : end+1]
		v, ok := r.variable(raw[2 : len(raw)-1])
		if !ok {
			v = raw
			if first == "" {
				first = raw
			}
		}
		b.WriteString(v)
		if b.Len() > maxValueSize {
			return s, "value longer than 64 KiB"
		}
		i = end + 1
	}
	return b.String(), first
}

// closingBrace finds the '}' that closes the "${" at s[start], skipping
// nested variables and quoted strings. It returns -1 when there is none.
func closingBrace(s string, start int) int {
	depth := 0
	var quote byte
	for k := start + 2; k < len(s); k++ {
		c := s[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && k+1 < len(s) && s[k+1] == '{':
			depth++
			k++
		case c == '}':
			if depth == 0 {
				return k
			}
			depth--
		}
	}
	return -1
}

// isVariable says whether the inside of ${...} is a framework variable:
// it starts with a lower-case source type. Anything else (${AWS::Region}
// in a !Sub, ${Foo}) is not the framework's and stays as it is.
func isVariable(inner string) bool {
	return inner != "" && inner[0] >= 'a' && inner[0] <= 'z'
}

// wholeVariable returns the inside of s when s is exactly one variable.
func wholeVariable(s string) (string, bool) {
	if !strings.HasPrefix(s, "${") || closingBrace(s, 0) != len(s)-1 {
		return "", false
	}
	inner := s[2 : len(s)-1]
	return inner, isVariable(inner)
}

// variable resolves the inside of one ${...}. It reports false when it
// stays unresolved (including foreign ${...} that are not variables,
// which then stay as written).
func (r *resolver) variable(inner string) (string, bool) {
	if !isVariable(inner) {
		return "${" + inner + "}", true
	}
	r.steps++
	r.level++
	defer func() { r.level-- }()
	if r.level > maxVarLevel || r.steps > maxVarSteps {
		return "", false
	}
	for _, src := range splitSources(inner) {
		o := r.source(src)
		switch o.state {
		case found:
			if o.target != nil && o.target.Kind != yaml.ScalarNode {
				return "", false // an object cannot be part of a string
			}
			return o.value, true
		case unresolved:
			return "", false
		}
	}
	return "", false
}

// target returns the node a value stands for when it is exactly one
// variable whose first available source is a self: reference, so that
// `authorizer: ${self:custom.auth}` reads the mapping custom.auth. It
// returns nil otherwise.
func (r *resolver) target(s string, line int) *yaml.Node {
	inner, ok := wholeVariable(s)
	if !ok {
		return nil
	}
	saved := r.line
	r.line = line
	defer func() { r.line = saved }()
	r.steps++
	r.level++
	defer func() { r.level-- }()
	if r.level > maxVarLevel || r.steps > maxVarSteps {
		return nil
	}
	for _, src := range splitSources(inner) {
		o := r.source(src)
		switch o.state {
		case found:
			return o.target
		case unresolved:
			return nil
		}
	}
	return nil
}

// splitSources splits "opt:stage, self:provider.stage, 'dev'" at its
// top-level commas.
func splitSources(inner string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for k := 0; k < len(inner); k++ {
		c := inner[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && k+1 < len(inner) && inner[k+1] == '{':
			depth++
			k++
		case c == '}' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(inner[start:k]))
			start = k + 1
		}
	}
	return append(out, strings.TrimSpace(inner[start:]))
}

// source resolves one source of a variable.
func (r *resolver) source(src string) outcome {
	if lit, ok := literal(src); ok {
		return outcome{state: found, value: lit}
	}
	if strings.HasPrefix(src, "${") {
		// A nested variable as a fallback (v2 syntax).
		v, ok := r.interpolate(src)
		if ok != "" {
			return outcome{state: missing}
		}
		return outcome{state: found, value: v}
	}
	typ, addr, hasAddr := strings.Cut(src, ":")
	if strings.Contains(typ, "(") {
		return outcome{state: missing} // file(...), strToBool(...), plugin sources
	}
	if hasAddr {
		var unres string
		addr, unres = r.interpolate(strings.TrimSpace(addr))
		if unres != "" {
			return outcome{state: missing}
		}
	}
	switch typ {
	case "self":
		return r.self(addr)
	case "sls":
		if addr == "stage" {
			return r.stage()
		}
	case "aws":
		if addr == "region" {
			return r.region()
		}
	}
	return outcome{state: missing}
}

// literal reads a literal source: a quoted string, a number, true, false.
func literal(src string) (string, bool) {
	if len(src) >= 2 && (src[0] == '\'' || src[0] == '"') && src[len(src)-1] == src[0] {
		return src[1 : len(src)-1], true
	}
	switch src {
	case "true", "false":
		return src, true
	case "", "null":
		return "", false
	}
	if _, err := strconv.ParseFloat(src, 64); err == nil {
		return src, true
	}
	return "", false
}

// self resolves ${self:address}.
func (r *resolver) self(addr string) outcome {
	if o, ok := r.memo[addr]; ok {
		return o
	}
	if r.active[addr] {
		r.t.reportCircular(r.line, "${self:"+addr+"}")
		return outcome{state: unresolved}
	}
	r.active[addr] = true
	o := r.selfUncached(addr)
	delete(r.active, addr)
	r.memo[addr] = o
	return o
}

func (r *resolver) selfUncached(addr string) outcome {
	n := r.t.root
	if addr != "" {
		for _, seg := range strings.Split(addr, ".") {
			n = r.t.child(n, seg)
			if n == nil {
				return outcome{state: missing}
			}
		}
	}
	n = r.t.deref(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return outcome{state: missing}
	}
	if n.Kind != yaml.ScalarNode || isTagged(n) {
		if addr == "service" {
			// v1 `service: {name: x}`: the framework reads the name.
			if name := r.t.get(n, "name"); name != nil {
				return r.selfScalar(name)
			}
		}
		return outcome{state: found, target: n}
	}
	return r.selfScalar(n)
}

func (r *resolver) selfScalar(n *yaml.Node) outcome {
	if !isPlainString(n) {
		return outcome{state: found, value: n.Value, target: n}
	}
	v, unres := r.interpolateAt(n.Value, n.Line)
	if unres != "" {
		return outcome{state: unresolved}
	}
	return outcome{state: found, value: v, target: n}
}

// stage is ${sls:stage}: provider.stage, else "dev".
func (r *resolver) stage() outcome {
	return r.withDefault("provider.stage", "dev")
}

// region is ${aws:region}: provider.region, else "us-east-1".
func (r *resolver) region() outcome {
	return r.withDefault("provider.region", "us-east-1")
}

func (r *resolver) withDefault(addr, dflt string) outcome {
	o := r.self(addr)
	switch {
	case o.state == missing:
		return outcome{state: found, value: dflt}
	case o.state == found && o.target != nil && o.target.Kind != yaml.ScalarNode:
		return outcome{state: unresolved}
	}
	return outcome{state: o.state, value: o.value}
}
