package markdown

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxText caps one value taken from the report, in runes, so that a single
// hostile or verbose value (an error message, a summary) cannot take over
// the comment.
const maxText = 300

// escaped are the ASCII punctuation characters that start an inline
// construct in GitHub-flavoured Markdown (code, emphasis, links, autolinks
// and raw HTML, entities, strikethrough, table cells, math) or escape the
// next one.
const escaped = "\\`*_[]<>&~|$"

// text makes s one line of inert Markdown: whitespace and control characters
// become single spaces, long values are cut, inline punctuation is
// backslash-escaped, URLs are kept from becoming links, and @mentions and
// #123 references become code spans.
func text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := reference(s, i); n > 0 {
			b.WriteString("`" + s[i:i+n] + "`")
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < utf8.RuneSelf && strings.ContainsRune(escaped, r) || autolinks(s, i) {
			b.WriteByte('\\')
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// autolinks says whether s[i] is the ':' of "://" or the '.' of a word
// starting with "www.": GitHub would turn the text around it into a link;
// escaping that one character keeps it text.
func autolinks(s string, i int) bool {
	switch s[i] {
	case ':':
		return strings.HasPrefix(s[i+1:], "//")
	case '.':
		if i < 3 || !strings.EqualFold(s[i-3:i], "www") {
			return false
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:i-3])
		return i == 3 || !isWord(prev)
	}
	return false
}

// oneLine replaces runs of whitespace and control characters with one space,
// trims, and cuts s to maxText runes.
func oneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError
	}), " ")
	if utf8.RuneCountInString(s) > maxText {
		s = string([]rune(s)[:maxText-1]) + "…"
	}
	return s
}

// reference returns the length of the @mention (@user, @org/team) or issue
// reference (#123) that starts at s[i], or 0. GitHub turns these into
// notifications and cross-links everywhere but in code.
func reference(s string, i int) int {
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if isWord(prev) {
			return 0
		}
	}
	var ok func(rune) bool
	switch s[i] {
	case '@':
		ok = func(r rune) bool { return isWord(r) || r == '-' || r == '.' || r == '/' }
	case '#':
		ok = func(r rune) bool { return r >= '0' && r <= '9' }
	default:
		return 0
	}
	n := 1
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[i+n:])
		if !ok(r) {
			break
		}
		n += size
	}
	if n == 1 {
		return 0
	}
	return n
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// code returns s as a code span when it holds only letters, digits and
// punctuation that is inert in code (package coordinates such as
// "@types/node@1.0.0" or "3.0.11-1~deb12u2"); anything else as [text].
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	for _, r := range s {
		if !isWord(r) && !strings.ContainsRune("@/.:+~=-, %#", r) {
			return text(s)
		}
	}
	return "`" + s + "`"
}

// osvLink links an advisory ID to its osv.dev page. The ID is escaped as
// link text and percent-encoded in the URL, so it can neither close the link
// nor change its target.
func osvLink(id string) string {
	if id == "" {
		return "—"
	}
	return "[" + text(id) + "](https://osv.dev/vulnerability/" + pathEscape(id) + ")"
}

// pathEscape percent-encodes every byte of s but letters, digits and
// "-._:" (what OSV IDs are made of), so that nothing in a link destination
// can be read as Markdown, an entity or a path separator.
func pathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && (isWord(rune(c)) && c != '_' || strings.IndexByte("-.:", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
