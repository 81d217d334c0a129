package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// maxDepth bounds the nesting of the plan document: Terraform values nest a
// few dozen levels at most, a hostile file may nest thousands.
const maxDepth = 512

// document is a decoded plan: the JSON value and where each resource object
// starts.
type document struct {
	root map[string]any
	// lines maps section + "\x00" + resource address to the 1-based line of
	// the resource's object in that top-level section (planned_values,
	// prior_state, resource_changes).
	lines map[string]int
}

// line returns the line of the resource address in section, 0 when unknown.
func (d *document) line(section, addr string) int {
	return d.lines[section+"\x00"+addr]
}

// decodePlan decodes data, which must hold exactly one JSON object, and
// finds the lines of its resource objects.
func decodePlan(data []byte) (*document, error) {
	nl := newlines(data)
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("line %d: invalid JSON: %w", nl.line(se.Offset), err)
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("line 1: the plan is %s, not a JSON object", kindOf(v))
	}
	lines, err := resourceLines(data, nl)
	if err != nil {
		return nil, err
	}
	return &document{root: root, lines: lines}, nil
}

// newlineIndex holds the offsets of the newlines of a text.
type newlineIndex []int

func newlines(data []byte) newlineIndex {
	var nl newlineIndex
	for i, b := range data {
		if b == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// line returns the 1-based line of a byte offset.
func (nl newlineIndex) line(off int64) int {
	return sort.Search(len(nl), func(i int) bool { return int64(nl[i]) >= off }) + 1
}

// frame is an open object or array while scanning.
type frame struct {
	object    bool
	expectKey bool
	key       string // the object's current key
	section   string // the top-level key the frame is under
	resources bool   // an array whose elements are resources
	resource  bool   // an object that is a resource
	start     int    // offset of the opening delimiter
	address   string // the resource's address, when seen
}

// resourceLines scans valid JSON for the objects that are elements of a
// "resources" or "resource_changes" array and returns the line each starts
// on, keyed by section and address. It enforces maxDepth.
func resourceLines(data []byte, nl newlineIndex) (map[string]int, error) {
	lines := map[string]int{}
	var stack []*frame
	for i := 0; i < len(data); i++ {
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("line %d: JSON nested deeper than %d levels", nl.line(int64(i)), maxDepth)
			}
			f := &frame{object: c == '{', expectKey: c == '{', start: i}
			if top != nil {
				f.section = top.section
				f.resources = c == '[' && top.object && (top.key == "resources" || top.key == "resource_changes")
				f.resource = c == '{' && top.resources
			}
			stack = append(stack, f)
		case '}', ']':
			if top == nil {
				return lines, nil
			}
			stack = stack[:len(stack)-1]
			if top.resource && top.address != "" {
				k := top.section + "\x00" + top.address
				if _, seen := lines[k]; !seen {
					lines[k] = nl.line(int64(top.start))
				}
			}
		case ',':
			if top != nil && top.object {
				top.expectKey = true
			}
		case '"':
			end := stringEnd(data, i)
			lit := data[i : end+1]
			i = end
			switch {
			case top == nil:
			case top.object && top.expectKey:
				top.key, top.expectKey = unquote(lit), false
				if len(stack) == 1 {
					top.section = top.key
				}
			case top.resource && top.key == "address":
				top.address = unquote(lit)
			}
		}
	}
	return lines, nil
}

// stringEnd returns the offset of the quote that closes the string opened
// at data[open] (the last byte when it is not closed).
func stringEnd(data []byte, open int) int {
	for i := open + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data) - 1
}

// unquote decodes a JSON string literal; "" when it is not one.
func unquote(lit []byte) string {
	if len(lit) >= 2 && !bytes.ContainsAny(lit, "\\\x00") {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return ""
	}
	return s
}
