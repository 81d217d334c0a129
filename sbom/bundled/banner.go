package bundled

import (
	"bytes"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Bounds of the comment scan of one file.
const (
	maxComments     = 10_000
	maxCommentBytes = 64 << 10
	bannerLines     = 6 // how many first lines of a comment name its package
)

// banner is what a legal comment says of the package it comes from.
type banner struct {
	// name is the name the comment gives ("moment.js", "jQuery"), or, for
	// esbuild's list of bundled licences, the package the comment came
	// from; "" when neither is known.
	name string
	// version is the version the comment gives, "" when none.
	version string
	// ref is the package esbuild's list of bundled licences files the
	// comment under (its path in node_modules); ok is false elsewhere.
	ref   nodeRef
	refOK bool
}

// esbuildLicenses starts the list of the legal comments of node_modules
// files that esbuild writes: inside a "/*! ... */" comment at the end of
// the bundle (--legal-comments=eof, its default when bundling), or as the
// whole of a *.LEGAL.txt file (linked, external).
var esbuildLicenses = []byte("Bundled license information:")

// findBanners lists the legal comments of a bundle (or of a *.LICENSE.txt
// or *.LEGAL.txt) that name a package: esbuild's list of bundled licences
// (each under the node_modules path it came from), then the other kept
// comments (`/*! ... */`, `/** @license ... */`, `//! ...` lines).
func findBanners(text []byte) []banner {
	var out []banner
	for rest, n := text, 0; n < maxComments; n++ {
		i := bytes.Index(rest, esbuildLicenses)
		if i < 0 {
			break
		}
		inComment := bytes.HasSuffix(rest[:i], []byte("/*! "))
		rest = rest[i+len(esbuildLicenses):]
		end := len(rest)
		if inComment {
			if e := bytes.Index(rest, []byte("*/")); e >= 0 {
				end = e
			}
		}
		out = append(out, esbuildBlock(rest[:end])...)
		rest = rest[end:]
	}
	// esbuild's list is itself a "/*!" comment, but its first lines name
	// no package: parseBanner passes over it.
	for _, c := range legalComments(text) {
		if b, ok := parseBanner(c); ok && b.version != "" {
			out = append(out, b)
		}
	}
	return out
}

// esbuildBlock reads the sections of esbuild's list: a line "path:" (the
// file's path after node_modules/) and the comments of that file, indented,
// with their "/*" and "*/" written "(*" and "*)".
func esbuildBlock(block []byte) []banner {
	var out []banner
	var cur *banner
	var body []string
	flush := func() {
		if cur == nil {
			return
		}
		if b, ok := parseBanner(strings.Join(body, "\n")); ok && matchesPackage(b.name, cur.ref.name) {
			cur.version = b.version
		}
		out = append(out, *cur)
		cur, body = nil, nil
	}
	for line := range strings.Lines(string(block)) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" && line[0] != ' ' && line[0] != '\t' && strings.HasSuffix(line, ":") {
			flush()
			if ref, ok := parseNodePath("node_modules/" + strings.TrimSuffix(line, ":")); ok {
				cur = &banner{name: ref.name, ref: ref, refOK: true}
			}
			continue
		}
		if cur != nil && len(body) < 64 {
			body = append(body, uncomment(line))
		}
	}
	flush()
	return out
}

// uncomment strips a line of esbuild's list of its comment markers: "(*"
// and "*)" in the eof list, "/*", "*/" and "//" in a *.LEGAL.txt.
func uncomment(line string) string {
	l := strings.TrimSpace(line)
	for _, p := range []string{"(*", "/*", "//"} {
		if rest, ok := strings.CutPrefix(l, p); ok {
			l = rest
			break
		}
	}
	l = strings.TrimPrefix(l, "!")
	for _, sfx := range []string{"*)", "*/"} {
		l = strings.TrimSuffix(l, sfx)
	}
	return l
}

// legalComments returns the bodies of the comments bundlers keep: block
// comments starting "/*!" or holding @license or @preserve, and runs of
// "//!" lines (or "//" lines holding @license). Block comments are found
// from those markers, not by pairing every "/*" with a "*/": bundles
// hold "/*" in strings (axios's "*/*" Accept header) that would swallow
// the comment after them.
func legalComments(text []byte) []string {
	starts := map[int]bool{}
	for i, n := 0, 0; n < maxComments; n++ {
		j := bytes.Index(text[i:], []byte("/*!"))
		if j < 0 {
			break
		}
		starts[i+j] = true
		i += j + 3
	}
	for _, marker := range [][]byte{[]byte("@license"), []byte("@preserve")} {
		for i, n := 0, 0; n < maxComments; n++ {
			j := bytes.Index(text[i:], marker)
			if j < 0 {
				break
			}
			pos := i + j
			from := max(0, pos-maxCommentBytes)
			if s := bytes.LastIndex(text[from:pos], []byte("/*")); s >= 0 && !bytes.Contains(text[from+s:pos], []byte("*/")) {
				starts[from+s] = true
			}
			i = pos + len(marker)
		}
	}
	var out []string
	for _, start := range slices.Sorted(maps.Keys(starts)) {
		body := text[start+2 : min(len(text), start+2+maxCommentBytes)]
		if end := bytes.Index(body, []byte("*/")); end >= 0 {
			out = append(out, string(bytes.TrimPrefix(body[:end], []byte("!"))))
		}
	}
	return append(out, lineComments(text)...)
}

