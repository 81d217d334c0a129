package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// maxJSONValues bounds the number of values (counted by their separators) in
// one JSON file: a function.json or host.json has a few dozen, and every value
// costs a YAML node in memory.
const maxJSONValues = 200_000

// errTooComplex is returned for a JSON file with more than maxJSONValues values.
var errTooComplex = fmt.Errorf("more than %d JSON values", maxJSONValues)

// jsonError is a JSON file that cannot be parsed, located at a line when the
// parser says which.
type jsonError struct {
	file string
	line int
	msg  string // what is wrong, when err does not say it well
	err  error
}

func (e *jsonError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.message())
	}
	return fmt.Sprintf("%s: %s", e.file, e.message())
}

// message is the error without its location.
func (e *jsonError) message() string {
	if e.msg != "" {
		return "invalid JSON: " + e.msg
	}
	return "invalid JSON: " + yamlMessage(e.err)
}

func (e *jsonError) Unwrap() error { return e.err }

// yamlLine matches the location prefix of go-yaml's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlMessage is a go-yaml error without its "yaml: line N:" prefix (the
// line is reported separately) and without the word YAML, which would
// puzzle someone who wrote JSON.
func yamlMessage(err error) string {
	msg := yamlLine.ReplaceAllString(err.Error(), "")
	return strings.TrimPrefix(msg, "yaml: ")
}

// parseJSON parses data (the contents of file) as JSON and returns its root
// value as a YAML node, which carries line numbers. It accepts what the
// Azure Functions host accepts beyond strict JSON (it reads these files
// with Json.NET): a byte order mark, // and /* */ comments, trailing commas.
// It never panics.
func parseJSON(file string, data []byte) (root *yaml.Node, err error) {
	clean, err := sanitizeJSON(data)
	if err != nil {
		return nil, &jsonError{file: file, err: err}
	}
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &jsonError{file: file, err: fmt.Errorf("parser failure: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(clean, &doc); err != nil {
		je := &jsonError{file: file, line: errorLine(err), err: err}
		if off, msg, ok := jsonSyntax(clean); ok {
			je.line, je.msg = 1+bytes.Count(clean[:off], []byte("\n")), msg
		}
		return nil, je
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &jsonError{file: file, err: errors.New("empty file")}
	}
	return doc.Content[0], nil
}

// jsonSyntax locates a syntax error in data with encoding/json, whose
// offsets are exact where go-yaml names the line a construct started on.
// ok is false when encoding/json finds no syntax error.
func jsonSyntax(data []byte) (offset int64, msg string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if err == nil {
			continue
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return min(se.Offset, int64(len(data))), se.Error(), true
		}
		return 0, "", false
	}
}

// errorLine is the line go-yaml names in err, or 0.
func errorLine(err error) int {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// sanitizeJSON turns Json.NET-flavoured JSON into text go-yaml reads as the
// same values on the same lines: the byte order mark is dropped, comments
// and tabs outside strings become spaces (newlines are kept), and the JSON
// escape \/ (unknown to YAML) becomes /. It also bounds the number of
// values.
func sanitizeJSON(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	out := make([]byte, 0, len(data))
	values := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			i = copyString(&out, data, i)
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			i = blankUntil(&out, data, i, "\n")
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			i = blankUntil(&out, data, i, "*/")
		case c == '\t':
			out = append(out, ' ')
		default:
			if c == ',' || c == ':' || c == '[' || c == '{' {
				values++
				if values > maxJSONValues {
					return nil, errTooComplex
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// copyString appends the double-quoted string starting at data[start] to out
// and returns the index of its closing quote (or the last byte).
func copyString(out *[]byte, data []byte, start int) int {
	*out = append(*out, '"')
	for i := start + 1; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\\' && i+1 < len(data) && data[i+1] == '/':
			*out = append(*out, '/')
			i++
		case c == '\\' && i+1 < len(data):
			*out = append(*out, c, data[i+1])
			i++
		case c == '"':
			*out = append(*out, c)
			return i
		default:
			*out = append(*out, c)
		}
	}
	return len(data) - 1
}

// blankUntil replaces the comment starting at data[start] with spaces up to
// and including end (a "\n" end is kept), keeping the newlines inside, and
// returns the index of the comment's last byte.
func blankUntil(out *[]byte, data []byte, start int, end string) int {
	rest := data[start+2:]
	n := bytes.Index(rest, []byte(end))
	stop := len(data)
	if n >= 0 {
		stop = start + 2 + n
		if end != "\n" {
			stop += len(end)
		}
	}
	for _, c := range data[start:stop] {
		if c == '\n' || c == '\r' {
			*out = append(*out, c)
		} else {
			*out = append(*out, ' ')
		}
	}
	return stop - 1
}

// field returns the value of key in mapping n, matching keys without regard
// to case as the Functions host does; when a key repeats, the last wins. It
// returns nil when n is not a mapping or has no such key.
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && strings.EqualFold(k.Value, key) {
			v = n.Content[i+1]
		}
	}
	return v
}

// text returns the value of a string scalar; ok is false for anything else
// (a number, a boolean, null, a list, an object, an alias).
func text(n *yaml.Node) (s string, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

// fieldText is the string value of key in mapping n, or "".
func fieldText(n *yaml.Node, key string) string {
	s, _ := text(field(n, key))
	return s
}

// scalar returns the value of any non-null scalar as written (a string, a
// number or a boolean); ok is false otherwise.
func scalar(n *yaml.Node) (s string, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

// lineOf is the line n starts on, or 0 for a nil node.
func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}
