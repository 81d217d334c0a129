package serverless

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestInterpolate checks variable resolution against a small configuration.
func TestInterpolate(t *testing.T) {
	const config = `
service: shop
provider:
  stage: ${opt:stage, 'staging'}
  region: ${env:AWS_REGION, "eu-north-1"}
custom:
  table: ${self:service}-${sls:stage}-orders
  nested:
    staging: from-staging
  list: [a, b]
  num: 5
  empty: null
  ref: !Ref Bucket
  obj: {a: 1}
  selfLoop: ${self:custom.selfLoop}
  deep1: ${self:custom.deep2}
  deep2: ${self:custom.deep3}
  deep3: end
`
	tests := []struct {
		in, want, unres string
	}{
		{"plain", "plain", ""},
		{"${self:service}", "shop", ""},
		{"${sls:stage}", "staging", ""},
		{"${opt:stage}", "${opt:stage}", "${opt:stage}"},
		{"${opt:stage, 'dev'}", "dev", ""},
		{`${opt:stage, "dev"}`, "dev", ""},
		{"${opt:stage, self:provider.stage}", "staging", ""},
		{"${opt:stage, ${self:provider.stage}}", "staging", ""},
		{"${aws:region}", "eu-north-1", ""},
		{"${aws:accountId}", "${aws:accountId}", "${aws:accountId}"},
		{"${self:custom.table}", "shop-staging-orders", ""},
		{"${self:custom.nested.${sls:stage}}", "from-staging", ""},
		{"${self:custom.list.1}", "b", ""},
		{"${self:custom.num}", "5", ""},
		{"${self:custom.empty, 'fallback'}", "fallback", ""},
		{"${self:custom.missing, 42}", "42", ""},
		{"${self:custom.missing}", "${self:custom.missing}", "${self:custom.missing}"},
		{"x-${self:custom.obj}", "x-${self:custom.obj}", "${self:custom.obj}"},
		{"${self:custom.deep1}", "end", ""},
		{"${ssm:/a/b, 'default'}", "default", ""},
		{"${file(./x.yml):key, 'd'}", "d", ""},
		{"${ssm:/a/b}", "${ssm:/a/b}", "${ssm:/a/b}"},
		{"${env:HOME}", "${env:HOME}", "${env:HOME}"},
		{"${self:custom.selfLoop}", "${self:custom.selfLoop}", "${self:custom.selfLoop}"},
		{"arn:aws:s3:::${AWS::Region}/x", "arn:aws:s3:::${AWS::Region}/x", ""},
		{"${Token}", "${Token}", ""},
		{"unterminated ${self:service", "unterminated ${self:service", "${self:service"},
		{"${self:service}/${sls:stage}", "shop/staging", ""},
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(config), &root); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tr := &tree{file: "serverless.yml", root: root.Content[0]}
			tr.vars = newResolver(tr)
			got, unres := tr.vars.interpolate(tt.in)
			if diff := cmp.Diff([]string{tt.want, tt.unres}, []string{got, unres}); diff != "" {
				t.Errorf("interpolate(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestCircularReference checks that variables referring to each other are
// reported as circular and left unresolved, without looping.
func TestCircularReference(t *testing.T) {
	app, err := loadYAML(t, `
service: ${self:custom.a}
custom:
  a: ${self:custom.b}
  b: ${self:custom.c}
  c: ${self:service}
  m: ${self:custom.n}
  n: ${self:custom.m}
functions:
  f:
    handler: h.h
    events:
      - http: ${self:custom.m}
`)
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "app" {
		t.Errorf("name %q, want the folder's name", app.Name)
	}
	if !strings.Contains(strings.Join(app.Warnings, "\n"), "circular reference") {
		t.Errorf("warnings %q do not say circular reference", app.Warnings)
	}
	if tr := app.Functions[0].Triggers; len(tr) != 1 || tr[0].Exposure != "unknown" {
		t.Errorf("triggers %+v, want one of unknown exposure", tr)
	}
}
