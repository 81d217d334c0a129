package audit

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/testfs"
	"github.com/fnaudit/fnaudit/reports"
)

// TestDeclaredDeps: the manifests that declare dependencies, and those
// that declare none.
func TestDeclaredDeps(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{
		"requirements.txt": "# pinned\n\nrequests==2.25.0\n",
		"package.json":     `{"name": "fn", "dependencies": {"lodash": "^4.17.15"}, "devDependencies": {"jest": "29"}}`,
		"composer.json":    `{"require": {"php": ">=8.1", "guzzlehttp/guzzle": "^7"}}`,
		"Gemfile":          "source 'https://rubygems.org'\ngem 'json', '2.6.1'\n",
		"go.mod":           "module example.com/fn\n\ngo 1.22\n\nrequire github.com/aws/aws-lambda-go v1.41.0\n",
		"pom.xml":          "<project><dependencies><dependency/></dependencies></project>",
		"Cargo.toml":       "[package]\nname = \"fn\"\n\n[dependencies]\nserde = \"1\"\n",
		"Fn.csproj":        `<Project><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="12.0.1" /></ItemGroup></Project>`,
	})
	want := map[string]string{"PyPI": "requirements.txt", "npm": "package.json", "Packagist": "composer.json", "RubyGems": "Gemfile",
		"Go": "go.mod", "Maven": "pom.xml", "crates.io": "Cargo.toml", "NuGet": "Fn.csproj"}
	if diff := cmp.Diff(want, declaredDeps(dir)); diff != "" {
		t.Errorf("declared (-want +got):\n%s", diff)
	}
	none := t.TempDir()
	testfs.WriteFiles(t, none, map[string]string{
		"requirements.txt": "# nothing yet\n",
		"package.json":     `{"name": "fn", "devDependencies": {"jest": "29"}}`,
		"composer.json":    `{"require": {"php": ">=8.1", "ext-json": "*"}}`,
		"go.mod":           "module example.com/fn\n\ngo 1.22\n",
		"Cargo.toml":       "[package]\nname = \"fn\"\n",
	})
	if got := declaredDeps(none); len(got) != 0 {
		t.Errorf("manifests without dependencies: %v", got)
	}
}

// TestUnbuiltSource: a SAM template scanned before `sam build` points at a
// source folder whose requirements.txt and package.json are not installed:
// those functions are incomplete, saying why, and the scan cannot pass.
// Dependencies installed in the folder, or shipped in a layer, are fine.
func TestUnbuiltSource(t *testing.T) {
	app := t.TempDir()
	testfs.WriteFiles(t, app, map[string]string{
		"template.yaml": `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SourceFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
  NodeSourceFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: nodesrc/, Handler: index.handler, Runtime: nodejs20.x}
  BuiltFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: built/, Handler: app.handler, Runtime: python3.12}
  LayeredFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: layered/, Handler: index.handler, Runtime: nodejs20.x, Layers: [!Ref Deps]}
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: deps/}
`,
		"src/app.py":                                   "def handler(e, c): return 1\n",
		"src/requirements.txt":                         "requests==2.25.0\n",
		"nodesrc/index.js":                             "exports.handler = async () => 1;\n",
		"nodesrc/package.json":                         `{"name": "fn", "dependencies": {"lodash": "4.17.15"}}`,
		"built/app.py":                                 "def handler(e, c): return 1\n",
		"built/requirements.txt":                       "requests==2.25.0\n",
		"built/requests-2.25.0.dist-info/METADATA":     "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n",
		"built/requests-2.25.0.dist-info/RECORD":       "",
		"layered/index.js":                             "exports.handler = async () => 1;\n",
		"layered/package.json":                         `{"name": "fn", "dependencies": {"lodash": "4.17.15"}}`,
		"deps/nodejs/node_modules/lodash/package.json": `{"name": "lodash", "version": "4.17.15"}`,
	})
	cfg := DefaultConfig()
	cfg.DBDir = "../testdata/osvdb"
	r, err := Run(context.Background(), cfg, app)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, fn := range r.Functions {
		status[fn.Name] = fn.Status
		switch fn.Name {
		case "SourceFunction", "NodeSourceFunction":
			eco, file := "PyPI", "requirements.txt"
			if fn.Name == "NodeSourceFunction" {
				eco, file = "npm", "package.json"
			}
			if len(fn.Errors) != 1 || !strings.Contains(fn.Errors[0], file+" declares "+eco+" dependencies") || !strings.Contains(fn.Errors[0], "sam build") {
				t.Errorf("%s: errors %q", fn.Name, fn.Errors)
			}
		default:
			if len(fn.Errors) != 0 || len(fn.Packages) == 0 {
				t.Errorf("%s: errors %q, %d packages", fn.Name, fn.Errors, len(fn.Packages))
			}
		}
	}
	want := map[string]string{"SourceFunction": reports.StatusIncomplete, "NodeSourceFunction": reports.StatusIncomplete,
		"BuiltFunction": reports.StatusOK, "LayeredFunction": reports.StatusOK}
	if !maps.Equal(want, status) {
		t.Errorf("statuses %v, want %v", status, want)
	}
	if r.Summary.Gate.ExitCode != reports.ExitIncomplete {
		t.Errorf("exit %d, want %d: an unbuilt function must not pass", r.Summary.Gate.ExitCode, reports.ExitIncomplete)
	}
}
