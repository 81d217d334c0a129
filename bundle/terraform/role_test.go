package terraform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

// fnWithRole is a function whose role is only known after apply and
// referenced from the configuration.
func fnWithRole(ref string) res {
	return res{addr: "aws_lambda_function.fn", values: map[string]any{"function_name": "fn", "filename": "fn.zip"},
		unknown: map[string]any{"role": true}, expr: map[string]any{"role": refs(ref)}}
}

func role(values map[string]any, expr map[string]any) res {
	v := map[string]any{"name": "fn-exec"}
	for k, x := range values {
		v[k] = x
	}
	return res{addr: "aws_iam_role.r", values: v, unknown: map[string]any{"arn": true, "inline_policy": true, "managed_policy_arns": true}, expr: expr}
}

const (
	adminDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	readDoc  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}`
)

func TestRoles(t *testing.T) {
	tests := []struct {
		name    string
		rs      []res
		want    bundle.Role
		warning string // a substring of one warning, when one is expected
	}{
		{"inline policy block",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(map[string]any{"inline_policy": []any{map[string]any{"name": "all", "policy": adminDoc}}},
				map[string]any{"inline_policy": []any{map[string]any{"policy": map[string]any{"constant_value": adminDoc}}}})},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"* on *"}}, ""},
		{"role policy from a policy document data source",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy.p", values: map[string]any{"name": "p"}, unknown: map[string]any{"role": true, "policy": true},
					expr: map[string]any{"role": refs("aws_iam_role.r.id"), "policy": refs("data.aws_iam_policy_document.d.json")}},
				{addr: "data.aws_iam_policy_document.d", values: map[string]any{"json": readDoc}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeScoped}, ""},
		{"policy document whose json is only known after apply",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy.p", values: map[string]any{"role": "fn-exec"}, unknown: map[string]any{"policy": true},
					expr: map[string]any{"policy": refs("data.aws_iam_policy_document.d.json")}},
				{addr: "data.aws_iam_policy_document.d", values: map[string]any{"statement": []any{
					map[string]any{"actions": []any{"dynamodb:*"}, "resources": []any{nil}}}},
					unknown: map[string]any{"json": true, "statement": []any{map[string]any{"resources": []any{true}}}}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeBroad, Reasons: []string{"dynamodb:* on (unknown)"}}, ""},
		{"AWS managed policy attachment",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy_attachment.a", values: map[string]any{"role": "fn-exec", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"managed policy AdministratorAccess"}}, ""},
		{"customer policy of the plan attached by reference",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_policy.p", values: map[string]any{"name": "p", "policy": `{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`},
					unknown: map[string]any{"arn": true}},
				{addr: "aws_iam_role_policy_attachment.a", values: map[string]any{}, unknown: map[string]any{"role": true, "policy_arn": true},
					expr: map[string]any{"role": refs("aws_iam_role.r.name"), "policy_arn": refs("aws_iam_policy.p.arn")}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"iam:PassRole on *"}}, ""},
		{"policy attachment by roles list",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_policy_attachment.a", values: map[string]any{"roles": []any{"other", "fn-exec"}, "policy_arn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeBroad, Reasons: []string{"managed policy AmazonS3FullAccess"}}, ""},
		{"managed_policy_arns by reference to a policy of the plan",
			[]res{fnWithRole("aws_iam_role.r.arn"),
				role(map[string]any{"managed_policy_arns": []any{nil}}, map[string]any{"managed_policy_arns": refs("aws_iam_policy.p.arn")}),
				{addr: "aws_iam_policy.p", values: map[string]any{"name": "p", "policy": readDoc}, unknown: map[string]any{"arn": true}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeScoped}, ""},
		{"customer policy outside the plan is unknown",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy_attachment.a", values: map[string]any{"role": "fn-exec", "policy_arn": "arn:aws:iam::123456789012:policy/ops"}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"policy arn:aws:iam::123456789012:policy/ops is not defined in the plan"}}, ""},
		{"role ARN outside the plan is unknown",
			[]res{{addr: "aws_lambda_function.fn", values: map[string]any{"function_name": "fn", "filename": "fn.zip", "role": "arn:aws:iam::123456789012:role/ext"}}},
			bundle.Role{Name: "ext", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"role arn:aws:iam::123456789012:role/ext is not defined in the plan"}}, ""},
		{"role outside the plan with an admin attachment in it is admin",
			[]res{{addr: "aws_lambda_function.fn", values: map[string]any{"function_name": "fn", "filename": "fn.zip", "role": "arn:aws:iam::123456789012:role/ext"}},
				{addr: "aws_iam_role_policy_attachment.a", values: map[string]any{"role": "ext", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}},
			bundle.Role{Name: "ext", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"managed policy AdministratorAccess"}}, ""},
		{"role only known after apply is unknown",
			[]res{{addr: "aws_lambda_function.fn", values: map[string]any{"function_name": "fn", "filename": "fn.zip"}, unknown: map[string]any{"role": true}}},
			bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{"the role is only known after apply"}}, "role is only known after apply"},
		{"policy that is not JSON is unknown",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy.p", values: map[string]any{"role": "fn-exec", "policy": "{not json"}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"the policy of aws_iam_role_policy.p cannot be read"}}, "policy document is not JSON"},
		{"role through a local value is the only role of its module",
			[]res{fnWithRole("local.role_arn"), role(map[string]any{"managed_policy_arns": []any{"arn:aws:iam::aws:policy/PowerUserAccess"}}, nil)},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeBroad, Reasons: []string{"managed policy PowerUserAccess"}}, "taken to be aws_iam_role.r, the only role of its module"},
		{"policy that names no role belongs to the only role of its module",
			[]res{fnWithRole("aws_iam_role.r.arn"), role(nil, nil),
				{addr: "aws_iam_role_policy.p", values: map[string]any{"policy": adminDoc}}},
			bundle.Role{Name: "fn-exec", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"* on *"}}, "taken to be aws_iam_role.r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := mustLoad(t, tc.rs...)
			f := findFunction(t, app, "fn")
			if diff := cmp.Diff(tc.want, f.Role); diff != "" {
				t.Errorf("role (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(app.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q lack %q", app.Warnings, tc.warning)
			}
		})
	}
}
