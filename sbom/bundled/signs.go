package bundled

import (
	"bytes"
	"regexp"
)

// bundlerSigns are strings only bundlers write: esbuild's runtime helpers
// (readable and minified), webpack's and parcel's module runtimes, the
// licence notes esbuild and webpack leave.
var bundlerSigns = [][]byte{
	[]byte("__commonJS("),
	[]byte("__toESM("),
	[]byte("__esm("),
	[]byte("={exports:{}}).exports"), // esbuild's __commonJS, minified
	[]byte("__webpack_require__"),
	[]byte("__webpack_modules__"),
	[]byte("webpackBootstrap"),
	[]byte("parcelRequire"),
	esbuildLicenses,
	[]byte("For license information please see"),
}

// moduleComment matches esbuild's comment before each module it bundles
// ("// node_modules/lodash/get.js") and the module keys of webpack's
// development output (`/***/ "./node_modules/lodash/get.js":`).
var moduleComment = regexp.MustCompile(`(?m)^(?:[ \t]*// ((?:[^\s]*/)?node_modules/\S+)$|/\*\*\*/ "(\.?/?(?:[^"\s]*/)?node_modules/[^"\s]+)":)`)

// Minified code: a file over minifiedBytes whose lines average over
// minifiedLine bytes.
const (
	minifiedBytes = 32 << 10
	minifiedLine  = 500
)

// bundleSign says whether text (a whole file, or the head of one of size
// bytes) shows bundled code.
func bundleSign(text []byte, size int64) bool {
	for _, s := range bundlerSigns {
		if bytes.Contains(text, s) {
			return true
		}
	}
	if moduleComment.Match(text) {
		return true
	}
	return size > minifiedBytes && len(text) >= minifiedBytes/2 &&
		len(text)/(bytes.Count(text, []byte("\n"))+1) > minifiedLine
}

// isBundle says whether a whole file shows bundled code.
func isBundle(data []byte) bool { return bundleSign(data, int64(len(data))) }

// mapCommentSign says whether text holds a sourceMappingURL comment.
func mapCommentSign(text []byte) bool {
	for _, p := range mapURLPrefixes {
		if bytes.Contains(text, p) {
			return true
		}
	}
	return false
}

// moduleComments lists the module paths of esbuild's comments and
// webpack's module keys.
func moduleComments(data []byte) []string {
	var out []string
	for _, m := range moduleComment.FindAllSubmatch(data, -1) {
		p := m[1]
		if len(p) == 0 {
			p = m[2]
		}
		out = append(out, string(p))
	}
	return out
}

// startsWithBanner says whether a file opens with a legal comment naming
// a package and version: a library's own distribution file (jquery.min.js),
// whose banner says what it is.
func startsWithBanner(data []byte) bool {
	text := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var body string
	switch {
	case bytes.HasPrefix(text, []byte("/*")):
		end := bytes.Index(text[2:], []byte("*/"))
		if end < 0 || end > maxCommentBytes {
			return false
		}
		body = string(text[2 : 2+end])
	case bytes.HasPrefix(text, []byte("//")):
		cs := lineComments(text[:min(len(text), maxCommentBytes)])
		if len(cs) == 0 {
			return false
		}
		body = cs[0]
	default:
		return false
	}
	b, ok := parseBanner(body)
	return ok && b.version != ""
}
