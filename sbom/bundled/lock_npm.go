package bundled

import "strings"

// npmLock is the part of an npm lockfile (package-lock.json,
// npm-shrinkwrap.json; https://docs.npmjs.com/cli/configuring-npm/package-lock-json)
// fnaudit reads: "packages" (lockfileVersion 2 and 3), else the nested
// "dependencies" of version 1.
type npmLock struct {
	LockfileVersion int `json:"lockfileVersion"`
	Packages        map[string]struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Link    bool   `json:"link"`
	} `json:"packages"`
	Dependencies map[string]npmLockDep `json:"dependencies"`
}

// npmLockDep is a version 1 dependency: its own conflicting dependencies
// nest under it, installed in its node_modules.
type npmLockDep struct {
	Version      string                `json:"version"`
	Dependencies map[string]npmLockDep `json:"dependencies"`
}

func (l *lockfile) parseNPM(data []byte) error {
	var doc npmLock
	if err := decodeBounded(data, maxDepthLock, &doc); err != nil {
		return err
	}
	if len(doc.Packages) > 0 {
		for p, e := range doc.Packages {
			if e.Link || !strings.Contains(p, "node_modules/") {
				continue // the project, a workspace, a linked folder: first-party
			}
			name := e.Name
			if name == "" {
				ref, ok := parseNodePath(p)
				if !ok {
					continue
				}
				name = ref.name
			}
			l.add(p, name, e.Version)
		}
		return nil
	}
	l.addV1("", doc.Dependencies, 0)
	return nil
}

// addV1 records version 1 dependencies installed in base's node_modules.
func (l *lockfile) addV1(base string, deps map[string]npmLockDep, depth int) {
	if depth > maxDepthLock/2 {
		return
	}
	for name, d := range deps {
		p := "node_modules/" + name
		if base != "" {
			p = base + "/" + p
		}
		realName, version := name, d.Version
		// An alias ("foo": "npm:bar@1.2.3") installs bar under foo.
		if alias, ok := strings.CutPrefix(version, "npm:"); ok {
			if i := strings.LastIndexByte(alias, '@'); i > 0 {
				realName, version = alias[:i], alias[i+1:]
			}
		}
		l.add(p, realName, version)
		l.addV1(p, d.Dependencies, depth+1)
	}
}
