package cloudformation

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Evaluation bounds: a template is evaluated within a step budget of
// evalStepsPerValue per value it holds (at least minEvalSteps), and no
// string an intrinsic builds may grow past maxEvalString.
const (
	minEvalSteps      = 1_000_000
	evalStepsPerValue = 5
	maxEvalString     = 1 << 20
	// maxListItems bounds the lists Fn::Split and list parameters make.
	maxListItems = 10_000
	// maxConditionDepth bounds chains of conditions naming conditions.
	maxConditionDepth = 1_000
)

// tri is the value of a condition: true, false, or not known locally.
type tri int8

const (
	triUnknown tri = iota
	triTrue
	triFalse
	triPending // being evaluated: meeting it again is a cycle
)

// evaluator resolves intrinsic functions against one stack: parameter
// defaults, static Mappings and Conditions. What depends on the deployment
// (pseudo parameters, resource attributes, imports) stays unresolved.
type evaluator struct {
	s         *stack
	conds     map[string]tri
	steps     int
	budget    int
	condDepth int
}

func newEvaluator(s *stack) *evaluator {
	return &evaluator{s: s, conds: map[string]tri{}, budget: max(minEvalSteps, evalStepsPerValue*countValues(s.root, 0))}
}

// countValues counts the values of a tree.
func countValues(n *node, depth int) int {
	if n == nil || depth > maxDepth {
		return 0
	}
	c := 1
	for _, item := range n.list {
		c += countValues(item, depth+1)
	}
	for _, f := range n.fields {
		c += countValues(f.val, depth+1)
	}
	return c
}

// unresolved builds an unresolved value: render is a readable stand-in for
// it ("${AWS::Region}"), why says what could not be resolved.
func unresolved(line int, render, why string, refs []string) *node {
	return &node{kind: kindUnresolved, str: render, why: why, line: line, refs: refs}
}

// eval returns n with every intrinsic function it holds evaluated. Values
// that cannot be resolved become kindUnresolved; AWS::NoValue removes the
// key or item holding it.
func (e *evaluator) eval(n *node) *node {
	if n == nil {
		return nil
	}
	e.steps++
	if e.steps > e.budget {
		if e.steps == e.budget+1 {
			e.s.warnf(n.line, "template too complex to evaluate: the rest of it is left unresolved")
		}
		return unresolved(n.line, "${…}", "the template is too complex to evaluate", nil)
	}
	switch n.kind {
	case kindList:
		out := &node{kind: kindList, line: n.line, list: make([]*node, 0, len(n.list))}
		for _, item := range n.list {
			if v := e.eval(item); v.kind != kindNoValue {
				out.list = append(out.list, v)
			}
		}
		return out
	case kindMap:
		if name := n.intrinsicName(); name != "" && name != "Condition" {
			return e.intrinsic(name, n.fields[0].val, n.line)
		}
		out := &node{kind: kindMap, line: n.line}
		for _, f := range n.fields {
			if v := e.eval(f.val); v.kind != kindNoValue {
				out.set(f.key, f.line, v)
			}
		}
		return out
	}
	return n
}

// scalar evaluates n and returns its text when it is a resolved scalar.
func (e *evaluator) scalar(n *node) (string, bool) {
	v := e.eval(n)
	if v == nil || v.kind != kindString {
		return "", false
	}
	return v.str, true
}

func (e *evaluator) intrinsic(name string, arg *node, line int) *node {
	switch name {
	case "Ref":
		if arg.kind != kindString {
			e.s.warnf(line, "Ref takes a name, not %s", arg.describe())
			return unresolved(line, "${Ref}", "malformed Ref", nil)
		}
		return e.ref(arg.str, line)
	case "Fn::GetAtt":
		return e.getAtt(arg, line)
	case "Fn::Sub":
		return e.sub(arg, line)
	case "Fn::Join":
		return e.join(arg, line)
	case "Fn::If":
		return e.ifFn(arg, line)
	case "Fn::Select":
		return e.selectFn(arg, line)
	case "Fn::Split":
		return e.split(arg, line)
	case "Fn::FindInMap":
		return e.findInMap(arg, line)
	case "Fn::Base64", "Fn::Length":
		return e.lengthOrBase64(name, arg, line)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		m := &node{kind: kindMap, line: line}
		m.set(name, line, arg)
		switch e.condExpr(m, 0) {
		case triTrue:
			return &node{kind: kindString, str: "true", line: line}
		case triFalse:
			return &node{kind: kindString, str: "false", line: line}
		}
		return unresolved(line, "${"+strings.TrimPrefix(name, "Fn::")+"}", name+" depends on values known only at deploy time", nil)
	case "Fn::ImportValue":
		what := "an export of another stack"
		if v := e.eval(arg); v.kind == kindString {
			what = "export " + v.str
		}
		return unresolved(line, "${ImportValue "+strings.TrimPrefix(what, "export ")+"}", "Fn::ImportValue reads "+what+" at deploy time", nil)
	}
	return unresolved(line, "${"+strings.TrimPrefix(name, "Fn::")+"}", name+" is evaluated by CloudFormation at deploy time", collectRefs(arg, 0))
}

