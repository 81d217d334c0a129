package cloudformation

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
)

// wrongTypesTemplate has wrong types everywhere.
const wrongTypesTemplate = `Transform: [AWS::Serverless-2016-10-31, 42]
Globals:
  Function: [not, a, map]
Conditions:
  C: !Equals [only-one]
  D: !And oops
Resources:
  Str: just a string
  NoType: {Properties: {}}
  BadProps:
    Type: AWS::Serverless::Function
    Properties: [1, 2]
  F:
    Type: AWS::Serverless::Function
    Condition: [C]
    Properties:
      CodeUri: [a, b]
      Runtime: {Fn::Join: oops}
      Handler: !Select [x, [a]]
      Layers: {Ref: 5}
      Policies: 42
      Events:
        A: [list]
        B: {Type: Api, Properties: [x]}
        C: {Type: Api, Properties: {Method: {a: b}, Path: [1], Auth: oops, RestApiId: 7}}
        D: {Type: HttpApi, Properties: {Auth: {Authorizer: [x]}}}
        E: {Type: SQS, Properties: {Queue: {Fn::Sub: [1, 2, 3]}}}
      FunctionUrlConfig: [x]
      Role: [!GetAtt '']
  G:
    Type: AWS::Lambda::Function
    Properties:
      Code: {Fn::If: [D, a, b]}
      Layers: [!Ref F, [nested], {Fn::GetAtt: 3}]
      Role: {Fn::Sub: ['${X}', oops]}
      PackageType: {}
  Perm:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: {x: y}, Principal: [a]}
  Perm2:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !Ref G, Principal: [a]}
  Method:
    Type: AWS::ApiGateway::Method
    Properties: {Integration: oops, ResourceId: !Ref Method}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {Target: [1], ApiId: {}}
  Res1: {Type: AWS::ApiGateway::Resource, Properties: {ParentId: !Ref Res2, PathPart: a}}
  Res2: {Type: AWS::ApiGateway::Resource, Properties: {ParentId: !Ref Res1, PathPart: b}}
  Loop:
    Type: AWS::ApiGateway::Method
    Properties: {ResourceId: !Ref Res1, HttpMethod: GET, Integration: {Uri: !GetAtt G.Arn}}
  A1: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !Ref A2}}
  A2: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !Ref A1}}
  Url: {Type: AWS::Lambda::Url, Properties: {TargetFunctionArn: !Ref A1, AuthType: NONE}}
  TG: {Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: {TargetType: lambda, Targets: oops}}
  Role:
    Type: AWS::IAM::Role
    Properties: {Policies: oops, ManagedPolicyArns: {a: b}}
  Pol:
    Type: AWS::IAM::Policy
    Properties: {Roles: 5, PolicyDocument: [x]}
`

// TestWrongTypes feeds a template with wrong types everywhere: it loads,
// with warnings naming lines, and never panics.
func TestWrongTypes(t *testing.T) {
	app := loadText(t, wrongTypesTemplate)
	if app.Kind != bundle.KindSAM {
		t.Errorf("Kind = %s, want sam (Transform lists the SAM transform)", app.Kind)
	}
	if len(app.Functions) < 2 {
		t.Errorf("functions = %d, want F, G and BadProps", len(app.Functions))
	}
	if len(app.Warnings) < 10 {
		t.Errorf("want many warnings, got %q", app.Warnings)
	}
	for _, w := range app.Warnings {
		if !strings.Contains(w, "template.yaml") {
			t.Errorf("warning %q does not name the template", w)
		}
	}
	if !slicesContainsSub(app.Warnings, "circular") {
		t.Errorf("the circular API resources are not reported: %q", app.Warnings)
	}
}

func slicesContainsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// tarFile writes a tar of entries (name → content) to path.
func tarFile(t *testing.T, path string, entries [][2]string, gz bool) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(data)
		_ = zw.Close()
		data = z.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func dockerManifest(tags ...string) string {
	b, _ := json.Marshal([]map[string]any{{"Config": "c.json", "RepoTags": tags, "Layers": []string{"l.tar"}}})
	return string(b)
}

