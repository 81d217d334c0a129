package bundled

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// lockNames are the lockfiles fnaudit reads, in the order it prefers them
// when a folder holds several.
var lockNames = []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"}

// Lockfile search bounds: how many parents of a hint folder are searched,
// and the largest lockfile read.
const (
	maxWalkUp    = 4
	maxLockBytes = 64 << 20
)

// Lockfile returns the lockfile the hints lead to: LockFile when it is a
// regular file, else the first lockfile found in one of Dirs or up to
// four of its parents (stopping at a repository root, a folder holding
// .git); "" when there is none.
func (h Hints) Lockfile() string {
	if h.LockFile != "" && regularFile(h.LockFile) {
		return h.LockFile
	}
	for _, d := range h.Dirs {
		if d == "" {
			continue
		}
		if f := findUp(d); f != "" {
			return f
		}
	}
	return ""
}

// findUp looks for a lockfile in dir and up to maxWalkUp of its parents.
func findUp(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for range maxWalkUp + 1 {
		for _, n := range lockNames {
			if p := filepath.Join(dir, n); regularFile(p) {
				return p
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

func regularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// lockEntry is a package a lockfile pins.
type lockEntry struct {
	name, version string
}

// lockfile is what a lockfile pins: by install path (npm lockfiles) and by
// name (every kind).
type lockfile struct {
	file   string               // as named in messages
	byPath map[string]lockEntry // "node_modules/a/node_modules/b" → entry
	byName map[string][]string  // name → its distinct versions, sorted
}

func newLockfile(file string) *lockfile {
	return &lockfile{file: file, byPath: map[string]lockEntry{}, byName: map[string][]string{}}
}

// add records that the lockfile pins name at version (installed at path,
// "" when the kind has no paths). Non-registry versions are not recorded.
func (l *lockfile) add(path, name, version string) {
	version = cleanVersion(version)
	if version == "" || !validName(name) {
		return
	}
	if path != "" {
		l.byPath[path] = lockEntry{name: name, version: version}
	}
	vs := l.byName[name]
	if i, found := slices.BinarySearch(vs, version); !found {
		l.byName[name] = slices.Insert(vs, i, version)
	}
}

// lookup pins the package at ref: by its install path when the lockfile
// has paths (also under the workspace prefix), else by name when the
// lockfile holds one version of it. why says why it could not.
func (l *lockfile) lookup(ref nodeRef) (e lockEntry, ok bool, why string) {
	if ref.path != "" {
		for _, k := range []string{joinPrefix(ref.prefix, ref.path), ref.path} {
			if e, ok := l.byPath[k]; ok {
				return e, true, ""
			}
		}
	}
	switch vs := l.byName[ref.name]; len(vs) {
	case 0:
		return lockEntry{}, false, fmt.Sprintf("%s does not list %s", l.file, ref.name)
	case 1:
		return lockEntry{name: ref.name, version: vs[0]}, true, ""
	default:
		return lockEntry{}, false, fmt.Sprintf("%s lists %d versions of %s (%s) and nothing says which one was bundled",
			l.file, len(vs), ref.name, strings.Join(vs, ", "))
	}
}

func joinPrefix(prefix, p string) string {
	if prefix == "" {
		return p
	}
	return prefix + "/" + p
}

var errUnknownLockfile = errors.New("not a lockfile fnaudit reads")

// readLockfile reads a lockfile outside the artifact (a hint), bounded.
func readLockfile(path string) (*lockfile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLockBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxLockBytes {
		return nil, fmt.Errorf("%w: over the %d MiB limit", errTooLarge, maxLockBytes>>20)
	}
	return parseLockfile(path, filepath.Base(path), data)
}

// parseLockfile parses a lockfile by its file name.
func parseLockfile(file, base string, data []byte) (*lockfile, error) {
	l := newLockfile(file)
	var err error
	switch base {
	case "package-lock.json", "npm-shrinkwrap.json":
		err = l.parseNPM(data)
	case "yarn.lock":
		err = l.parseYarn(data)
	case "pnpm-lock.yaml":
		err = l.parsePNPM(data)
	default:
		err = errUnknownLockfile
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}
