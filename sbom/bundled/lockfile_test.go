package bundled

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
)

// TestLockfiles reads the same dependency tree from every lockfile kind
// npm, yarn and pnpm wrote (testdata/lockfiles, see the README): npm's
// lockfiles pin the nested minimist by its install path; yarn's and
// pnpm's have no paths, so the two minimists stay unpinned by name.
func TestLockfiles(t *testing.T) {
	top := nodeRef{name: "minimist", path: "node_modules/minimist"}
	nested := nodeRef{name: "minimist", path: "node_modules/rc/node_modules/minimist"}
	scoped := nodeRef{name: "@tootallnate/once", path: "node_modules/@tootallnate/once"}
	lodash := nodeRef{name: "lodash", path: "node_modules/lodash"}
	type want struct{ Top, Nested, Scoped, Lodash string }
	byPath := want{"0.0.10", "1.2.8", "1.1.2", "4.17.15"}
	byName := want{"", "", "1.1.2", "4.17.15"}
	tests := []struct {
		dir  string
		want want
	}{
		{"npm-v1/package-lock.json", byPath},
		{"npm-v3/package-lock.json", byPath},
		{"yarn-v1/yarn.lock", byName},
		{"yarn-berry/yarn.lock", byName},
		{"pnpm-v5/pnpm-lock.yaml", byName},
		{"pnpm-v6/pnpm-lock.yaml", byName},
		{"pnpm-v9/pnpm-lock.yaml", byName},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			l, err := readLockfile(filepath.Join("testdata/lockfiles", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			version := func(r nodeRef) string {
				e, ok, why := l.lookup(r)
				if ok != (e.version != "") || !ok && why == "" {
					t.Errorf("lookup(%v) = %v, %v, %q", r, e, ok, why)
				}
				return e.version
			}
			got := want{version(top), version(nested), version(scoped), version(lodash)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
			if got := l.byName["minimist"]; !cmp.Equal(got, []string{"0.0.10", "1.2.8"}) {
				t.Errorf("minimist versions %v", got)
			}
			if _, ok, why := l.lookup(nodeRef{name: "minimist"}); ok || !strings.Contains(why, "lists 2 versions of minimist (0.0.10, 1.2.8)") {
				t.Errorf("ambiguous lookup: ok %v, why %q", ok, why)
			}
		})
	}
}

// TestLockfileEdgeCases: aliases, workspaces, links and non-registry
// versions.
func TestLockfileEdgeCases(t *testing.T) {
	npm := `{"lockfileVersion": 3, "packages": {
		"": {"name": "app"},
		"packages/api": {"name": "api", "version": "1.0.0"},
		"node_modules/api": {"resolved": "packages/api", "link": true},
		"node_modules/foo": {"name": "lodash", "version": "4.17.15"},
		"packages/api/node_modules/minimist": {"version": "0.0.10"},
		"node_modules/gitdep": {"version": "git+https://example.com/x.git#abc"}}}`
	l, err := parseLockfile("package-lock.json", "package-lock.json", []byte(npm))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ref           nodeRef
		name, version string
	}{
		{nodeRef{name: "foo", path: "node_modules/foo"}, "lodash", "4.17.15"}, // npm alias
		{nodeRef{name: "minimist", path: "node_modules/minimist", prefix: "packages/api"}, "minimist", "0.0.10"},
		{nodeRef{name: "gitdep", path: "node_modules/gitdep"}, "", ""},
		{nodeRef{name: "api", path: "node_modules/api"}, "", ""},
	} {
		e, _, _ := l.lookup(tt.ref)
		if e.name != tt.name || e.version != tt.version {
			t.Errorf("lookup(%+v) = %+v, want %s@%s", tt.ref, e, tt.name, tt.version)
		}
	}
	v1 := `{"lockfileVersion": 1, "dependencies": {"foo": {"version": "npm:lodash@4.17.15"}, "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}}}`
	if l, err = parseLockfile("x", "npm-shrinkwrap.json", []byte(v1)); err != nil {
		t.Fatal(err)
	}
	if e := l.byPath["node_modules/foo"]; e != (lockEntry{name: "lodash", version: "4.17.15"}) {
		t.Errorf("v1 alias: %+v", e)
	}
	if e := l.byPath["node_modules/a/node_modules/b"]; e != (lockEntry{name: "b", version: "2.0.0"}) {
		t.Errorf("v1 nested: %+v", e)
	}
	berry := "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n\n" +
		"\"resolve@patch:resolve@npm%3A^1.22.1#~builtin<compat/resolve>\":\n  version: 1.22.8\n  resolution: \"resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d\"\n"
	if l, err = parseLockfile("yarn.lock", "yarn.lock", []byte(berry)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{"resolve": {"1.22.8"}}, l.byName); diff != "" {
		t.Errorf("berry (-want +got):\n%s", diff)
	}
	yarn1 := "# yarn lockfile v1\n\n\"foo@npm:lodash@^4.17.0\":\n  version \"4.17.15\"\n\n\"@babel/core@^7.0.0\", \"@babel/core@^7.1.0\":\n  version \"7.1.0\"\n"
	if l, err = parseLockfile("yarn.lock", "yarn.lock", []byte(yarn1)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{"lodash": {"4.17.15"}, "@babel/core": {"7.1.0"}}, l.byName); diff != "" {
		t.Errorf("yarn 1 (-want +got):\n%s", diff)
	}
	for _, bad := range []struct{ base, data string }{
		{"yarn.lock", "lodash@1:\n  version 1\n"},
		{"pnpm-lock.yaml", "packages:\n  /a/1.0.0:\n"},
		{"package-lock.json", "{"},
		{"Gemfile.lock", ""},
	} {
		if _, err := parseLockfile(bad.base, bad.base, []byte(bad.data)); err == nil {
			t.Errorf("parseLockfile(%s, %q): no error", bad.base, bad.data)
		}
	}
}

// TestHintsLockfile: the walk up stops at a repository root, prefers the
// explicit lockfile, and ignores a lockfile that is a folder.
func TestHintsLockfile(t *testing.T) {
	root := testfs.Dir(t, map[string]string{
		"repo/.git/HEAD":                  "ref: refs/heads/main\n",
		"repo/yarn.lock":                  "# yarn lockfile v1\n",
		"repo/svc/cdk.out/manifest.json":  "{}",
		"outside/package-lock.json":       "{}",
		"outside/repo2/a/b/c/d/e/f/x.txt": "",
		"explicit/pnpm-lock.yaml":         "lockfileVersion: '9.0'\n",
	})
	if err := os.MkdirAll(filepath.Join(root, "repo/svc/package-lock.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		hints Hints
		want  string
	}{
		{Hints{Dirs: []string{filepath.Join(root, "repo/svc/cdk.out")}}, "repo/yarn.lock"},
		{Hints{LockFile: filepath.Join(root, "explicit/pnpm-lock.yaml"), Dirs: []string{filepath.Join(root, "repo")}}, "explicit/pnpm-lock.yaml"},
		{Hints{LockFile: filepath.Join(root, "missing.lock"), Dirs: []string{filepath.Join(root, "repo")}}, "repo/yarn.lock"},
		{Hints{Dirs: []string{filepath.Join(root, "outside/repo2/a/b/c/d/e/f")}}, ""}, // over four levels up
		{Hints{}, ""},
	}
	for _, tt := range tests {
		got := tt.hints.Lockfile()
		if tt.want == "" && got != "" || tt.want != "" && got != filepath.Join(root, tt.want) {
			t.Errorf("%+v.Lockfile() = %q, want %q", tt.hints, got, tt.want)
		}
	}
}