// TestImageArchives finds image functions' archives by RepoTags or OCI
// image names, within depth, and survives corrupt archives.
func TestImageArchives(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("x", 1<<20)
	tarFile(t, filepath.Join(dir, "images", "api.tar"), [][2]string{{"l.tar", big}, {"manifest.json", dockerManifest("registry.example.com/shop/api:1.0")}}, false)
	tarFile(t, filepath.Join(dir, "oci", "worker.tar"), [][2]string{{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`},
		{"index.json", `{"schemaVersion":2,"manifests":[{"annotations":{"io.containerd.image.name":"docker.io/library/worker:2"}}]}`}}, false)
	tarFile(t, filepath.Join(dir, "a", "b", "c", "d", "deep.tar"), [][2]string{{"manifest.json", dockerManifest("deep:1")}}, false)
	tarFile(t, filepath.Join(dir, "node_modules", "x", "nm.tar"), [][2]string{{"manifest.json", dockerManifest("nm:1")}}, false)
	tarFile(t, filepath.Join(dir, "gz.tar"), [][2]string{{"manifest.json", dockerManifest("gz:1")}}, true)
	tarFile(t, filepath.Join(dir, "built.tar"), [][2]string{{"./manifest.json", dockerManifest("builtfunction:v3")}}, false)
	if err := os.WriteFile(filepath.Join(dir, "corrupt.tar"), []byte("not a tar at all, just some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A manifest.json declared far larger than the bound is not read.
	var huge bytes.Buffer
	tw := tar.NewWriter(&huge)
	_ = tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: 1 << 30, Typeflag: tar.TypeReg})
	if err := os.WriteFile(filepath.Join(dir, "huge.tar"), huge.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl := samHead
	for _, f := range []struct{ name, props string }{
		{"Api", "ImageUri: registry.example.com/shop/api:1.0"},
		{"Worker", "ImageUri: worker:2"},
		{"Deep", "ImageUri: deep:1"},
		{"Nm", "ImageUri: nm:1"},
		{"Gz", "ImageUri: gz:1"},
		{"BuiltFunction", "ImageUri: x\n    Metadata: {DockerTag: v3, DockerContext: .}"},
	} {
		tmpl += "  " + f.name + ":\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      " + f.props + "\n"
	}
	p := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(p, []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := New().Load(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Api": "images/api.tar", "Worker": "oci/worker.tar", "BuiltFunction": "built.tar",
		"Deep": "", "Nm": "", "Gz": "",
	}
	for _, fn := range app.Functions {
		a := fn.Artifacts[0]
		if a.Role != bundle.RoleImage {
			t.Errorf("%s: artifact role %s, want image", fn.Name, a.Role)
		}
		w := want[fn.Name]
		if w == "" {
			if a.Path != "" || !strings.Contains(a.Problem, "only in a registry") {
				t.Errorf("%s: artifact %+v, want a registry problem", fn.Name, a)
			}
			continue
		}
		if a.Path != filepath.Join(dir, w) || a.Problem != "" {
			t.Errorf("%s: artifact %+v, want %s", fn.Name, a, w)
		}
	}
	for _, bad := range []string{"corrupt.tar", "gz.tar", "huge.tar"} {
		if !slicesContainsSub(app.Warnings, bad) {
			t.Errorf("no warning about %s: %q", bad, app.Warnings)
		}
	}
}

// TestNormalizeRef checks image reference normalisation.
func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                           "nginx:latest",
		"docker.io/library/nginx:1":       "nginx:1",
		"localhost:5000/app":              "localhost:5000/app:latest",
		"localhost:5000/app:2":            "localhost:5000/app:2",
		"r.example.com/a/b@sha256:abcdef": "r.example.com/a/b@sha256:abcdef",
		"":                                ":latest",
	} {
		if got := normalizeRef(in); got != want {
			t.Errorf("normalizeRef(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBoundedEvaluation checks the bounds on evaluation: long condition
// chains, huge splits, and a step budget that ends in unresolved values.
func TestBoundedEvaluation(t *testing.T) {
	var b strings.Builder
	b.WriteString("Conditions:\n")
	for i := 0; i < 1500; i++ {
		b.WriteString("  C" + strconv.Itoa(i) + ": !Condition C" + strconv.Itoa(i+1) + "\n")
	}
	b.WriteString("  C1500: !Equals [a, a]\n")
	b.WriteString("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Condition: C0\n    Properties:\n")
	b.WriteString("      CodeUri: !Select [0, !Split [',', '" + strings.Repeat("x,", 20_000) + "']]\n")
	app := loadText(t, "Transform: AWS::Serverless-2016-10-31\n"+b.String())
	fn := function(t, app, "F")
	if !strings.Contains(fn.Artifacts[0].Problem, "more than 10000 items") {
		t.Errorf("code artifact %+v, want an unresolved split", fn.Artifacts[0])
	}
	if !slicesContainsSub(app.Warnings, "more than 1000 deep") {
		t.Errorf("warnings %q, want the condition chain reported", app.Warnings)
	}
}
