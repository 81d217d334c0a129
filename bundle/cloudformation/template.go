package cloudformation

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on what a template may be. CloudFormation itself accepts at most 1
// MB; sam build output and CDK templates stay well below these.
const (
	maxTemplateBytes = 16 << 20
	// maxNodes bounds the values a template expands to once YAML aliases
	// are followed: an alias bomb fails here instead of eating memory.
	// Aliases may expand a template to aliasFactor times its own size
	// (at least minNodeBudget values), within maxNodes.
	maxNodes      = 2_000_000
	minNodeBudget = 200_000
	aliasFactor   = 4
	// maxDepth bounds nesting, so that recursion over the tree is bounded.
	maxDepth = 200
)

// kind is the kind of a template value.
type kind uint8

const (
	kindNull kind = iota
	// kindString is any scalar: strings, numbers and booleans keep their
	// text, as CloudFormation compares them.
	kindString
	kindList
	kindMap
	// kindUnresolved is the result of an intrinsic function fnaudit cannot
	// evaluate locally: str holds a readable rendering, why the reason.
	kindUnresolved
	// kindNoValue is Ref AWS::NoValue: the property is removed.
	kindNoValue
)

// field is one key of a mapping.
type field struct {
	key  string
	line int
	val  *node
}

// node is a template value with the line it was written on. Intrinsic
// functions are kept in their long form ({"Ref": x}, {"Fn::GetAtt": [...]}):
// short YAML tags are rewritten to it while reading.
type node struct {
	kind   kind
	str    string
	fields []field
	index  map[string]int
	list   []*node
	line   int
	// why says, for an unresolved value, what could not be resolved.
	why string
	// refs are the logical ids of the resources an evaluated value was
	// computed from (Ref, Fn::GetAtt, ${X} in Fn::Sub), for linking
	// resources to each other.
	refs []string
}

// get returns the value of a mapping's key, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	if i, ok := n.index[key]; ok {
		return n.fields[i].val
	}
	return nil
}

// keyLine returns the line of a mapping's key, or the mapping's own line.
func (n *node) keyLine(key string) int {
	if n != nil && n.kind == kindMap {
		if i, ok := n.index[key]; ok {
			return n.fields[i].line
		}
		return n.line
	}
	if n == nil {
		return 0
	}
	return n.line
}

// set adds or replaces a key of a mapping node.
func (n *node) set(key string, line int, val *node) {
	if n.index == nil {
		n.index = map[string]int{}
	}
	if i, ok := n.index[key]; ok {
		n.fields[i] = field{key: key, line: line, val: val}
		return
	}
	n.index[key] = len(n.fields)
	n.fields = append(n.fields, field{key: key, line: line, val: val})
}

// describe names a value's type for messages.
func (n *node) describe() string {
	if n == nil {
		return "nothing"
	}
	switch n.kind {
	case kindString:
		return "a string"
	case kindList:
		return "a list"
	case kindMap:
		return "a mapping"
	case kindUnresolved:
		return "an unresolved value"
	}
	return "null"
}

// intrinsicName returns the name of the intrinsic function a mapping is
// ("Ref", "Fn::Sub", "Condition"), or "".
func (n *node) intrinsicName() string {
	if n == nil || n.kind != kindMap || len(n.fields) != 1 {
		return ""
	}
	k := n.fields[0].key
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k
	}
	return ""
}

// ParseError is a template (or CDK manifest) that cannot be read, located
// at a line when the parser says where.
type ParseError struct {
	File string
	Line int
	Msg  string
	Err  error
}

// Error formats the error as "file:line: message".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap returns the parser's own error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// ErrTooLarge is returned for a template beyond the size or expansion bounds.
var ErrTooLarge = errors.New("template too large")

// readTemplateFile reads and parses a template file (YAML or JSON) into a
// node tree; duplicate keys are warnings.
func readTemplateFile(path string, w *warnings) (*node, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading template %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading template %s: %w", path, err)
	}
	if len(data) > maxTemplateBytes {
		return nil, &ParseError{File: path, Msg: fmt.Sprintf("template is larger than %d MiB: fnaudit does not read it "+
			"(CloudFormation accepts at most 1 MB)", maxTemplateBytes>>20), Err: ErrTooLarge}
	}
	return parseTemplate(path, data, w)
}

// parseTemplate parses template text. YAML parser panics are recovered
// and returned as errors: the input is hostile.
func parseTemplate(path string, data []byte, w *warnings) (root *node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &ParseError{File: path, Msg: fmt.Sprintf("parsing yaml: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &ParseError{File: path, Msg: "template is empty"}
	}
	c := &converter{path: path, warn: w, limit: min(maxNodes, max(minNodeBudget, aliasFactor*countNodes(&doc, 0)))}
	root, err = c.convert(doc.Content[0], 0)
	if err != nil {
		return nil, err
	}
	if root.kind != kindMap {
		return nil, &ParseError{File: path, Line: root.line, Msg: fmt.Sprintf("template is %s, not a mapping", root.describe())}
	}
	return root, nil
}

var (
	yamlLineRe   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorRe = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)
)

