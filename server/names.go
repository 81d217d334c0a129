package server

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxName bounds an application, function or advisory name taken from a
// URL or an upload.
const maxName = 512

// errBadName is wrapped by every name that is refused before any lookup.
var errBadName = errors.New("invalid name")

// errBadID is wrapped by every entry id that is refused before any lookup.
var errBadID = errors.New("invalid id")

// checkName refuses names no store lookup should see: empty, longer than
// 512 bytes, not UTF-8, with control characters, or with a "." or ".."
// path element (a traversal attempt such as "../../etc", which a name
// decoded from "..%2F" in a URL can be). Names are only ever bound as SQL
// parameters and compared; this keeps hostile ones out of logs and pages.
func checkName(kind, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty %s name", errBadName, kind)
	case len(s) > maxName:
		return fmt.Errorf("%w: %s name longer than %d bytes", errBadName, kind, maxName)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s name is not UTF-8", errBadName, kind)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: %s name has a control character", errBadName, kind)
	}
	for _, elem := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		if elem == "." || elem == ".." {
			return fmt.Errorf("%w: %s name has a %q path element", errBadName, kind, elem)
		}
	}
	if s == "." || s == ".." || strings.Trim(s, "/\\") == "" {
		return fmt.Errorf("%w: %s name %q", errBadName, kind, s)
	}
	return nil
}

// parseID reads an entry ID: decimal digits only, at most 18 of them, not
// zero.
func parseID(s string) (int64, error) {
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%w: scan id %q: want a number from 1, at most 18 digits", errBadID, clip(s))
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: scan id %q: want a number from 1, at most 18 digits", errBadID, clip(s))
	}
	return id, nil
}

// clip shortens a value echoed in a message and makes it printable.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

// safeFileName makes a download's file name from parts: every byte outside
// [A-Za-z0-9._-] becomes "_", parts are joined with "_", the result is cut
// to 200 bytes, and it never starts with a dot.
func safeFileName(ext string, parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('_')
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
				b.WriteByte(c)
			} else {
				b.WriteByte('_')
			}
		}
	}
	s := b.String()
	if len(s) > 200 {
		s = s[:200]
	}
	if s == "" || s[0] == '.' {
		s = "_" + s
	}
	return s + ext
}
