package cloudformation

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCloudFormationTemplate feeds arbitrary bytes to the loader as a
// template.yaml: it must return an application or an error, never panic,
// and in bounded time.
func FuzzCloudFormationTemplate(f *testing.F) {
	for _, seed := range []string{
		"testdata/sam/template.yaml", "testdata/sam-build/.aws-sam/build/template.yaml", "testdata/cfn/template.json",
		"testdata/cdk/cdk.out/OrdersStack.template.json", "testdata/cdk/cdk.out/WorkerStack.template.json",
	} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(wrongTypesTemplate))
	f.Add([]byte(intrinsicsBase + "!If [Ping, !Sub '${Stage}', !Join ['', [!Select [0, !Split [',', !Ref Subnets]]]]]\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nResources: {F: {Type: AWS::Serverless::Function, Properties: {Layers: *b}}}\n"))
	f.Add([]byte("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {PackageType: Image, ImageUri: x:1}}\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "template.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		app, err := New().Load(context.Background(), path)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("Load took %s", elapsed)
		}
		if err != nil {
			if app != nil {
				t.Fatal("Load returned an application and an error")
			}
			return
		}
		for _, fn := range app.Functions {
			if fn.Source.File != path || len(fn.Artifacts) == 0 {
				t.Fatalf("function %s: source %+v, %d artifacts", fn.Name, fn.Source, len(fn.Artifacts))
			}
			for _, a := range fn.Artifacts {
				if (a.Path == "") == (a.Problem == "") {
					t.Fatalf("function %s: artifact %+v has neither or both of a path and a problem", fn.Name, a)
				}
			}
		}
	})
}