// lengthOrBase64 evaluates Fn::Base64 and Fn::Length.
func (e *evaluator) lengthOrBase64(name string, arg *node, line int) *node {
	v := e.eval(arg)
	switch {
	case name == "Fn::Base64" && v.kind == kindString:
		return &node{kind: kindString, str: base64.StdEncoding.EncodeToString([]byte(v.str)), line: line}
	case name == "Fn::Length" && v.kind == kindList:
		return &node{kind: kindString, str: strconv.Itoa(len(v.list)), line: line}
	}
	short := strings.TrimPrefix(name, "Fn::")
	return unresolved(line, "${"+short+"}", name+" of a value known only at deploy time", v.refs)
}

// ref resolves Ref: a parameter to its default, a resource to its logical
// id (and remembers the reference), a pseudo parameter to unresolved.
func (e *evaluator) ref(name string, line int) *node {
	switch {
	case name == "AWS::NoValue":
		return &node{kind: kindNoValue, line: line}
	case strings.HasPrefix(name, "AWS::"):
		return unresolved(line, "${"+name+"}", "pseudo parameter "+name+" is known only at deploy time", nil)
	}
	if p := e.s.params.get(name); p != nil {
		return e.param(name, p, line)
	}
	if _, ok := e.s.resources[name]; ok {
		return &node{kind: kindString, str: name, line: line, refs: []string{name}}
	}
	// SAM: "!Ref MyFunction.Alias" / ".Version" name what AutoPublishAlias creates.
	if base, suffix, ok := strings.Cut(name, "."); ok && e.s.resources[base] != nil && (suffix == "Alias" || suffix == "Version") {
		return &node{kind: kindString, str: name, line: line, refs: []string{base}}
	}
	e.s.warnf(line, "Ref %s names neither a parameter nor a resource of this template", name)
	return unresolved(line, "${"+name+"}", name+" is not defined in this template", nil)
}

// param resolves a parameter reference to the value given by a parent
// stack, else its Default. Parameters read from SSM at deploy time, and
// parameters without a default, are unresolved.
func (e *evaluator) param(name string, p *node, line int) *node {
	typ := ""
	if t := p.get("Type"); t != nil && t.kind == kindString {
		typ = t.str
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
		return unresolved(line, "${"+name+"}", "parameter "+name+" is read from SSM Parameter Store at deploy time", nil)
	}
	def, given := e.s.paramValues[name]
	if !given {
		def = p.get("Default")
	}
	if def == nil || def.kind == kindNull {
		return unresolved(line, "${"+name+"}", "parameter "+name+" has no Default: its value is given at deploy time", nil)
	}
	if def.kind == kindString && (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) {
		return splitList(def.str, ",", true, line)
	}
	c := *def
	c.line = line
	return &c
}

// getAtt is always unresolved (attributes exist only once deployed); it
// remembers the resource it names.
func (e *evaluator) getAtt(arg *node, line int) *node {
	var res, attr string
	switch {
	case arg.kind == kindString:
		res, attr, _ = strings.Cut(arg.str, ".")
	case arg.kind == kindList && len(arg.list) == 2 && arg.list[0].kind == kindString:
		res = arg.list[0].str
		attr, _ = e.scalar(arg.list[1])
	default:
		e.s.warnf(line, "Fn::GetAtt takes [resource, attribute], not %s", arg.describe())
		return unresolved(line, "${GetAtt}", "malformed Fn::GetAtt", nil)
	}
	var refs []string
	if _, ok := e.s.resources[res]; ok {
		refs = []string{res}
	} else {
		e.s.warnf(line, "Fn::GetAtt %s.%s names no resource of this template", res, attr)
	}
	return unresolved(line, "${"+res+"."+attr+"}", "Fn::GetAtt "+res+"."+attr+" is known only once deployed", refs)
}

// strBuilder assembles strings from resolved and unresolved pieces.
type strBuilder struct {
	b    strings.Builder
	ok   bool
	why  []string
	refs []string
}

func newStrBuilder() *strBuilder { return &strBuilder{ok: true} }

