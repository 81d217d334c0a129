package cloudformation

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notCFN := write("other/template.yaml", "name: my-helm-chart\nversion: 1.0.0\n")
	packaged := write("pkg/packaged.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n")
	minified := write("min.json", `{"Resources":{"F":{"Type":"AWS::Lambda::Function"}}}`)
	noMarker := write("plain.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
	dockerManifest := write("img/manifest.json", `[{"Config":"c.json","RepoTags":["x:1"],"Layers":[]}]`)

	tests := []struct {
		name     string
		cdk      bool
		path     string
		want     string
		detected bool
	}{
		{"sam dir", false, "testdata/sam", "testdata/sam/template.yaml", true},
		{"sam build output preferred", false, "testdata/sam-build", "testdata/sam-build/.aws-sam/build/template.yaml", true},
		{"template file", false, "testdata/cfn/template.json", "testdata/cfn/template.json", true},
		{"packaged template", false, filepath.Dir(packaged), packaged, true},
		{"minified json", false, minified, minified, true},
		{"yaml of another tool", false, filepath.Dir(notCFN), "", false},
		{"resources without lambda or version", false, noMarker, "", false},
		{"missing path", false, filepath.Join(dir, "nope"), "", false},
		{"cdk dir is not sam", false, "testdata/cdk", "", false},
		{"cdk project dir", true, "testdata/cdk", "testdata/cdk/cdk.out/manifest.json", true},
		{"cdk.out dir", true, "testdata/cdk/cdk.out", "testdata/cdk/cdk.out/manifest.json", true},
		{"cdk manifest file", true, "testdata/cdk/cdk.out/manifest.json", "testdata/cdk/cdk.out/manifest.json", true},
		{"docker manifest is not cdk", true, dockerManifest, "", false},
		{"sam dir is not cdk", true, "testdata/sam", "", false},
		{"missing path cdk", true, filepath.Join(dir, "nope"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New()
			if tt.cdk {
				l = NewCDK()
			}
			got, ok := l.Detect(tt.path)
			if ok != tt.detected || (ok && got != tt.want) {
				t.Errorf("Detect(%s) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.detected)
			}
		})
	}
}
