package cloudformation

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeJSON writes v as JSON to dir/name.
func writeJSON(t *testing.T, dir, name string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

type obj = map[string]any

// TestCDKStageAndNestedStack reads a stage (nested cloud assembly) whose
// stack deploys a nested stack, with parameters given by the parent and
// code found through the asset manifest's object keys.
func TestCDKStageAndNestedStack(t *testing.T) {
	out := filepath.Join(t.TempDir(), "app", "cdk.out")
	asm := filepath.Join(out, "assembly-Prod")
	const codeHash = "1111111111111111111111111111111111111111111111111111111111111111"
	writeJSON(t, out, "manifest.json", obj{"version": "36.0.0", "artifacts": obj{
		"assembly-Prod": obj{"type": "cdk:cloud-assembly", "properties": obj{"directoryName": "assembly-Prod", "displayName": "Prod"}},
		"Tree":          obj{"type": "cdk:tree", "properties": obj{"file": "tree.json"}},
	}})
	writeJSON(t, asm, "manifest.json", obj{"version": "36.0.0", "artifacts": obj{
		"ProdApp.assets": obj{"type": "cdk:asset-manifest", "properties": obj{"file": "ProdApp.assets.json"}},
		"ProdApp": obj{"type": "aws:cloudformation:stack", "displayName": "Prod/App",
			"properties": obj{"templateFile": "ProdApp.template.json", "stackName": "Prod-App"}},
	}})
	writeJSON(t, asm, "ProdApp.assets.json", obj{"version": "36.0.0", "files": obj{
		codeHash: obj{"source": obj{"path": "asset." + codeHash, "packaging": "zip"},
			"destinations": obj{"current_account-current_region": obj{"bucketName": "b", "objectKey": codeHash + ".zip"}}},
	}})
	code := obj{"S3Bucket": obj{"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": codeHash + ".zip"}
	writeJSON(t, asm, "ProdApp.template.json", obj{"Resources": obj{
		"ApiFn1A2B3C4D": obj{"Type": "AWS::Lambda::Function", "Properties": obj{"Code": code, "Runtime": "nodejs20.x",
			"Handler": "index.handler", "Role": "arn:aws:iam::123456789012:role/api"},
			"Metadata": obj{"aws:cdk:path": "Prod/App/ApiFn/Resource"}},
		"WorkersNestedStackWorkersNestedStackResource9F8E7D6C": obj{"Type": "AWS::CloudFormation::Stack",
			"Properties": obj{"TemplateURL": "https://s3/x.json", "Parameters": obj{
				"LayerArn": "arn:aws:lambda:eu-west-1:123456789012:layer:shared:4",
				"QueueArn": obj{"Fn::GetAtt": []any{"Queue", "Arn"}}}},
			"Metadata": obj{"aws:cdk:path": "Prod/App/Workers.NestedStack/Workers.NestedStackResource",
				"aws:asset:path": "ProdAppWorkers1234.nested.template.json", "aws:asset:property": "TemplateURL"}},
		"Queue": obj{"Type": "AWS::SQS::Queue"},
	}})
	writeJSON(t, asm, "ProdAppWorkers1234.nested.template.json", obj{
		"Parameters": obj{"LayerArn": obj{"Type": "String"}, "QueueArn": obj{"Type": "String"}},
		"Resources": obj{
			"WorkerFn5E6F7A8B": obj{"Type": "AWS::Lambda::Function", "Properties": obj{"Code": code, "Runtime": "python3.12",
				"Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/worker", "Layers": []any{obj{"Ref": "LayerArn"}}},
				"Metadata": obj{"aws:cdk:path": "Prod/App/Workers/WorkerFn/Resource"}},
			"WorkerMapping": obj{"Type": "AWS::Lambda::EventSourceMapping", "Properties": obj{
				"FunctionName": obj{"Ref": "WorkerFn5E6F7A8B"}, "EventSourceArn": obj{"Ref": "QueueArn"}}},
		}})

	manifest, ok := NewCDK().Detect(filepath.Dir(out))
	if !ok {
		t.Fatal("not detected")
	}
	app, err := NewCDK().Load(context.Background(), manifest)
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "Prod-App" {
		t.Errorf("Name = %s, want the stack name Prod-App", app.Name)
	}
	type fnView struct {
		Name, Code, Layer, Trigger string
	}
	var got []fnView
	for _, fn := range app.Functions {
		v := fnView{Name: fn.Name, Code: fn.Artifacts[0].Path}
		if len(fn.Artifacts) > 1 {
			v.Layer = fn.Artifacts[1].Name
		}
		if len(fn.Triggers) > 0 {
			v.Trigger = fn.Triggers[0].Type + " " + fn.Triggers[0].Detail
		}
		got = append(got, v)
	}
	codePath := filepath.Join(asm, "asset."+codeHash)
	want := []fnView{
		{Name: "ApiFn", Code: codePath},
		{Name: "WorkerFn", Code: codePath, Layer: "shared:4", Trigger: "eventsource event source ${QueueArn} (WorkerMapping)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("functions (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
	}
}

func TestCDKNames(t *testing.T) {
	tests := []struct{ name, props, meta, want string }{
		{"literal FunctionName", `"FunctionName": "orders-api"`, `"aws:cdk:path": "S/Api/Resource"`, "orders-api"},
		{"computed FunctionName", `"FunctionName": {"Fn::Sub": "x-${AWS::Region}"}`, `"aws:cdk:path": "S/Api/Handler/Resource"`, "Handler"},
		{"L1 construct", `"Runtime": "x"`, `"aws:cdk:path": "S/RawFn"`, "RawFn"},
		{"no path", `"Runtime": "x"`, `"x": "y"`, "Fn1234ABCD"},
		{"stack only", `"Runtime": "x"`, `"aws:cdk:path": "S/Resource"`, "Fn1234ABCD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stackFromText(t, `{"Resources": {"Fn1234ABCD": {"Type": "AWS::Lambda::Function", "Properties": {`+tt.props+`}, "Metadata": {`+tt.meta+`}}}}`)
			b := newBuilder(context.Background(), s, nil)
			b.assets = &cdkAssets{files: map[string]string{}, paths: map[string]string{}}
			if got := b.assets.name(b, s.resources["Fn1234ABCD"]); got != tt.want {
				t.Errorf("name = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCDKTemplateGivenAlone reads one synthesized stack template with the
// SAM/CloudFormation loader: its asset metadata still finds the code.
func TestCDKTemplateGivenAlone(t *testing.T) {
	p := "testdata/cdk/cdk.out/OrdersStack.template.json"
	manifest, ok := New().Detect(p)
	if !ok {
		t.Fatal("not detected")
	}
	app, err := New().Load(context.Background(), manifest)
	if err != nil {
		t.Fatal(err)
	}
	fn := function(t, app, "OrdersFn")
	want := filepath.Join("testdata", "cdk", "cdk.out", "asset.035bf5c52f115942eb5379fa637d8aa71d1f19f776e6884fa7514ba0af613d65")
	if fn.Artifacts[0].Path != want || fn.Exposure() != "public" {
		t.Errorf("OrdersFn: artifacts %+v, exposure %s", fn.Artifacts, fn.Exposure())
	}
}
