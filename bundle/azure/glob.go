package azure

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Bounds on resolving package.json "main".
const (
	maxBraceAlternatives = 32
	maxWalkEntries       = 20_000
	maxWalkDepth         = 16
)

// errWalkLimit stops a walk that has seen maxWalkEntries entries.
var errWalkLimit = errors.New("too many entries")

// mainFiles resolves package.json "main" — a file or a glob as the Node.js
// worker reads it (*, ?, [..], ** and {a,b}) — to the app's files, sorted,
// at most maxSourceFiles. A TypeScript project that has not been built is
// read from its sources: dist/x/*.js falls back to x/*.ts.
func mainFiles(a *appFS, main string) []string {
	patterns := expandBraces(main, maxBraceAlternatives)
	files := matchAll(a, patterns)
	if len(files) == 0 {
		var ts []string
		for _, p := range patterns {
			if p = cleanPattern(p); strings.HasPrefix(p, "dist/") && strings.HasSuffix(p, ".js") {
				ts = append(ts, strings.TrimSuffix(strings.TrimPrefix(p, "dist/"), ".js")+".ts")
			}
		}
		files = matchAll(a, ts)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	if len(files) > maxSourceFiles {
		files = files[:maxSourceFiles]
	}
	return files
}

// cleanPattern makes a pattern relative to the app's root.
func cleanPattern(p string) string {
	return path.Clean(strings.TrimPrefix(strings.ReplaceAll(p, `\`, "/"), "./"))
}

// matchAll returns the files matching any of patterns.
func matchAll(a *appFS, patterns []string) []string {
	var files []string
	for _, p := range patterns {
		p = cleanPattern(p)
		if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
			continue
		}
		if !strings.ContainsAny(p, "*?[") {
			if a.isFile(p) {
				files = append(files, p)
			}
			continue
		}
		files = append(files, walkMatch(a, p)...)
	}
	return files
}

// walkMatch walks the folder before the pattern's first wildcard and
// returns the files matching it. node_modules and hidden folders are not
// entered unless the pattern names them.
func walkMatch(a *appFS, pattern string) []string {
	segs := strings.Split(pattern, "/")
	if strings.Count(pattern, "**") > 3 {
		return nil
	}
	i := 0
	for i < len(segs) && !strings.ContainsAny(segs[i], "*?[") {
		i++
	}
	base := path.Join(segs[:i]...)
	if base == "" {
		base = "."
	}
	var out []string
	seen := 0
	_ = fs.WalkDir(a.fsys, base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if seen++; seen > maxWalkEntries {
			return errWalkLimit
		}
		rel := relTo(base, p)
		if d.IsDir() {
			if p != base && (skipDir(d.Name()) || strings.Count(rel, "/") >= maxWalkDepth) {
				return fs.SkipDir
			}
			return nil
		}
		if matchSegs(segs[i:], strings.Split(rel, "/")) && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// relTo is p relative to base (both slash-separated, p under base).
func relTo(base, p string) string {
	if base == "." {
		return p
	}
	return strings.TrimPrefix(strings.TrimPrefix(p, base), "/")
}

// skipDir says whether a folder is not searched for an app's own sources.
func skipDir(name string) bool {
	return name == "node_modules" || name == "__pycache__" || name == "site-packages" ||
		name == "venv" || strings.HasPrefix(name, ".")
}

// matchSegs matches path segments against pattern segments, "**" matching
// any number of segments.
func matchSegs(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegs(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], name[0])
	return ok && matchSegs(pat[1:], name[1:])
}

// expandBraces expands {a,b} alternatives (nested ones too) into at most
// limit patterns, breadth first so that the work stays bounded however
// many groups p has.
func expandBraces(p string, limit int) []string {
	queue := []string{p}
	var out []string
	for steps := 0; len(queue) > 0 && len(out) < limit && steps < 100*limit; steps++ {
		cur := queue[0]
		queue = queue[1:]
		open := strings.IndexByte(cur, '{')
		inner, end, ok := "", 0, false
		if open >= 0 {
			inner, end, ok = matchParen(cur, open, langPython)
		}
		if !ok {
			out = append(out, cur)
			continue
		}
		for _, alt := range splitBraces(inner) {
			if len(queue) < limit {
				queue = append(queue, cur[:open]+alt+cur[end:])
			}
		}
	}
	return out
}

// splitBraces splits the inside of {...} at its top-level commas, keeping
// empty alternatives.
func splitBraces(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
