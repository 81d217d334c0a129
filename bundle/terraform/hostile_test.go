package terraform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

// TestWrongTypes feeds values of the wrong type where the loader reads
// strings, lists and blocks: each is a warning, never a panic or an error.
func TestWrongTypes(t *testing.T) {
	app := mustLoad(t,
		res{addr: "aws_lambda_function.fn", values: map[string]any{
			"function_name": 42.0, "filename": []any{"a.zip"}, "runtime": map[string]any{}, "role": map[string]any{"arn": "x"},
			"layers": "arn:aws:lambda:eu-west-1:1:layer:l:1", "image_uri": false,
		}, expr: map[string]any{"role": "not an expression", "layers": []any{1.0, nil}}},
		res{addr: "aws_lambda_function_url.u", values: map[string]any{"function_name": []any{}, "authorization_type": 3.0}},
		res{addr: "aws_lambda_permission.p", values: map[string]any{"function_name": "aws_lambda_function.fn", "principal": true}},
		res{addr: "aws_s3_bucket_notification.n", values: map[string]any{"lambda_function": "everything"}},
		res{addr: "aws_iam_role_policy.p", values: map[string]any{"role": 1.0, "policy": map[string]any{"Statement": "*"}}},
		res{addr: "aws_apigatewayv2_route.r", values: map[string]any{"target": []any{"integrations/x"}}},
		res{addr: "google_cloudfunctions2_function.g", values: map[string]any{"name": "g", "build_config": "python",
			"service_config": []any{"x"}, "event_trigger": map[string]any{"event_type": 1.0}}},
	)
	f := findFunction(t, app, "fn")
	want := []bundle.Artifact{{Role: bundle.RoleCode, Name: "fn", Mount: "/var/task",
		Problem: "the plan names no code for it (no filename, s3_bucket or image_uri)"}}
	if diff := cmp.Diff(want, f.Artifacts); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}
	joined := strings.Join(app.Warnings, "\n")
	for _, w := range []string{"function_name is a number, not a string", "filename is a list, not a string", "role is an object, not a string"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings lack %q:\n%s", w, joined)
		}
	}
	findFunction(t, app, "g")
}

