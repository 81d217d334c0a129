package serverless

import (
	"encoding/json"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on walking a manifest's node graph. yaml.v3 keeps aliases as
// pointers (an anchor may even contain an alias to itself) and the state
// file's json-cycle "$ref"s point anywhere: every walk is bounded.
const (
	maxHops  = 16      // alias, $ref and variable hops followed from one node
	maxDepth = 64      // nesting followed when converting a value
	maxNodes = 1 << 16 // nodes converted for one value
)

// tree is a parsed manifest: the yaml.v3 node graph (which keeps line
// numbers and tags such as !Ref) with the accessors the loader reads it
// through. Every accessor tolerates nil and wrongly typed nodes.
type tree struct {
	file string     // the manifest path as given, for messages
	root *yaml.Node // the top-level mapping
	vars *resolver  // resolves ${...} variables; nil where values are final (the state file)
	refs bool       // follow json-cycle {"$ref": "$[...]"} objects (the state file)
	// circular is called once per variable hop that leads back to itself.
	circular func(line int, what string)
	// nest counts dereferences in progress: a $ref or variable is looked
	// up through further dereferences, which must not recurse forever.
	nest int
	// maps caches each mapping's keys, merge keys expanded: lookups stay
	// cheap in huge mappings, and merge keys nested in merge keys (a
	// "merge bomb") are expanded once each.
	maps map[*yaml.Node]*mapping
}

// mapping is a mapping's keys in order, and their positions by key.
type mapping struct {
	pairs []pair
	index map[string]int
}

// pair is one key of a mapping.
type pair struct {
	key  string
	k, v *yaml.Node
}

// deref follows aliases, json-cycle $refs and whole-value self: variables
// to the node they stand for. It returns nil for nil, and the last node
// reached when the hops run out or loop (after reporting the loop).
func (t *tree) deref(n *yaml.Node) *yaml.Node {
	if n == nil || (n.Kind != yaml.AliasNode && n.Kind != yaml.DocumentNode && !t.mayStep(n)) {
		return n
	}
	t.nest++
	defer func() { t.nest-- }()
	if t.nest > maxDepth {
		t.reportCircular(n.Line, n.Value)
		return nil
	}
	var seen []*yaml.Node
	for hop := 0; n != nil; hop++ {
		for _, s := range seen {
			if s == n {
				t.reportCircular(n.Line, n.Value)
				return nil
			}
		}
		if hop >= maxHops {
			t.reportCircular(n.Line, n.Value)
			return nil
		}
		seen = append(seen, n)
		next := t.step(n)
		if next == n {
			return n
		}
		n = next
	}
	return nil
}

// mayStep says whether n may stand for another node ($ref or variable),
// cheaply: most nodes do not, and need no bookkeeping.
func (t *tree) mayStep(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode:
		return t.refs && len(n.Content) == 2
	case yaml.ScalarNode:
		return t.vars != nil && strings.HasPrefix(n.Value, "${")
	}
	return false
}

// step makes one hop from n, or returns n itself when it stands for itself.
func (t *tree) step(n *yaml.Node) *yaml.Node {
	switch {
	case n.Kind == yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return n.Content[0]
	case n.Kind == yaml.AliasNode:
		return n.Alias
	case t.refs && n.Kind == yaml.MappingNode:
		if p, ok := jsonRef(n); ok {
			return t.jsonPath(p)
		}
	case t.vars != nil && n.Kind == yaml.ScalarNode && isPlainString(n):
		if target := t.vars.target(n.Value, n.Line); target != nil {
			return target
		}
	}
	return n
}

func (t *tree) reportCircular(line int, what string) {
	if t.circular != nil {
		t.circular(line, what)
	}
}

// isPlainString says whether a scalar is a string (not a !Ref-style tag,
// a number or null).
func isPlainString(n *yaml.Node) bool {
	return n.Tag == "" || n.Tag == "!!str"
}

// pairs lists a mapping's keys in order, with YAML merge keys ("<<: *x")
// expanded: explicit keys win over merged ones, later keys over earlier.
func (t *tree) pairs(n *yaml.Node) []pair {
	if m := t.mapping(n, 0); m != nil {
		return m.pairs
	}
	return nil
}

// mapping returns the cached keys of a mapping node (nil for other nodes).
func (t *tree) mapping(n *yaml.Node, depth int) *mapping {
	n = t.deref(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > maxHops {
		return nil
	}
	if m, ok := t.maps[n]; ok {
		return m
	}
	if t.maps == nil {
		t.maps = map[*yaml.Node]*mapping{}
	}
	t.maps[n] = &mapping{} // a merge key reaching back here finds it empty
	m := &mapping{pairs: t.pairsOf(n, depth)}
	m.index = make(map[string]int, len(m.pairs))
	for i, p := range m.pairs {
		m.index[p.key] = i
	}
	t.maps[n] = m
	return m
}

func (t *tree) pairsDepth(n *yaml.Node, depth int) []pair {
	if m := t.mapping(n, depth); m != nil {
		return m.pairs
	}
	return nil
}

// pairsOf lists a mapping node's keys, merge keys expanded.
func (t *tree) pairsOf(n *yaml.Node, depth int) []pair {
	var merged, own []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, t.mergeSources(v, depth)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			continue
		}
		own = append(own, pair{key: k.Value, k: k, v: v})
	}
	return dedupe(append(merged, own...))
}