// lineComment matches a kept line comment: "//! text" (minified output
// keeps it after code on the same line) or a line "// ... @license ...".
var lineComment = regexp.MustCompile(`(?m)//![^\n]*$|^[ \t]*//[^\n]*@(?:license|preserve)[^\n]*$`)

// lineComments groups consecutive kept line comments into one body each.
func lineComments(text []byte) []string {
	var out []string
	var cur []string
	lastEnd := -1
	for _, m := range lineComment.FindAllIndex(text, maxComments) {
		if lastEnd >= 0 && !adjacent(text[lastEnd:m[0]]) {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
		line := strings.TrimSpace(string(text[m[0]:m[1]]))
		if i := strings.Index(line, "//"); i > 0 {
			line = line[i:]
		}
		cur = append(cur, strings.TrimPrefix(strings.TrimPrefix(line, "//"), "!"))
		lastEnd = m[1]
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// adjacent says whether what lies between two line comments is only the
// line break.
func adjacent(between []byte) bool {
	return len(bytes.TrimSpace(between)) == 0 && bytes.Count(between, []byte("\n")) <= 1
}

var (
	// nameVersion matches a first line such as "jQuery v3.6.0 | (c) ...",
	// "@license React v16.13.1", "lodash 4.17.21 (Custom Build)",
	// "clipboard.js - v2.0.8".
	nameVersion = regexp.MustCompile(`^(?:@(?:license|preserve)\s+)?(@?[A-Za-z0-9][\w.+/-]*)(?:\s+-)?\s+v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)(?:$|[\s,;|()])`)
	// nameAtVersion matches "name@1.2.3" and "@scope/name@1.2.3".
	nameAtVersion = regexp.MustCompile(`^(?:@(?:license|preserve)\s+)?(@?[A-Za-z0-9][\w.+-]*(?:/[A-Za-z0-9][\w.+-]*)?)@v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)(?:$|[\s,;|()])`)
	// bareName matches a first line that is only a name ("moment.js").
	bareName = regexp.MustCompile(`^(@?[A-Za-z0-9][\w.+/-]*)$`)
	// versionLine matches "version : 2.29.1" (moment's banner) and
	// "@version 1.2.3".
	versionLine = regexp.MustCompile(`^@?[Vv]ersion\s*[:=]?\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$`)
)

// notNames are first words of comments that are not package names.
var notNames = map[string]bool{
	"copyright": true, "license": true, "licensed": true, "released": true, "version": true,
	"author": true, "authors": true, "based": true, "see": true, "the": true, "this": true,
	"build": true, "built": true, "compiled": true, "generated": true, "portions": true,
	"@license": true, "@preserve": true, "(c)": true, "mit": true, "isc": true,
}

// parseBanner reads the name and version a legal comment's first lines
// give. ok is false when they give no name.
func parseBanner(body string) (banner, bool) {
	lines := bannerText(body)
	for i, l := range lines {
		if i >= 2 {
			break
		}
		for _, re := range []*regexp.Regexp{nameAtVersion, nameVersion} {
			if m := re.FindStringSubmatch(l); m != nil && !notNames[strings.ToLower(m[1])] {
				return banner{name: m[1], version: cleanVersion(m[2])}, true
			}
		}
	}
	if len(lines) == 0 {
		return banner{}, false
	}
	m := bareName.FindStringSubmatch(lines[0])
	if m == nil || notNames[strings.ToLower(m[1])] {
		return banner{}, false
	}
	b := banner{name: m[1]}
	for _, l := range lines[1:] {
		if v := versionLine.FindStringSubmatch(l); v != nil {
			b.version = cleanVersion(v[1])
			break
		}
	}
	return b, true
}

// bannerText returns the first non-empty lines of a comment body without
// their decoration ("*", "!"), and without a line that only says
// "@license" or "@preserve".
func bannerText(body string) []string {
	var out []string
	for line := range strings.Lines(body) {
		l := strings.TrimSpace(line)
		l = strings.TrimSpace(strings.TrimLeft(l, "*!"))
		l = strings.TrimSpace(strings.TrimSuffix(l, "*"))
		if l == "" || l == "@license" || l == "@preserve" {
			continue
		}
		if out = append(out, l); len(out) == bannerLines {
			break
		}
	}
	return out
}

// matchesPackage says whether a comment's name is package pkg's:
// case-insensitive, with or without a ".js" suffix ("Moment.js" is
// moment, "Chart.js" is chart.js), scoped or not.
func matchesPackage(commentName, pkg string) bool {
	if commentName == "" || pkg == "" {
		return false
	}
	c, p := strings.ToLower(commentName), strings.ToLower(pkg)
	_, bare, scoped := strings.Cut(p, "/")
	for _, cand := range []string{c, strings.TrimSuffix(c, ".js")} {
		if cand == p || (scoped && cand == bare) {
			return true
		}
	}
	return false
}

// bannerPackage returns the npm name a comment without context names: its
// name lower-cased, when npm would accept it.
func bannerPackage(b banner) (string, bool) {
	n := strings.ToLower(b.name)
	return n, validName(n)
}