// yamlError turns a yaml.v3 error into a ParseError naming the line.
// yaml.v3 reports parser errors ("did not find expected ...") at the
// 0-based line of the construct being parsed and scanner errors at their
// 1-based line; unknown anchors carry no line, so the alias is looked up.
func yamlError(path string, data []byte, err error) error {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if strings.HasPrefix(m[2], "did not find expected") {
			line++
		}
		return &ParseError{File: path, Line: line, Msg: "parsing yaml: " + m[2], Err: err}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlAnchorRe.FindStringSubmatch(msg); m != nil {
		return &ParseError{File: path, Line: lineOf(data, "*"+m[1]), Msg: "parsing yaml: alias *" + m[1] + " refers to an undefined anchor", Err: err}
	}
	return &ParseError{File: path, Msg: "parsing yaml: " + msg, Err: err}
}

// lineOf returns the 1-based line of the first occurrence of s in data, or 0.
func lineOf(data []byte, s string) int {
	i := strings.Index(string(data), s)
	if i < 0 {
		return 0
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

// converter turns a yaml.Node tree into nodes, expanding aliases and merge
// keys within bounds.
type converter struct {
	path  string
	warn  *warnings
	nodes int
	limit int
}

// countNodes counts the nodes of a YAML tree without following aliases.
func countNodes(y *yaml.Node, depth int) int {
	if depth > maxDepth {
		return 1
	}
	n := 1
	for _, c := range y.Content {
		n += countNodes(c, depth+1)
	}
	return n
}

func (c *converter) fail(line int, format string, args ...any) error {
	return &ParseError{File: c.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (c *converter) convert(y *yaml.Node, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, c.fail(y.Line, "values nested deeper than %d levels", maxDepth)
	}
	c.nodes++
	if c.nodes > c.limit {
		return nil, &ParseError{File: c.path, Line: y.Line, Msg: fmt.Sprintf("template expands to more than %d values "+
			"(YAML aliases repeated too often?)", c.limit), Err: ErrTooLarge}
	}
	var n *node
	var err error
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, c.fail(y.Line, "alias to an undefined anchor")
		}
		return c.convert(y.Alias, depth+1)
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, line: y.Line}, nil
		}
		return c.convert(y.Content[0], depth+1)
	case yaml.ScalarNode:
		n = &node{kind: kindString, str: y.Value, line: y.Line}
		if y.Tag == "!!null" {
			n = &node{kind: kindNull, line: y.Line}
		}
	case yaml.SequenceNode:
		n = &node{kind: kindList, line: y.Line, list: make([]*node, 0, len(y.Content))}
		for _, item := range y.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, v)
		}
	case yaml.MappingNode:
		n, err = c.mapping(y, depth)
		if err != nil {
			return nil, err
		}
	default:
		return nil, c.fail(y.Line, "unexpected yaml node")
	}
	return c.shortForm(y, n), nil
}

// mapping converts a mapping, applying YAML merge keys ("<<: *base"):
// merged keys never override keys written in the mapping itself.
func (c *converter) mapping(y *yaml.Node, depth int) (*node, error) {
	n := &node{kind: kindMap, line: y.Line, index: map[string]int{}}
	var merges []*node
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		val, err := c.convert(v, depth+1)
		if err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, c.fail(k.Line, "mapping key is not a string")
		}
		if _, dup := n.index[k.Value]; dup {
			c.warn.add(fmt.Sprintf("%s:%d: key %s is given twice in this mapping: the last one is read", c.path, k.Line, k.Value))
		}
		n.set(k.Value, k.Line, val)
	}
	for _, m := range merges {
		sources := []*node{m}
		if m.kind == kindList {
			sources = m.list
		}
		for _, s := range sources {
			if s.kind != kindMap {
				return nil, c.fail(s.line, "merge key value is %s, not a mapping", s.describe())
			}
			for _, f := range s.fields {
				if _, ok := n.index[f.key]; !ok {
					n.set(f.key, f.line, f.val)
				}
			}
		}
	}
	return n, nil
}

// shortForm rewrites a value tagged with a CloudFormation short form (!Ref,
// !GetAtt A.B, !Sub, ...) into its long form.
func (c *converter) shortForm(y *yaml.Node, n *node) *node {
	tag := y.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return n
	}
	name := tag[1:]
	wrap := func(key string, v *node) *node {
		m := &node{kind: kindMap, line: n.line}
		m.set(key, n.line, v)
		return m
	}
	switch name {
	case "Ref", "Condition":
		return wrap(name, n)
	case "GetAtt":
		if n.kind == kindString {
			res, attr, _ := strings.Cut(n.str, ".")
			return wrap("Fn::GetAtt", &node{kind: kindList, line: n.line, list: []*node{
				{kind: kindString, str: res, line: n.line}, {kind: kindString, str: attr, line: n.line}}})
		}
		return wrap("Fn::GetAtt", n)
	}
	return wrap("Fn::"+name, n)
}