// mergeSources reads the value of a merge key: one mapping or a list of
// mappings, earlier ones winning.
func (t *tree) mergeSources(v *yaml.Node, depth int) []pair {
	v = t.deref(v)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.MappingNode {
		return t.pairsDepth(v, depth+1)
	}
	var out []pair
	if v.Kind == yaml.SequenceNode {
		for i := len(v.Content) - 1; i >= 0; i-- {
			out = append(out, t.pairsDepth(v.Content[i], depth+1)...)
		}
	}
	return out
}

// dedupe keeps the last pair of each key, at the position of its first
// appearance.
func dedupe(ps []pair) []pair {
	last := make(map[string]int, len(ps))
	for i, p := range ps {
		last[p.key] = i
	}
	out := make([]pair, 0, len(last))
	done := make(map[string]bool, len(last))
	for _, p := range ps {
		if done[p.key] {
			continue
		}
		done[p.key] = true
		out = append(out, ps[last[p.key]])
	}
	return out
}

// entry returns the key and raw value nodes of a mapping key.
func (t *tree) entry(n *yaml.Node, key string) (k, v *yaml.Node) {
	m := t.mapping(n, 0)
	if m == nil {
		return nil, nil
	}
	i, ok := m.index[key]
	if !ok {
		return nil, nil
	}
	return m.pairs[i].k, m.pairs[i].v
}

// get returns the value of a mapping key, dereferenced.
func (t *tree) get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		_, v := t.entry(n, key)
		n = t.deref(v)
		if n == nil {
			return nil
		}
	}
	return n
}

// items returns a sequence's items (raw, for their line numbers).
func (t *tree) items(n *yaml.Node) []*yaml.Node {
	n = t.deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// isMap and isSeq say what a node is once dereferenced.
func (t *tree) isMap(n *yaml.Node) bool {
	n = t.deref(n)
	return n != nil && n.Kind == yaml.MappingNode
}

func (t *tree) isSeq(n *yaml.Node) bool {
	n = t.deref(n)
	return n != nil && n.Kind == yaml.SequenceNode
}

// str returns a scalar's value with its variables resolved, and the first
// variable that could not be resolved ("" when all were). Absent, null,
// tagged (!Ref ...) and non-scalar nodes give "".
func (t *tree) str(n *yaml.Node) (value, unresolved string) {
	n = t.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" || isTagged(n) {
		return "", ""
	}
	if t.vars == nil || !isPlainString(n) {
		return n.Value, ""
	}
	return t.vars.interpolateAt(n.Value, n.Line)
}

// text is str without the unresolved part: unresolved variables stay as
// written.
func (t *tree) text(n *yaml.Node) string {
	s, _ := t.str(n)
	return s
}

// boolean reads true/false (YAML 1.2 and JSON spellings, as js-yaml does).
// known is false when the value is absent or not a boolean; unresolved is
// set when a variable decides it.
func (t *tree) boolean(n *yaml.Node) (value, known bool, unresolved string) {
	s, unres := t.str(n)
	if unres != "" {
		return false, false, unres
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true, ""
	case "false":
		return false, true, ""
	}
	return false, false, ""
}

// isTagged says whether a node carries a local tag such as !Ref or !GetAtt.
func isTagged(n *yaml.Node) bool {
	return strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
}

// line is a node's line once dereferenced through aliases only (variables
// point elsewhere in the file, the node itself is what the user wrote).
func line(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// kindName names a node's kind in messages.
func (t *tree) kindName(n *yaml.Node) string {
	n = t.deref(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isTagged(n) {
			return n.Tag + " " + n.Value
		}
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "an unknown node"
}

// jsonRef reports whether a mapping is a json-cycle reference
// ({"$ref": "$[\"service\"][\"provider\"]"}), as `serverless package`
// writes for objects seen twice, and returns the path.
func jsonRef(n *yaml.Node) (string, bool) {
	if len(n.Content) != 2 || n.Content[0].Value != "$ref" || n.Content[1].Kind != yaml.ScalarNode {
		return "", false
	}
	p := n.Content[1].Value
	return p, strings.HasPrefix(p, "$")
}

// jsonPath walks a json-cycle path ($["a"]["b"][0]) from the root.
func (t *tree) jsonPath(p string) *yaml.Node {
	segs, ok := splitJSONPath(p)
	if !ok {
		return nil
	}
	n := t.root
	for _, seg := range segs {
		n = t.child(n, seg)
		if n == nil {
			return nil
		}
	}
	return n
}

// child is a mapping's value or a sequence's item by (decimal) index.
func (t *tree) child(n *yaml.Node, seg string) *yaml.Node {
	n = t.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil
		}
		return t.deref(n.Content[i])
	}
	return t.get(n, seg)
}

