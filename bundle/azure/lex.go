package azure

import (
	"sort"
	"strings"
)

// This file holds the small lexical helpers the code-first scanners share.
// They understand strings and comments of JavaScript/TypeScript and Python
// well enough to find calls and decorators and to read literal arguments;
// anything else is reported as not readable.

// lang selects the string and comment syntax of a source file.
type lang int

const (
	langJS lang = iota
	langPython
)

// maxCallBytes bounds the argument text of one call or decorator.
const maxCallBytes = 64 << 10

// blankComments returns src with comments replaced by spaces (newlines are
// kept, so offsets and lines do not move).
func blankComments(src string, l lang) string {
	b := []byte(src)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"' || c == '\'' || (c == '`' && l == langJS):
			i = skipString(src, i, l) - 1
		case l == langPython && c == '#':
			i = blankTo(b, i, "\n")
		case l == langJS && c == '/' && i+1 < len(b) && b[i+1] == '/':
			i = blankTo(b, i, "\n")
		case l == langJS && c == '/' && i+1 < len(b) && b[i+1] == '*':
			i = blankTo(b, i, "*/")
		}
	}
	return string(b)
}

// blankTo blanks b from i to the end marker (a "\n" is kept) and returns
// the index of the last byte blanked.
func blankTo(b []byte, i int, end string) int {
	j := strings.Index(string(b[i+1:]), end)
	stop := len(b)
	if j >= 0 {
		stop = i + 1 + j
		if end != "\n" {
			stop += len(end)
		}
	}
	for k := i; k < stop; k++ {
		if b[k] != '\n' && b[k] != '\r' {
			b[k] = ' '
		}
	}
	return stop - 1
}

// skipString returns the index just past the string literal starting at
// src[i] (a quote). Python triple quotes are understood; an unterminated
// string ends at the end of its line (or of the file for a triple quote).
func skipString(src string, i int, l lang) int {
	q := src[i : i+1]
	if l == langPython && strings.HasPrefix(src[i:], strings.Repeat(q, 3)) {
		q = strings.Repeat(q, 3)
	}
	for j := i + len(q); j < len(src); j++ {
		switch {
		case src[j] == '\\':
			j++
		case strings.HasPrefix(src[j:], q):
			return j + len(q)
		case src[j] == '\n' && len(q) == 1 && q != "`":
			return j
		}
	}
	return len(src)
}

// matchParen returns the text between the bracket at src[open] and its
// match, and the index just past the match; ok is false when there is none
// within maxCallBytes.
func matchParen(src string, open int, l lang) (inner string, end int, ok bool) {
	depth := 0
	limit := min(len(src), open+maxCallBytes)
	for i := open; i < limit; i++ {
		switch c := src[i]; c {
		case '"', '\'', '`':
			if c == '`' && l != langJS {
				continue
			}
			i = skipString(src, i, l) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return src[open+1 : i], i + 1, true
			}
		}
	}
	return "", open + 1, false
}

// splitTop splits s at the commas that are not inside brackets or strings;
// empty trailing parts are dropped.
func splitTop(s string, l lang) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			if c == '`' && l != langJS {
				continue
			}
			i = skipString(s, i, l) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(s[start:]); last != "" {
		parts = append(parts, last)
	}
	return parts
}

// splitKey splits "key: value" (JavaScript) or "key=value" (Python) at the
// first top-level separator; ok is false when there is none.
func splitKey(s string, sep byte, l lang) (key, value string, ok bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			if c == '`' && l != langJS {
				continue
			}
			i = skipString(s, i, l) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case sep:
			if depth == 0 && (sep != '=' || (i+1 < len(s) && s[i+1] != '=')) {
				return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
			}
		}
	}
	return "", "", false
}

// stringLit reads s as one string literal without interpolation; ok is false
// for anything else (an f-string, a template with ${}, an expression).
func stringLit(s string, l lang) (string, bool) {
	s = strings.TrimSpace(s)
	if l == langPython {
		s = strings.TrimLeft(s, "rRuUbB")
	}
	if len(s) < 2 {
		return "", false
	}
	q := s[:1]
	if q != `"` && q != "'" && (q != "`" || l != langJS) {
		return "", false
	}
	if l == langPython && len(s) >= 6 && strings.HasPrefix(s, q+q+q) {
		q = q + q + q
	}
	if !strings.HasSuffix(s, q) || len(s) < 2*len(q) || skipString(s, 0, l) != len(s) {
		return "", false
	}
	body := s[len(q) : len(s)-len(q)]
	if q == "`" && strings.Contains(body, "${") {
		return "", false
	}
	return unescape(body), true
}

// unescape undoes the common backslash escapes.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\\`, `\`, `\'`, `'`, `\"`, `"`, "\\`", "`", `\n`, "\n", `\t`, "\t", `\/`, `/`)
	return r.Replace(s)
}

// atom reads a literal value: a string, a number, a boolean, or a member of
// one of the Azure Functions enums (func.AuthLevel.ANONYMOUS,
// HttpMethod.GET), whose last name is taken. ok is false for any other
// expression.
func atom(s string, l lang) (string, bool) {
	if v, ok := stringLit(s, l); ok {
		return v, true
	}
	s = strings.TrimSpace(s)
	switch s {
	case "true", "false", "True", "False":
		return strings.ToLower(s), true
	}
	if s != "" && strings.Trim(s, "0123456789.-") == "" {
		return s, true
	}
	segs := strings.Split(s, ".")
	if len(segs) >= 2 && isIdent(segs[len(segs)-1]) {
		switch segs[len(segs)-2] {
		case "AuthLevel", "HttpMethod", "AuthorizationLevel":
			return segs[len(segs)-1], true
		}
	}
	return "", false
}

// list reads a list (or tuple) of atoms, or one atom; ok is false when any
// element is not a literal.
func list(s string, l lang) ([]string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if s[0] != '[' && s[0] != '(' {
		v, ok := atom(s, l)
		return []string{v}, ok
	}
	inner, end, ok := matchParen(s, 0, l)
	if !ok || end != len(s) {
		return nil, false
	}
	var out []string
	for _, p := range splitTop(inner, l) {
		v, ok := atom(p, l)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// isIdent says whether s is an identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// lines maps offsets of a text to 1-based line numbers.
type lines []int

// newLines indexes the newlines of src.
func newLines(src string) lines {
	var l lines
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l = append(l, i)
		}
	}
	return l
}

// at is the line of offset off.
func (l lines) at(off int) int {
	return sort.SearchInts(l, off) + 1
}