func (sb *strBuilder) add(v *node) {
	sb.refs = append(sb.refs, v.refs...)
	switch v.kind {
	case kindString:
		sb.b.WriteString(v.str)
	case kindUnresolved:
		sb.ok = false
		if !slices.Contains(sb.why, v.why) && len(sb.why) < 3 {
			sb.why = append(sb.why, v.why)
		}
		sb.b.WriteString(v.str)
	case kindNoValue, kindNull:
	default:
		sb.ok = false
		sb.why = append(sb.why, "a "+strings.TrimPrefix(v.describe(), "a ")+" where a string is expected")
		sb.b.WriteString("${…}")
	}
}

func (sb *strBuilder) node(line int) *node {
	if sb.b.Len() > maxEvalString {
		return unresolved(line, "${…}", "the value is longer than 1 MiB", sb.refs)
	}
	if sb.ok {
		return &node{kind: kindString, str: sb.b.String(), line: line, refs: sb.refs}
	}
	return unresolved(line, sb.b.String(), strings.Join(sb.why, "; "), sb.refs)
}

// sub evaluates Fn::Sub: "${Param}", "${Resource}", "${Resource.Attr}",
// "${AWS::Region}", variables of the second form, and "${!Literal}".
func (e *evaluator) sub(arg *node, line int) *node {
	tmpl, vars := arg, (*node)(nil)
	if arg.kind == kindList && len(arg.list) >= 1 && len(arg.list) <= 2 {
		tmpl = arg.list[0]
		if len(arg.list) == 2 {
			vars = arg.list[1]
		}
	}
	if tmpl.kind != kindString {
		e.s.warnf(line, "Fn::Sub takes a string or [string, variables], not %s", arg.describe())
		return unresolved(line, "${Sub}", "malformed Fn::Sub", nil)
	}
	sb := newStrBuilder()
	s := tmpl.str
	for sb.b.Len() <= maxEvalString {
		i := strings.Index(s, "${")
		if i < 0 {
			sb.b.WriteString(s)
			break
		}
		sb.b.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			sb.b.WriteString(s[i:])
			break
		}
		name := strings.TrimSpace(rest[:j])
		s = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			sb.b.WriteString("${" + name[1:] + "}")
			continue
		}
		sb.add(e.subVar(name, vars, line))
	}
	return sb.node(line)
}

func (e *evaluator) subVar(name string, vars *node, line int) *node {
	if v := vars.get(name); v != nil {
		return e.eval(v)
	}
	if res, attr, ok := strings.Cut(name, "."); ok && e.s.params.get(name) == nil {
		if _, isRes := e.s.resources[res]; isRes || !strings.HasPrefix(res, "AWS::") {
			return e.getAtt(&node{kind: kindString, str: res + "." + attr, line: line}, line)
		}
	}
	return e.ref(name, line)
}

// join evaluates Fn::Join [delimiter, list].
func (e *evaluator) join(arg *node, line int) *node {
	if arg.kind != kindList || len(arg.list) != 2 {
		e.s.warnf(line, "Fn::Join takes [delimiter, list], not %s", arg.describe())
		return unresolved(line, "${Join}", "malformed Fn::Join", nil)
	}
	delim := e.eval(arg.list[0])
	list := e.eval(arg.list[1])
	if list.kind != kindList {
		return unresolved(line, "${Join}", whyOr(list, "Fn::Join of a list known only at deploy time"), list.refs)
	}
	sb := newStrBuilder()
	for i, item := range list.list {
		if i > 0 {
			sb.add(delim)
		}
		sb.add(item)
		if sb.b.Len() > maxEvalString {
			break
		}
	}
	return sb.node(line)
}

// ifFn evaluates Fn::If [condition, then, else]. When the condition cannot
// be evaluated, the result is unresolved unless both branches agree; the
// branches are kept (alternatives) for the IAM rating, which reads the
// wider one.
func (e *evaluator) ifFn(arg *node, line int) *node {
	if arg.kind != kindList || len(arg.list) != 3 || arg.list[0].kind != kindString {
		e.s.warnf(line, "Fn::If takes [condition, value if true, value if false], not %s", arg.describe())
		return unresolved(line, "${If}", "malformed Fn::If", nil)
	}
	name := arg.list[0].str
	switch e.condition(name, line) {
	case triTrue:
		return e.eval(arg.list[1])
	case triFalse:
		return e.eval(arg.list[2])
	}
	a, b := e.eval(arg.list[1]), e.eval(arg.list[2])
	if a.kind == kindString && b.kind == kindString && a.str == b.str {
		return a
	}
	u := unresolved(line, "${If "+name+"}", "condition "+name+" cannot be evaluated locally", append(slices.Clone(a.refs), b.refs...))
	u.list = []*node{a, b}
	return u
}