// splitJSONPath splits $["a"][0]["b"] into its segments.
func splitJSONPath(p string) ([]string, bool) {
	rest := strings.TrimPrefix(p, "$")
	var segs []string
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		end := closingBracket(rest)
		if end < 0 {
			return nil, false
		}
		inner := rest[1:end]
		rest = rest[end+1:]
		if strings.HasPrefix(inner, `"`) {
			var s string
			if err := json.Unmarshal([]byte(inner), &s); err != nil {
				return nil, false
			}
			segs = append(segs, s)
			continue
		}
		segs = append(segs, inner)
	}
	return segs, true
}

// closingBracket finds the ']' closing s[0]=='[', skipping a JSON string.
func closingBracket(s string) int {
	inString, escaped := false, false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ']':
			return i
		}
	}
	return -1
}

// toAny converts a value to plain Go values (map[string]any, []any,
// string, bool, nil) the way js-yaml would hand it to the framework, with
// variables resolved and CloudFormation short tags turned into their
// long form (!Ref X → {"Ref": "X"}). Conversion is bounded in depth and
// size; what exceeds the bounds becomes "(too large)".
func (t *tree) toAny(n *yaml.Node) any {
	budget := maxNodes
	return t.convert(n, 0, &budget)
}

// describeNodes bounds the nodes converted to describe a value in a message.
const describeNodes = 64

func (t *tree) convert(n *yaml.Node, depth int, budget *int) any {
	n = t.deref(n)
	*budget--
	if n == nil {
		return nil
	}
	if depth > maxDepth || *budget < 0 {
		return "(too large)"
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		v = t.convertMap(n, depth, budget)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			list = append(list, t.convert(c, depth+1, budget))
		}
		v = list
	default:
		v = t.convertScalar(n)
	}
	if isTagged(n) && n.Kind != yaml.ScalarNode {
		return map[string]any{intrinsicName(n.Tag): v}
	}
	return v
}

func (t *tree) convertMap(n *yaml.Node, depth int, budget *int) map[string]any {
	m := map[string]any{}
	for _, p := range t.pairs(n) {
		m[p.key] = t.convert(p.v, depth+1, budget)
	}
	return m
}

func (t *tree) convertScalar(n *yaml.Node) any {
	switch {
	case isTagged(n):
		if n.Tag == "!GetAtt" {
			return map[string]any{"Fn::GetAtt": strings.SplitN(n.Value, ".", 2)}
		}
		return map[string]any{intrinsicName(n.Tag): n.Value}
	case n.Tag == "!!null":
		return nil
	case n.Tag == "!!bool":
		return strings.EqualFold(n.Value, "true")
	}
	s, _ := t.str(n)
	return s
}

// intrinsicName is the long form of a CloudFormation short tag: !Ref →
// Ref, !GetAtt → Fn::GetAtt, !Sub → Fn::Sub.
func intrinsicName(tag string) string {
	name := strings.TrimPrefix(tag, "!")
	if name == "Ref" || name == "Condition" {
		return name
	}
	return "Fn::" + name
}

// logicalRef reads a reference to a resource of the stack: !Ref X,
// !GetAtt X.Arn, {Ref: X}, {"Fn::GetAtt": [X, Arn]} or "X.Arn". It returns
// the logical id.
func (t *tree) logicalRef(n *yaml.Node) (string, bool) {
	n = t.deref(n)
	if n == nil {
		return "", false
	}
	if n.Kind == yaml.ScalarNode {
		switch n.Tag {
		case "!Ref":
			return n.Value, n.Value != ""
		case "!GetAtt":
			id, _, _ := strings.Cut(n.Value, ".")
			return id, id != ""
		}
		return "", false
	}
	if n.Kind == yaml.SequenceNode && n.Tag == "!GetAtt" && len(n.Content) > 0 {
		return t.text(n.Content[0]), true
	}
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	if ref := t.get(n, "Ref"); ref != nil {
		s := t.text(ref)
		return s, s != ""
	}
	att := t.get(n, "Fn::GetAtt")
	if att == nil {
		return "", false
	}
	if items := t.items(att); len(items) > 0 {
		s := t.text(items[0])
		return s, s != ""
	}
	id, _, _ := strings.Cut(t.text(att), ".")
	return id, id != ""
}

// describe renders a value for a trigger's detail or a message: a string
// as it is (variables resolved where they can be), an intrinsic in its
// short form ("!GetAtt PaymentsQueue.Arn"), anything else by its kind.
func (t *tree) describe(n *yaml.Node) string {
	d := t.deref(n)
	if d == nil {
		return ""
	}
	if d.Kind == yaml.ScalarNode && !isTagged(d) {
		return t.text(d)
	}
	if id, ok := t.logicalRef(d); ok {
		return id
	}
	if d.Kind == yaml.ScalarNode {
		return d.Tag + " " + d.Value
	}
	budget := describeNodes
	if d.Kind == yaml.MappingNode {
		if ps := t.pairs(d); len(ps) == 1 && strings.HasPrefix(ps[0].key, "Fn::") {
			return ps[0].key + " " + compact(t.convert(ps[0].v, 0, &budget))
		}
	}
	return compact(t.convert(d, 0, &budget))
}

// compact renders a converted value as one line of JSON, shortened.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "(value)"
	}
	const max = 120
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
