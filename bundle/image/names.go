package image

import (
	"path"
	"strings"
)

// Reasons an entry is rejected.
const (
	reasonNUL      = "name contains a NUL byte"
	reasonEscapes  = "path escapes the image root"
	reasonTooLong  = "path longer than 4096 bytes"
	reasonTooDeep  = "path deeper than 128 directories"
	reasonLinkLong = "symlink target longer than 4096 bytes"

	// maxNameLen is PATH_MAX on Linux: no runtime or tool can open a longer path.
	maxNameLen = 4096
	// maxNameDepth bounds the directories in one path, and so the work of
	// writing one entry.
	maxNameDepth = 128
)

// Whiteout names, from the OCI image spec (layer.md) and Docker's aufs days.
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh." // aufs metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the image
	opaqueMarker   = ".wh..wh..opq"
)

// entryPath returns the clean slash path of the layer entry named raw,
// relative to the image root, whether raw started with "/", or the reason
// why the name is hostile. A name that cleans to the root returns ".".
// Backslashes are ordinary characters in Linux layers.
func entryPath(raw string) (clean string, absolute bool, reason string) {
	if strings.ContainsRune(raw, 0) {
		return "", false, reasonNUL
	}
	absolute = strings.HasPrefix(raw, "/")
	clean = path.Clean(strings.TrimLeft(raw, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", absolute, reasonEscapes
	}
	return clean, absolute, sizeReason(clean)
}

// sizeReason returns why the clean path p is too long or deep, or "".
func sizeReason(p string) string {
	switch {
	case len(p) > maxNameLen:
		return reasonTooLong
	case strings.Count(p, "/") > maxNameDepth:
		return reasonTooDeep
	}
	return ""
}
