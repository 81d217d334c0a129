package catalog

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
)

// jar builds a jar holding the given entries.
func jar(t *testing.T, entries map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func pom(group, artifact, version string) map[string]string {
	dir := "META-INF/maven/" + group + "/" + artifact + "/"
	return map[string]string{
		dir + "pom.properties": "groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n",
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

type row struct{ Eco, Name, Version, Location string }

func catalogTree(t *testing.T, files map[string]string) []row {
	t.Helper()
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, files)
	pkgs, err := Dir(context.Background(), dir, "fn", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for _, p := range pkgs {
		if p.Artifact != "fn" || p.PURL == "" {
			t.Errorf("package %+v lacks its artifact or purl", p)
		}
		rows = append(rows, row{p.Ecosystem, p.Name, p.Version, p.Location})
	}
	return rows
}

func TestDirEcosystems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []row
	}{
		{
			name: "node_modules: installed packages only, scoped and nested, no first-party or lockfile-only",
			files: map[string]string{
				"package.json":                                       `{"name":"orders","version":"1.0.0","private":true}`,
				"package-lock.json":                                  `{"lockfileVersion":2,"packages":{"node_modules/handlebars":{"version":"4.5.3"}}}`,
				"node_modules/lodash/package.json":                   `{"name":"lodash","version":"4.17.15"}`,
				"node_modules/@aws-sdk/client-s3/package.json":       `{"name":"@aws-sdk/client-s3","version":"3.1.0"}`,
				"node_modules/send/node_modules/ms/package.json":     `{"name":"ms","version":"2.1.1"}`,
				"node_modules/ms/package.json":                       `{"name":"ms","version":"2.0.0"}`,
				"node_modules/uuid/dist/esm-node/package.json":       `{"type":"module"}`,
				"node_modules/resolve/test/fixture/x/package.json":   `{"name":"fixture","version":"9.9.9"}`,
				"node_modules/.pnpm/lock.yaml":                       "",
				"src/handler/package.json":                           `{"name":"handler","version":"0.0.1"}`,
				"src/handler/node_modules/jsonwebtoken/package.json": `{"name":"jsonwebtoken","version":"8.5.1"}`,
			},
			want: []row{
				{"npm", "@aws-sdk/client-s3", "3.1.0", "node_modules/@aws-sdk/client-s3/package.json"},
				{"npm", "jsonwebtoken", "8.5.1", "src/handler/node_modules/jsonwebtoken/package.json"},
				{"npm", "lodash", "4.17.15", "node_modules/lodash/package.json"},
				{"npm", "ms", "2.0.0", "node_modules/ms/package.json"},
				{"npm", "ms", "2.1.1", "node_modules/send/node_modules/ms/package.json"},
			},
		},
		{
			name: "the same package installed twice is one package at the shallowest path",
			files: map[string]string{
				"node_modules/a/node_modules/ms/package.json": `{"name":"ms","version":"2.1.3"}`,
				"node_modules/ms/package.json":                `{"name":"ms","version":"2.1.3"}`,
			},
			want: []row{{"npm", "ms", "2.1.3", "node_modules/ms/package.json"}},
		},
		{
			name: "python: dist-info and egg-info, not requirements.txt",
			files: map[string]string{
				"requirements.txt":                          "flask==0.12\n",
				"python/requests-2.28.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n",
				"python/requests-2.28.1.dist-info/RECORD":   "requests/__init__.py,,\n",
				"python/PyYAML-6.0.dist-info/METADATA":      "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\n",
				"python/six-1.16.0.egg-info/PKG-INFO":       "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n",
			},
			want: []row{
				{"PyPI", "pyyaml", "6.0", "python/PyYAML-6.0.dist-info/METADATA"},
				{"PyPI", "requests", "2.28.1", "python/requests-2.28.1.dist-info/METADATA"},
				{"PyPI", "six", "1.16.0", "python/six-1.16.0.egg-info/PKG-INFO"},
			},
		},
		{
			name: "ruby gemspecs and composer's installed.json",
			files: map[string]string{
				"vendor/bundle/ruby/3.2.0/specifications/rack-2.2.3.gemspec": "# -*- encoding: utf-8 -*-\n# stub: rack 2.2.3 ruby lib\n\nGem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"2.2.3\"\n  s.licenses = [\"MIT\".freeze]\nend\n",
				"vendor/composer/installed.json":                             `{"packages":[{"name":"guzzlehttp/guzzle","version":"7.4.0","version_normalized":"7.4.0.0","type":"library"}],"dev":false}`,
			},
			want: []row{
				{"Packagist", "guzzlehttp/guzzle", "7.4.0", "vendor/composer/installed.json"},
				{"RubyGems", "rack", "2.2.3", "vendor/bundle/ruby/3.2.0/specifications/rack-2.2.3.gemspec"},
			},
		},
		{
			name: ".NET deps.json without the project itself",
			files: map[string]string{
				"OrdersFn.deps.json": `{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},
"targets":{".NETCoreApp,Version=v8.0":{
 "OrdersFn/1.0.0":{"dependencies":{"Newtonsoft.Json":"12.0.1"},"runtime":{"OrdersFn.dll":{}}},
 "Newtonsoft.Json/12.0.1":{"runtime":{"lib/netstandard2.0/Newtonsoft.Json.dll":{"assemblyVersion":"12.0.0.0","fileVersion":"12.0.1.23013"}}}}},
"libraries":{
 "OrdersFn/1.0.0":{"type":"project","serviceable":false,"sha512":""},
 "Newtonsoft.Json/12.0.1":{"type":"package","serviceable":true,"sha512":"sha512-x","path":"newtonsoft.json/12.0.1","hashPath":"newtonsoft.json.12.0.1.nupkg.sha512"}}}`,
			},
			want: []row{{"NuGet", "Newtonsoft.Json", "12.0.1", "OrdersFn.deps.json"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, catalogTree(t, tt.files)); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDirJars: plain, shaded (several pom.properties in one jar) and nested
// (a Spring Boot fat jar's BOOT-INF/lib) jars.
func TestDirJars(t *testing.T) {
	inner := jar(t, merge(pom("org.yaml", "snakeyaml", "1.33")))
	got := catalogTree(t, map[string]string{
		"lib/jackson-databind-2.14.0.jar": jar(t, merge(pom("com.fasterxml.jackson.core", "jackson-databind", "2.14.0"))),
		"lib/shaded.jar": jar(t, merge(pom("com.example", "shaded", "1.0.0"),
			pom("com.google.guava", "guava", "31.1-jre"))),
		"app.jar": jar(t, merge(pom("com.example", "app", "2.0.0"),
			map[string]string{"BOOT-INF/lib/snakeyaml-1.33.jar": inner})),
	})
	want := map[string]string{
		"com.fasterxml.jackson.core:jackson-databind@2.14.0": "lib/jackson-databind-2.14.0.jar!/META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
		"com.google.guava:guava@31.1-jre":                    "lib/shaded.jar!/META-INF/maven/com.google.guava/guava/pom.properties",
		"org.yaml:snakeyaml@1.33":                            "app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar!/META-INF/maven/org.yaml/snakeyaml/pom.properties",
	}
	have := map[string]string{}
	for _, r := range got {
		if r.Eco != "Maven" {
			t.Errorf("unexpected %+v", r)
		}
		have[r.Name+"@"+r.Version] = r.Location
	}
	for k, loc := range want {
		if have[k] != loc {
			t.Errorf("%s at %q, want %q (all: %v)", k, have[k], loc, have)
		}
	}
}

// TestDirGoBinary builds a real Go binary (testdata/gobin) and catalogues it:
// its modules and stdlib, not its own main module.
func TestDirGoBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/gobin")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	self, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	got := catalogTree(t, map[string]string{"bootstrap": string(self)})
	var stdlib, gocmp bool
	for _, r := range got {
		if r.Eco != "Go" || r.Location != "bootstrap" {
			t.Errorf("unexpected %+v", r)
		}
		switch {
		case r.Name == "stdlib":
			stdlib = !strings.HasPrefix(r.Version, "v") && !strings.HasPrefix(r.Version, "go")
		case r.Name == "github.com/google/go-cmp":
			gocmp = !strings.HasPrefix(r.Version, "v")
		case strings.HasPrefix(r.Name, "github.com/fnaudit/fnaudit"):
			t.Errorf("first-party main module reported: %+v", r)
		}
	}
	if !stdlib || !gocmp {
		t.Errorf("want stdlib and go-cmp without a leading v: %+v", got)
	}
}

func TestInstalledNodeModule(t *testing.T) {
	for loc, want := range map[string]bool{
		"node_modules/a/package.json":                true,
		"x/node_modules/@s/a/package.json":           true,
		"node_modules/a/node_modules/b/package.json": true,
		"package.json":                       false,
		"node_modules/package.json":          false,
		"node_modules/a/lib/package.json":    false,
		"node_modules/@s/package.json":       false,
		"node_modules/a/package.json.bak":    false,
		"node_modules/@s/a/sub/package.json": false,
	} {
		if got := installedNodeModule(loc); got != want {
			t.Errorf("installedNodeModule(%q) = %v, want %v", loc, got, want)
		}
	}
}
