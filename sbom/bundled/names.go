package bundled

import (
	"net/url"
	"regexp"
	"strings"
)

// npmName matches a package name npm accepts, old mixed-case names
// included: an optional @scope/ and a name of URL-safe characters that
// does not start with a dot or an underscore (npm's
// validate-npm-package-name, legacy rules).
var npmName = regexp.MustCompile(`^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$`)

// maxNameLen is npm's limit on a package name.
const maxNameLen = 214

// validName says whether s can be an npm package name.
func validName(s string) bool {
	return len(s) <= maxNameLen && npmName.MatchString(s)
}

// semverRe matches a SemVer 2.0 version, the only versions npm publishes.
var semverRe = regexp.MustCompile(`^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)` +
	`(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)

// maxVersionLen bounds a version string (npm's own limit is 256).
const maxVersionLen = 256

// cleanVersion returns v without a leading "v" or "=" when it is a
// registry version (SemVer), else "": a range, a tag, a git or file
// reference is not a version fnaudit can match.
func cleanVersion(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(strings.TrimPrefix(v, "="), "v")
	if len(v) > maxVersionLen || !semverRe.MatchString(v) {
		return ""
	}
	return v
}

// purl returns the package URL of an npm package ("pkg:npm/%40scope/name@1.2.3";
// without a version when it is unknown).
func purl(name, version string) string {
	var b strings.Builder
	b.WriteString("pkg:npm/")
	if scope, rest, ok := strings.Cut(name, "/"); ok {
		b.WriteString("%40" + url.PathEscape(strings.TrimPrefix(scope, "@")))
		b.WriteByte('/')
		name = rest
	}
	b.WriteString(url.PathEscape(name))
	if version != "" {
		b.WriteByte('@')
		b.WriteString(url.PathEscape(version))
	}
	return b.String()
}

// parsePURL reads an npm package URL: its name (scope included) and
// version. ok is false for another type or a malformed URL.
func parsePURL(s string) (name, version string, ok bool) {
	rest, found := strings.CutPrefix(s, "pkg:")
	if !found {
		return "", "", false
	}
	rest = strings.TrimLeft(rest, "/")
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	typ, rest, found := strings.Cut(rest, "/")
	if !found || !strings.EqualFold(typ, "npm") {
		return "", "", false
	}
	if i := strings.LastIndexByte(rest, '@'); i > 0 {
		rest, version = rest[:i], rest[i+1:]
	}
	var parts []string
	for _, seg := range strings.Split(rest, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", "", false
		}
		parts = append(parts, dec)
	}
	name = strings.Join(parts, "/")
	if version != "" {
		if version, _ = url.PathUnescape(version); version == "" {
			return "", "", false
		}
	}
	return name, version, validName(name)
}