// selectFn evaluates Fn::Select [index, list].
func (e *evaluator) selectFn(arg *node, line int) *node {
	if arg.kind != kindList || len(arg.list) != 2 {
		e.s.warnf(line, "Fn::Select takes [index, list], not %s", arg.describe())
		return unresolved(line, "${Select}", "malformed Fn::Select", nil)
	}
	idx, ok := e.scalar(arg.list[0])
	list := e.eval(arg.list[1])
	if !ok || list.kind != kindList {
		return unresolved(line, "${Select}", whyOr(list, "Fn::Select from a list known only at deploy time"), list.refs)
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(list.list) {
		e.s.warnf(line, "Fn::Select index %q is not within the list's %d items", idx, len(list.list))
		return unresolved(line, "${Select}", "Fn::Select index out of range", nil)
	}
	return list.list[i]
}

// split evaluates Fn::Split [delimiter, string].
func (e *evaluator) split(arg *node, line int) *node {
	if arg.kind != kindList || len(arg.list) != 2 {
		e.s.warnf(line, "Fn::Split takes [delimiter, string], not %s", arg.describe())
		return unresolved(line, "${Split}", "malformed Fn::Split", nil)
	}
	delim, ok1 := e.scalar(arg.list[0])
	v := e.eval(arg.list[1])
	if !ok1 || v.kind != kindString || delim == "" {
		return unresolved(line, "${Split}", "Fn::Split of a value known only at deploy time", v.refs)
	}
	return splitList(v.str, delim, false, line)
}

// whyOr returns why a value is unresolved, or a default reason.
func whyOr(v *node, def string) string {
	if v != nil && v.kind == kindUnresolved && v.why != "" {
		return v.why
	}
	return def
}

// splitList splits a string into a list value, of at most maxListItems.
func splitList(s, delim string, trim bool, line int) *node {
	if strings.Count(s, delim) >= maxListItems {
		return unresolved(line, "${Split}", fmt.Sprintf("the list has more than %d items", maxListItems), nil)
	}
	out := &node{kind: kindList, line: line}
	for _, part := range strings.Split(s, delim) {
		if trim {
			part = strings.TrimSpace(part)
		}
		out.list = append(out.list, &node{kind: kindString, str: part, line: line})
	}
	return out
}

// findInMap evaluates Fn::FindInMap [map, top key, second key] on the
// static Mappings, with the DefaultValue of AWS::LanguageExtensions.
func (e *evaluator) findInMap(arg *node, line int) *node {
	if arg.kind != kindList || len(arg.list) < 3 || len(arg.list) > 4 {
		e.s.warnf(line, "Fn::FindInMap takes [map, top-level key, second-level key], not %s", arg.describe())
		return unresolved(line, "${FindInMap}", "malformed Fn::FindInMap", nil)
	}
	keys := make([]string, 3)
	for i := range keys {
		k, ok := e.scalar(arg.list[i])
		if !ok {
			return unresolved(line, "${FindInMap}", "Fn::FindInMap key known only at deploy time", nil)
		}
		keys[i] = k
	}
	if v := e.s.mappings.get(keys[0]).get(keys[1]).get(keys[2]); v != nil {
		c := *v
		c.line = line
		return &c
	}
	if len(arg.list) == 4 {
		if d := arg.list[3].get("DefaultValue"); d != nil {
			return e.eval(d)
		}
	}
	e.s.warnf(line, "Fn::FindInMap: Mappings has no %s.%s.%s", keys[0], keys[1], keys[2])
	return unresolved(line, "${FindInMap}", "Mappings has no "+strings.Join(keys, "."), nil)
}

// condition evaluates a named condition, once; a condition met again
// while being evaluated is circular, reported and left unknown.
func (e *evaluator) condition(name string, line int) tri {
	if st, ok := e.conds[name]; ok {
		if st == triPending {
			e.s.warnf(line, "condition %s is circular: it depends on itself", name)
			return triUnknown
		}
		return st
	}
	def := e.s.conditions.get(name)
	if def == nil {
		e.s.warnf(line, "condition %s is not defined in Conditions", name)
		e.conds[name] = triUnknown
		return triUnknown
	}
	if e.condDepth >= maxConditionDepth {
		e.s.warnf(line, "conditions depend on each other more than %d deep: %s is not evaluated", maxConditionDepth, name)
		return triUnknown
	}
	e.conds[name] = triPending
	e.condDepth++
	st := e.condExpr(def, 0)
	e.condDepth--
	e.conds[name] = st
	return st
}

// condExpr evaluates a condition function (Fn::Equals, Fn::Not, Fn::And,
// Fn::Or, Condition) in three-valued logic.
func (e *evaluator) condExpr(n *node, depth int) tri {
	if depth > maxDepth {
		return triUnknown
	}
	e.steps++
	name := n.intrinsicName()
	if name == "" {
		if v, ok := e.scalar(n); ok && (v == "true" || v == "false") {
			return boolTri(v == "true")
		}
		return triUnknown
	}
	arg := n.fields[0].val
	switch name {
	case "Condition":
		if arg.kind != kindString {
			return triUnknown
		}
		return e.condition(arg.str, n.line)
	case "Fn::Equals":
		if arg.kind != kindList || len(arg.list) != 2 {
			e.s.warnf(n.line, "Fn::Equals takes two values, not %s", arg.describe())
			return triUnknown
		}
		return equalValues(e.eval(arg.list[0]), e.eval(arg.list[1]))
	case "Fn::Not":
		if arg.kind != kindList || len(arg.list) != 1 {
			e.s.warnf(n.line, "Fn::Not takes one condition, not %s", arg.describe())
			return triUnknown
		}
		switch e.condExpr(arg.list[0], depth+1) {
		case triTrue:
			return triFalse
		case triFalse:
			return triTrue
		}
		return triUnknown
	case "Fn::And", "Fn::Or":
		if arg.kind != kindList {
			e.s.warnf(n.line, "%s takes a list of conditions, not %s", name, arg.describe())
			return triUnknown
		}
		return e.andOr(name == "Fn::And", arg.list, depth)
	}
	return triUnknown
}

func (e *evaluator) andOr(and bool, conds []*node, depth int) tri {
	decisive, other := triFalse, triTrue
	if !and {
		decisive, other = triTrue, triFalse
	}
	result := other
	for _, c := range conds {
		switch e.condExpr(c, depth+1) {
		case decisive:
			return decisive
		case triUnknown:
			result = triUnknown
		}
	}
	return result
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// equalValues compares two evaluated values as CloudFormation does: as strings.
func equalValues(a, b *node) tri {
	if a.kind == kindString && b.kind == kindString {
		return boolTri(a.str == b.str)
	}
	if a.kind == kindList && b.kind == kindList {
		if len(a.list) != len(b.list) {
			return triFalse
		}
		result := triTrue
		for i := range a.list {
			switch equalValues(a.list[i], b.list[i]) {
			case triFalse:
				return triFalse
			case triUnknown:
				result = triUnknown
			}
		}
		return result
	}
	return triUnknown
}

// collectRefs returns the resource names an unevaluated value mentions
// through Ref and Fn::GetAtt (bounded by depth).
func collectRefs(n *node, depth int) []string {
	if n == nil || depth > maxDepth {
		return nil
	}
	var out []string
	switch n.kind {
	case kindList:
		for _, item := range n.list {
			out = append(out, collectRefs(item, depth+1)...)
		}
	case kindMap:
		switch n.intrinsicName() {
		case "Ref":
			if v := n.fields[0].val; v.kind == kindString {
				return []string{v.str}
			}
		case "Fn::GetAtt":
			if v := n.fields[0].val; v.kind == kindList && len(v.list) > 0 && v.list[0].kind == kindString {
				return []string{v.list[0].str}
			}
		}
		for _, f := range n.fields {
			out = append(out, collectRefs(f.val, depth+1)...)
		}
	}
	return out
}

// display renders an evaluated value for a trigger's detail: a resolved
// string as it is, a reference to a resource by the resource's name.
func display(v *node) string {
	if v == nil {
		return "?"
	}
	switch v.kind {
	case kindString:
		return v.str
	case kindUnresolved:
		if len(v.refs) == 1 && (v.str == "${"+v.refs[0]+".Arn}" || strings.HasPrefix(v.str, "${"+v.refs[0]+".")) {
			return v.refs[0]
		}
		return v.str
	case kindList:
		parts := make([]string, 0, len(v.list))
		for _, item := range v.list {
			parts = append(parts, display(item))
		}
		return strings.Join(parts, ", ")
	}
	return "?"
}

// reason explains an unresolved value for a warning or a problem.
func reason(v *node) string {
	if v == nil {
		return "missing"
	}
	if v.kind == kindUnresolved {
		return fmt.Sprintf("%s: %s", v.str, v.why)
	}
	return "it is " + v.describe()
}
