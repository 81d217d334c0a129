package cloudformation

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// intrinsicsBase is the template the intrinsic function cases evaluate
// against; each case's expression becomes Outputs.V.Value.
const intrinsicsBase = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: 'subnet-a, subnet-b'}
  FromSSM: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/secret-name}
Mappings:
  Env:
    prod: {Memory: '1024', Bucket: prod-assets}
    dev: {Memory: '256'}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Equals [dev, !Ref Stage]
  NotProd: !Not [!Condition IsProd]
  ProdAndDev: !And [!Condition IsProd, !Condition IsDev]
  ProdOrDev: !Or [!Condition IsDev, !Condition IsProd]
  InRegion: !Equals [!Ref 'AWS::Region', eu-west-1]
  ProdAndRegion: !And [!Condition IsProd, !Condition InRegion]
  DevAndRegion: !And [!Condition IsDev, !Condition InRegion]
  Ping: !Condition Pong
  Pong: !Not [!Condition Ping]
Resources:
  Queue: {Type: 'AWS::SQS::Queue'}
  Fn: {Type: 'AWS::Lambda::Function'}
Outputs:
  V:
    Value: `

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name, expr string
		want       string // the resolved value, or the rendering of an unresolved one
		resolved   bool
		refs       []string
		warning    string // a substring of the one warning expected, if any
	}{
		{"ref parameter default", "!Ref Stage", "prod", true, nil, ""},
		{"ref long form", `{"Ref": "Stage"}`, "prod", true, nil, ""},
		{"ref parameter without default", "!Ref NoDefault", "${NoDefault}", false, nil, ""},
		{"ref ssm parameter", "!Ref FromSSM", "${FromSSM}", false, nil, ""},
		{"ref resource is its logical id", "!Ref Queue", "Queue", true, []string{"Queue"}, ""},
		{"ref pseudo parameter", "!Ref AWS::Region", "${AWS::Region}", false, nil, ""},
		{"ref unknown name", "!Ref Nothing", "${Nothing}", false, nil, "Ref Nothing names neither"},
		{"getatt short", "!GetAtt Queue.Arn", "${Queue.Arn}", false, []string{"Queue"}, ""},
		{"getatt nested attribute", "!GetAtt Queue.Endpoint.Address", "${Queue.Endpoint.Address}", false, []string{"Queue"}, ""},
		{"getatt long", `{"Fn::GetAtt": ["Fn", "Arn"]}`, "${Fn.Arn}", false, []string{"Fn"}, ""},
		{"sub parameters", "!Sub 'app-${Stage}-${Queue}'", "app-prod-Queue", true, []string{"Queue"}, ""},
		{"sub escape", "!Sub 'literal ${!Stage}'", "literal ${Stage}", true, nil, ""},
		{"sub variables", "!Sub ['${Name}-x', {Name: !Ref Stage}]", "prod-x", true, nil, ""},
		{"sub unresolved piece", "!Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}'",
			"arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}", false, []string{"Queue"}, ""},
		{"join", "!Join ['-', [a, !Ref Stage, b]]", "a-prod-b", true, nil, ""},
		{"join comma list parameter", "!Join [',', !Ref Subnets]", "subnet-a,subnet-b", true, nil, ""},
		{"join unresolved", "!Join ['', ['arn:', !Ref 'AWS::Partition', ':s3:::b']]", "arn:${AWS::Partition}:s3:::b", false, nil, ""},
		{"select", "!Select [1, [x, y, z]]", "y", true, nil, ""},
		{"select split", "!Select [2, !Split ['/', 'a/b/c']]", "c", true, nil, ""},
		{"select out of range", "!Select [5, [x]]", "${Select}", false, nil, "not within"},
		{"select getazs", "!Select [0, !GetAZs '']", "${Select}", false, nil, ""},
		{"findinmap", "!FindInMap [Env, !Ref Stage, Memory]", "1024", true, nil, ""},
		{"findinmap missing", "!FindInMap [Env, dev, Bucket]", "${FindInMap}", false, nil, "Mappings has no"},
		{"findinmap default value", "!FindInMap [Env, dev, Bucket, {DefaultValue: fallback}]", "fallback", true, nil, ""},
		{"if true", "!If [IsProd, big, small]", "big", true, nil, ""},
		{"if false", "!If [IsDev, big, small]", "small", true, nil, ""},
		{"if not", "!If [NotProd, big, small]", "small", true, nil, ""},
		{"if and", "!If [ProdAndDev, both, not-both]", "not-both", true, nil, ""},
		{"if or", "!If [ProdOrDev, either, neither]", "either", true, nil, ""},
		{"if unknown condition", "!If [InRegion, a, b]", "${If InRegion}", false, nil, ""},
		{"if unknown but false through and", "!If [DevAndRegion, a, b]", "b", true, nil, ""},
		{"if unknown and", "!If [ProdAndRegion, a, b]", "${If ProdAndRegion}", false, nil, ""},
		{"if unknown, branches agree", "!If [InRegion, same, same]", "same", true, nil, ""},
		{"if novalue", "!If [IsProd, !Ref AWS::NoValue, x]", "", true, nil, ""},
		{"if undefined condition", "!If [Nope, a, b]", "${If Nope}", false, nil, "condition Nope is not defined"},
		{"circular conditions", "!If [Ping, a, b]", "${If Ping}", false, nil, "is circular"},
		{"base64", "!Base64 hi", "aGk=", true, nil, ""},
		{"importvalue", "!ImportValue shared-vpc", "${ImportValue shared-vpc}", false, nil, ""},
		{"cidr", "!Cidr [10.0.0.0/16, 4, 8]", "${Cidr}", false, nil, ""},
		{"equals as a value", "!Equals [!Ref Stage, prod]", "true", true, nil, ""},
		{"length", "{\"Fn::Length\": [a, b, c]}", "3", true, nil, ""},
		{"unknown function", "!Frobnicate x", "${Frobnicate}", false, nil, ""},
		{"malformed join", "!Join [x]", "${Join}", false, nil, "Fn::Join takes"},
		{"malformed ref", "!Ref [a, b]", "${Ref}", false, nil, "Ref takes a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stackFromText(t, intrinsicsBase+tt.expr+"\n")
			raw := s.root.get("Outputs").get("V").get("Value")
			v := s.ev.eval(raw)
			got, resolved := v.str, v.kind == kindString
			if v.kind == kindNoValue {
				got, resolved = "", true
			}
			if got != tt.want || resolved != tt.resolved {
				t.Errorf("eval(%s) = %q (resolved %v, %s), want %q (resolved %v)", tt.expr, got, resolved, v.why, tt.want, tt.resolved)
			}
			if diff := cmp.Diff(tt.refs, v.refs); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
			warns := s.warn.result()
			switch {
			case tt.warning == "" && len(warns) > 0:
				t.Errorf("unexpected warnings %q", warns)
			case tt.warning != "" && (len(warns) != 1 || !strings.Contains(warns[0], tt.warning)):
				t.Errorf("warnings = %q, want one containing %q", warns, tt.warning)
			}
		})
	}
}

// stackFromText parses a template from text (named template.yaml).
func stackFromText(t *testing.T, text string) *stack {
	t.Helper()
	w := &warnings{}
	root, err := parseTemplate("template.yaml", []byte(text), w)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newStack("template.yaml", root, w)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIntrinsicsJSONLines checks that JSON templates are located by line
// too, with long-form intrinsics.
func TestIntrinsicsJSONLines(t *testing.T) {
	s := stackFromText(t, `{
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Role": {"Fn::GetAtt": ["R", "Arn"]}
      }
    }
  }
}`)
	r := s.resources["Fn"]
	if r.line != 3 || r.props.keyLine("Role") != 6 {
		t.Errorf("lines: resource %d, Role %d; want 3, 6", r.line, r.props.keyLine("Role"))
	}
	if w := s.warn.result(); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if v := s.ev.eval(r.props.get("Role")); v.kind != kindUnresolved || v.line != 6 {
		t.Errorf("Role = %+v, want unresolved at line 6", v)
	}
}

// TestGlobalsMerge checks SAM's Globals merge rules.
func TestGlobalsMerge(t *testing.T) {
	tests := []struct {
		name, global, local, want string
	}{
		{"local scalar wins", "Runtime: nodejs18.x", "Runtime: python3.12", "{Runtime: python3.12}"},
		{"global scalar kept", "Timeout: 10", "Handler: app.h", "{Timeout: 10, Handler: app.h}"},
		{"maps merge", "Environment: {Variables: {A: '1', B: '2'}}", "Environment: {Variables: {B: '3', C: '4'}}",
			"{Environment: {Variables: {A: 1, B: 3, C: 4}}}"},
		{"lists concatenate, globals first", "Layers: [G1, G2]", "Layers: [L1]", "{Layers: [G1, G2, L1]}"},
		{"intrinsic is a scalar", "Environment: {Variables: {A: '1'}}", "Environment: !If [C, {Variables: {B: '2'}}, !Ref AWS::NoValue]",
			"{Environment: {Fn::If: [C, {Variables: {B: 2}}, {Ref: AWS::NoValue}]}}"},
		{"type mismatch: local wins", "CodeUri: s3://b/k", "CodeUri: {Bucket: b, Key: k}", "{CodeUri: {Bucket: b, Key: k}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := parseTemplate("g.yaml", []byte(tt.global), &warnings{})
			if err != nil {
				t.Fatal(err)
			}
			l, err := parseTemplate("l.yaml", []byte(tt.local), &warnings{})
			if err != nil {
				t.Fatal(err)
			}
			if got := flow(mergeGlobal(g, l, 0)); got != tt.want {
				t.Errorf("merge = %s, want %s", got, tt.want)
			}
		})
	}
}

// flow renders a node compactly, keys in the order they were merged.
func flow(n *node) string {
	switch n.kind {
	case kindList:
		parts := make([]string, 0, len(n.list))
		for _, item := range n.list {
			parts = append(parts, flow(item))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case kindMap:
		parts := make([]string, 0, len(n.fields))
		for _, f := range n.fields {
			parts = append(parts, f.key+": "+flow(f.val))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return n.str
}
