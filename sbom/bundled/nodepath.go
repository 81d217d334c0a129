package bundled

import (
	"strings"
)

// nodeRef is a package a bundled file path points into.
type nodeRef struct {
	// name is the package name: the folder after the last node_modules/
	// (two folders for a scoped name).
	name string
	// path is where the package was installed, from the first
	// node_modules/ on ("node_modules/a/node_modules/b"): the key of an
	// npm lockfile's packages.
	path string
	// prefix is the folder the first node_modules/ was in, as the path
	// gives it, without leading ../ ("packages/api" in a workspace): a
	// lockfile at the workspace root keys the package as prefix/path.
	prefix string
	// version is the version a pnpm store folder names
	// (node_modules/.pnpm/<name>@<version>/node_modules/<name>/), else "".
	version string
}

// schemes are the URL prefixes bundlers put before source paths.
var schemes = []string{"webpack://", "webpack-internal://", "file://", "rollup://"}

// parseNodePath finds the package a source path of a bundle belongs to.
// ok is false for paths outside node_modules (first-party code, bundler
// runtime helpers) and for names npm would not accept.
func parseNodePath(p string) (nodeRef, bool) {
	if len(p) > 4096 {
		return nodeRef{}, false
	}
	p = strings.ReplaceAll(p, `\`, "/")
	for _, s := range schemes {
		if rest, ok := strings.CutPrefix(p, s); ok {
			p = rest
			if strings.HasPrefix(s, "webpack") {
				_, p, _ = strings.Cut(p, "/") // webpack://<namespace>/
			}
			break
		}
	}
	p, _, _ = strings.Cut(p, "?") // webpack's "?abcd" query suffixes
	segs := strings.Split(p, "/")
	last, first := -1, -1
	for i, s := range segs {
		if s == "node_modules" && i+1 < len(segs) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if last < 0 {
		return nodeRef{}, false
	}
	end := last + 2
	name := segs[last+1]
	if strings.HasPrefix(name, "@") {
		if end >= len(segs) {
			return nodeRef{}, false
		}
		name += "/" + segs[end]
		end++
	}
	if !validName(name) {
		return nodeRef{}, false
	}
	ref := nodeRef{name: name, path: strings.Join(segs[first:end], "/"), prefix: pathPrefix(segs[:first])}
	if last >= 2 && segs[last-2] == ".pnpm" {
		ref.version = pnpmFolderVersion(segs[last-1], name)
	}
	return ref, true
}

// pathPrefix joins the folders before node_modules, from the last one that
// is not a relative or an absolute prefix (".", "..", "", "C:",
// "(webpack)") on.
func pathPrefix(segs []string) string {
	var keep []string
	for _, s := range segs {
		if s == "" || s == "." || s == ".." || strings.Contains(s, ":") || strings.HasPrefix(s, "(") {
			keep = keep[:0]
			continue
		}
		keep = append(keep, s)
	}
	return strings.Join(keep, "/")
}

// pnpmFolderVersion reads the version from a pnpm virtual store folder
// ("lodash@4.17.15", "@babel+core@7.1.0_supports-color@5.5.0",
// "react-dom@18.2.0(react@18.2.0)") when the folder is the one of package
// name; else "".
func pnpmFolderVersion(folder, name string) string {
	at := strings.IndexByte(folder[min(1, len(folder)):], '@')
	if at < 0 {
		return ""
	}
	at++
	encoded, ver := folder[:at], folder[at+1:]
	if strings.Replace(encoded, "+", "/", 1) != name {
		return ""
	}
	if i := strings.IndexAny(ver, "_("); i >= 0 {
		ver = ver[:i]
	}
	return cleanVersion(ver)
}
