package bundled

import (
	"errors"
	"strings"
)

// parsePNPM reads a pnpm-lock.yaml (lockfile versions 5, 6 and 9) line by
// line: the two-space indented keys of its packages: and snapshots:
// sections name each package and version ("/lodash/4.17.15" in version 5,
// "/lodash@4.17.15" in 6, "lodash@4.17.15" in 9; peer suffixes such as
// "_react@18.2.0" or "(react@18.2.0)" dropped). pnpm lockfiles carry no
// install paths: versions are found by name (bundles built with pnpm also
// name versions in their node_modules/.pnpm paths).
func (l *lockfile) parsePNPM(data []byte) error {
	text := string(data)
	v5, section, sawVersion := false, "", false
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
		case line[0] != ' ':
			k, v, _ := strings.Cut(line, ":")
			section = k
			if k == "lockfileVersion" {
				sawVersion = true
				v5 = strings.HasPrefix(unquote(strings.TrimSpace(v)), "5")
			}
		case (section == "packages" || section == "snapshots") &&
			strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			key, _, _ := strings.Cut(strings.TrimSpace(line), ": ")
			l.addPNPMKey(unquote(strings.TrimSuffix(key, ":")), v5)
		}
	}
	if !sawVersion {
		return errors.New("not a pnpm lockfile (no lockfileVersion)")
	}
	return nil
}

// addPNPMKey records the package a packages: or snapshots: key names.
func (l *lockfile) addPNPMKey(key string, v5 bool) {
	key = strings.TrimPrefix(key, "/")
	if i := strings.IndexByte(key, '('); i >= 0 {
		key = key[:i]
	}
	var name, version string
	if v5 {
		i := strings.LastIndexByte(key, '/')
		if i <= 0 {
			return
		}
		name, version = key[:i], key[i+1:]
	} else {
		var ok bool
		if name, version, ok = splitDescriptor(key); !ok {
			return
		}
	}
	if i := strings.IndexByte(version, '_'); i >= 0 {
		version = version[:i]
	}
	l.add("", name, version)
}
