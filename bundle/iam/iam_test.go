package iam

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

func TestRate(t *testing.T) {
	allow := func(actions []string, resources ...string) Statement {
		return Statement{Effect: "Allow", Actions: actions, Resources: resources}
	}
	tests := []struct {
		name    string
		policy  Policy
		want    bundle.Privilege
		reasons []string
	}{
		{"star on star", Policy{Statements: []Statement{allow([]string{"*"}, "*")}}, bundle.PrivilegeAdmin, []string{"* on *"}},
		{"administrator managed policy", Policy{Managed: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}, bundle.PrivilegeAdmin, []string{"managed policy AdministratorAccess"}},
		{"pass role on star is a path to admin", Policy{Statements: []Statement{
			allow([]string{"sqs:SendMessage"}, "arn:aws:sqs:eu-west-1:1:q"),
			allow([]string{"iam:CreateRole", "iam:PassRole"}, "*"),
		}}, bundle.PrivilegeAdmin, []string{"iam:CreateRole on *"}},
		{"iam wildcard pattern on star", Policy{Statements: []Statement{allow([]string{"iam:Put*"}, "*")}}, bundle.PrivilegeAdmin, []string{"iam:Put* on *"}},
		{"not action on star", Policy{Statements: []Statement{{Effect: "Allow", NotActions: []string{"iam:*"}, Resources: []string{"*"}}}}, bundle.PrivilegeAdmin, []string{"every action except iam:* on *"}},
		{"service wildcard", Policy{Statements: []Statement{allow([]string{"s3:*"}, "*")}}, bundle.PrivilegeBroad, []string{"s3:* on *"}},
		{"service wildcard on one table", Policy{Statements: []Statement{allow([]string{"dynamodb:*"}, "arn:aws:dynamodb:eu-west-1:1:table/t")}}, bundle.PrivilegeBroad, []string{"dynamodb:* on arn:aws:dynamodb:eu-west-1:1:table/t"}},
		{"write on star", Policy{Statements: []Statement{allow([]string{"s3:PutObject"}, "*")}}, bundle.PrivilegeBroad, []string{"s3:PutObject on *"}},
		{"full access managed policy", Policy{Managed: []string{"AmazonS3FullAccess"}}, bundle.PrivilegeBroad, []string{"managed policy AmazonS3FullAccess"}},
		{"read on star is scoped", Policy{Statements: []Statement{allow([]string{"s3:GetObject", "logs:Describe*"}, "*")}}, bundle.PrivilegeScoped, nil},
		{"writes on named resources are scoped", Policy{Statements: []Statement{allow([]string{"dynamodb:PutItem", "sqs:SendMessage"}, "arn:aws:dynamodb:x:1:table/t")}}, bundle.PrivilegeScoped, nil},
		{"deny is ignored", Policy{Statements: []Statement{{Effect: "Deny", Actions: []string{"*"}, Resources: []string{"*"}}, allow([]string{"s3:GetObject"}, "arn:aws:s3:::b/*")}}, bundle.PrivilegeScoped, nil},
		{"basic execution role is scoped", Policy{Managed: []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}}, bundle.PrivilegeScoped, nil},
		{"lambda logging and VPC access on star are scoped", Policy{Statements: []Statement{
			allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "*"),
			allow([]string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces"}, "*"),
		}}, bundle.PrivilegeScoped, nil},
		{"not resource reads as any resource", Policy{Statements: []Statement{{Effect: "Allow", Actions: []string{"s3:PutObject"}, NotResources: []string{"arn:aws:s3:::audit/*"}}}},
			bundle.PrivilegeBroad, []string{"s3:PutObject on every resource except arn:aws:s3:::audit/*"}},
		{"nothing known", Policy{}, bundle.PrivilegeUnknown, nil},
		{"imported role", Policy{Unknown: "role arn:aws:iam::1:role/x is defined outside the template"}, bundle.PrivilegeUnknown, []string{"role arn:aws:iam::1:role/x is defined outside the template"}},
		{"admin wins over unknown parts", Policy{Statements: []Statement{allow([]string{"*"}, "*")}, Unknown: "policy p unresolved"}, bundle.PrivilegeAdmin, []string{"* on *"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons := Rate(tt.policy)
			if got != tt.want {
				t.Errorf("privilege = %s, want %s", got, tt.want)
			}
			if diff := cmp.Diff(tt.reasons, reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDocument(t *testing.T) {
	got, err := ParseDocument(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":["*"]}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{{Effect: "Allow", Actions: []string{"s3:*"}, Resources: []string{"*"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = ParseDocument(map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Action": []any{"dynamodb:GetItem"}, "Resource": map[string]any{"Fn::GetAtt": []any{"T", "Arn"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Resources[0] != "(unresolved)" {
		t.Errorf("an intrinsic resource must not read as a string: %+v", got)
	}
	for _, bad := range []any{"not json", 42, map[string]any{}, map[string]any{"Statement": 3}} {
		if _, err := ParseDocument(bad); err == nil {
			t.Errorf("ParseDocument(%v) succeeded", bad)
		}
	}
}
