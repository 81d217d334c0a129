package unpack

import (
	"path"
	"strings"
)

// Reasons an entry name or a symlink is rejected.
const (
	reasonNUL      = "name contains a NUL byte"
	reasonAbsolute = "absolute path"
	reasonDrive    = "absolute path (Windows drive letter)"
	reasonEscapes  = "path escapes the extraction directory"
	reasonLinkOut  = "symlink points outside the archive: -> "
	reasonTooLong  = "path longer than 4096 bytes"
	reasonTooDeep  = "path deeper than 128 directories"

	// maxNameLen is PATH_MAX on Linux: no runtime or tool can open a longer path.
	maxNameLen = 4096
	// maxNameDepth bounds the directories in one path, and so the work of
	// writing one entry (each write resolves every level). Real trees, even
	// nested node_modules, stay far below it.
	maxNameDepth = 128
)

// entryPath returns the slash-separated, cleaned, relative path of the entry
// named raw, or the reason why the name is hostile. Backslashes count as
// separators. A name that cleans to the root itself returns ".".
func entryPath(raw string) (clean, reason string) {
	if strings.ContainsRune(raw, 0) {
		return "", reasonNUL
	}
	n := strings.ReplaceAll(raw, `\`, "/")
	if reason := absReason(n); reason != "" {
		return "", reason
	}
	clean = path.Clean(n)
	if escapes(clean) {
		return "", reasonEscapes
	}
	if len(clean) > maxNameLen {
		return "", reasonTooLong
	}
	if strings.Count(clean, "/") > maxNameDepth {
		return "", reasonTooDeep
	}
	return clean, ""
}

// isDirName reports whether the raw entry name ends with a separator.
func isDirName(raw string) bool {
	return strings.HasSuffix(raw, "/") || strings.HasSuffix(raw, `\`)
}

// absReason returns why the slash path n is absolute on some platform, or "".
// `\\host\share` arrives here as "//host/share".
func absReason(n string) string {
	switch {
	case strings.HasPrefix(n, "/"):
		return reasonAbsolute
	case len(n) >= 2 && n[1] == ':' && isASCIILetter(n[0]):
		return reasonDrive
	}
	return ""
}

func isASCIILetter(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// escapes reports whether the cleaned slash path climbs above its root.
func escapes(clean string) bool {
	return clean == ".." || strings.HasPrefix(clean, "../")
}

// linkEscapes reports whether a symlink stored at the cleaned entry path name,
// with the given target, points outside the archive once resolved relative to
// the link's directory. Only the names are judged: links are never created.
func linkEscapes(name, target string) bool {
	t := strings.ReplaceAll(target, `\`, "/")
	if absReason(t) != "" {
		return true
	}
	return escapes(path.Join(path.Dir(name), t))
}
