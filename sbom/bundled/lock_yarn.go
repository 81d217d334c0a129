package bundled

import (
	"errors"
	"strings"
)

// parseYarn reads a yarn.lock of yarn 1 (its own format) or of yarn 2 and
// later ("berry", YAML). Both are read line by line, the way yarn writes
// them: an unindented key line listing the descriptors ("lodash@^4.17.0,
// lodash@^4.17.15:"), then two-space indented fields, of which version
// (`version "4.17.15"` or `version: 4.17.15`) and, in berry, resolution
// ("lodash@npm:4.17.15") name the package. Yarn lockfiles carry no install
// paths: versions are found by name.
func (l *lockfile) parseYarn(data []byte) error {
	text := string(data)
	if !strings.Contains(text, "yarn lockfile v1") && !strings.Contains(text, "__metadata:") {
		return errors.New("not a yarn lockfile (no \"yarn lockfile v1\" line, no __metadata)")
	}
	var e yarnEntry
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line[0] != ' ':
			e.flush(l)
			e = yarnEntry{key: strings.TrimSuffix(line, ":")}
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			e.field(strings.TrimSpace(line))
		}
	}
	e.flush(l)
	return nil
}

// yarnEntry is one entry of a yarn.lock being read.
type yarnEntry struct {
	key, version, resolution string
}

func (e *yarnEntry) field(f string) {
	k, v, ok := strings.Cut(f, " ")
	if !ok {
		return
	}
	k = strings.TrimSuffix(k, ":")
	v = unquote(strings.TrimSpace(v))
	switch k {
	case "version":
		e.version = v
	case "resolution":
		e.resolution = v
	}
}

func (e *yarnEntry) flush(l *lockfile) {
	if e.key == "" || e.key == "__metadata" || e.version == "" {
		return
	}
	if e.resolution != "" { // berry
		name, rng, ok := splitDescriptor(e.resolution)
		if p := protocol(rng); ok && (p == "npm" || p == "patch") {
			l.add("", name, e.version)
		}
		return
	}
	first, _, _ := strings.Cut(e.key, ",")
	name, rng, ok := splitDescriptor(unquote(strings.TrimSpace(first)))
	if !ok {
		return
	}
	if alias, isAlias := strings.CutPrefix(rng, "npm:"); isAlias { // "foo@npm:bar@^1"
		if n, _, ok := splitDescriptor(alias); ok {
			name = n
		}
	}
	l.add("", name, e.version)
}

// splitDescriptor splits "name@range" ("@scope/name@npm:1.0.0") at the
// "@" that ends the name.
func splitDescriptor(d string) (name, rng string, ok bool) {
	i := strings.IndexByte(d[min(1, len(d)):], '@')
	if i < 0 {
		return "", "", false
	}
	i++
	return d[:i], d[i+1:], true
}

// protocol returns what precedes the first ":" of a range ("npm",
// "patch", "workspace"), or "" when there is none.
func protocol(rng string) string {
	p, _, found := strings.Cut(rng, ":")
	if !found || strings.ContainsAny(p, "^~<>=*/ ") {
		return ""
	}
	return p
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}