// TestReferenceCycles makes module variables and outputs refer to each
// other in a loop, and references that do not parse: resolution stops.
func TestReferenceCycles(t *testing.T) {
	plan := `{"format_version":"1.2",
"planned_values":{"root_module":{"resources":[
  {"address":"aws_lambda_function_url.u","mode":"managed","type":"aws_lambda_function_url","name":"u","values":{"authorization_type":"NONE"}}],
 "child_modules":[{"address":"module.a","resources":[
  {"address":"module.a.aws_lambda_function.fn","mode":"managed","type":"aws_lambda_function","name":"fn","values":{"function_name":"fn","filename":"fn.zip"}}]}]}},
"resource_changes":[{"address":"aws_lambda_function_url.u","mode":"managed","type":"aws_lambda_function_url","name":"u",
  "change":{"actions":["create"],"after":{"authorization_type":"NONE"},"after_unknown":{"function_name":true}}}],
"configuration":{"root_module":{
 "resources":[{"address":"aws_lambda_function_url.u","mode":"managed","type":"aws_lambda_function_url","name":"u",
   "expressions":{"function_name":{"references":["module.a.out","module.b.out","[[[","aws_x.y[\"unterminated","module.a.out.x[0][\"k\"].z"]}}}],
 "module_calls":{
  "a":{"source":"./a","expressions":{"in":{"references":["module.a.out","module.b.out"]}},
   "module":{"outputs":{"out":{"expression":{"references":["var.in"]}}},"resources":[{"address":"aws_lambda_function.fn","mode":"managed","type":"aws_lambda_function","name":"fn","expressions":{}}]}},
  "b":{"source":"./b","expressions":{"in":{"references":["module.a.out"]}},
   "module":{"outputs":{"out":{"expression":{"references":["var.in","module.c.out"]}}},
    "module_calls":{"c":{"source":"./c","expressions":{"x":{"references":["var.in"]}},"module":{"outputs":{"out":{"expression":{"references":["var.x"]}}}}}}}}}}}}`
	app, err := loadBytes(t, []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	f := findFunction(t, app, "fn")
	if len(f.Triggers) != 0 {
		t.Errorf("triggers %v, want none: the URL's function cannot be resolved", f.Triggers)
	}
	if !strings.Contains(strings.Join(app.Warnings, "\n"), "the trigger is not attributed") {
		t.Errorf("warnings %q lack the unattributed URL", app.Warnings)
	}
}

// TestAliasCycle makes two aliases name each other: the URL on one of them
// is left unattributed.
func TestAliasCycle(t *testing.T) {
	alias := func(name, other string) res {
		return res{addr: "aws_lambda_alias." + name, values: map[string]any{"name": name}, unknown: map[string]any{"function_name": true},
			expr: map[string]any{"function_name": refs("aws_lambda_alias." + other + ".arn")}}
	}
	app := mustLoad(t, lambdaFn, alias("a", "b"), alias("b", "a"),
		res{addr: "aws_lambda_function_url.u", values: map[string]any{"authorization_type": "NONE"}, unknown: map[string]any{"function_name": true},
			expr: map[string]any{"function_name": refs("aws_lambda_alias.a.arn")}})
	if f := findFunction(t, app, "fn"); len(f.Triggers) != 0 {
		t.Errorf("triggers %v, want none", f.Triggers)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref  string
		want []seg
	}{
		{"aws_lambda_function.signup.arn", []seg{{"aws_lambda_function", ""}, {"signup", ""}, {"arn", ""}}},
		{"aws_lambda_function.this[0].arn", []seg{{"aws_lambda_function", ""}, {"this", "[0]"}, {"arn", ""}}},
		{`module.api["a.b"].function_arn`, []seg{{"module", ""}, {"api", `["a.b"]`}, {"function_arn", ""}}},
		{`data.aws_iam_policy_document.x.json`, []seg{{"data", ""}, {"aws_iam_policy_document", ""}, {"x", ""}, {"json", ""}}},
		{`x.y[0][1]`, []seg{{"x", ""}, {"y", "[0][1]"}}},
		{`aws_x.y["unterminated`, nil},
		{`a.b]c`, nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, parseRef(tc.ref), cmp.AllowUnexported(seg{})); diff != "" {
				t.Errorf("parseRef(%q) (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}

func TestStripKeys(t *testing.T) {
	tests := map[string]string{
		"module.a[0].module.b":              "module.a.module.b",
		`module.a["x]y"].module.b["k"]`:     "module.a.module.b",
		`module.a["q\"]"]`:                  "module.a",
		"":                                  "",
		"aws_lambda_function.this[\"a.b\"]": "aws_lambda_function.this",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := stripKeys(in); got != want {
				t.Errorf("stripKeys(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// TestSameNameInTwoModules checks that a root function is named after its
// resource, a child module's after its function_name, that a name defined
// twice is prefixed with the module address, and that a name still shared
// falls back to the resource address.
func TestSameNameInTwoModules(t *testing.T) {
	fn := func(addr string) string {
		return `{"address":"` + addr + `","mode":"managed","type":"aws_lambda_function","name":"this","values":{"function_name":"fn","filename":"fn.zip"}}`
	}
	plan := `{"format_version":"1.2","planned_values":{"root_module":{
  "resources":[` + fn("aws_lambda_function.this") + `],
  "child_modules":[
    {"address":"module.eu","resources":[` + fn("module.eu.aws_lambda_function.this") + `]},
    {"address":"module.us","resources":[` + fn(`module.us.aws_lambda_function.this`) + `,
      {"address":"module.us.aws_lambda_function.other","mode":"managed","type":"aws_lambda_function","name":"other","values":{"function_name":"fn","filename":"fn.zip"}}]}]}}}`
	app, err := loadBytes(t, []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range app.Functions {
		names = append(names, f.Name)
	}
	want := []string{"module.eu.fn", "module.us.aws_lambda_function.other", "module.us.aws_lambda_function.this", "this"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}
