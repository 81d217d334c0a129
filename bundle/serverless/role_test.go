package serverless

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

// TestRole checks how a function's execution role is found and rated,
// with function f defined by the given lines and the given resources.
func TestRole(t *testing.T) {
	const resources = `
resources:
  Resources:
    AdminRole:
      Type: AWS::IAM::Role
      Properties:
        ManagedPolicyArns:
          - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
    ReaderRole:
      Type: AWS::IAM::Role
      Properties:
        Policies:
          - PolicyName: read
            PolicyDocument:
              Statement:
                Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::b/*
    AttachedWriter:
      Type: AWS::IAM::Policy
      Properties:
        Roles:
          - !Ref ReaderRole
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: dynamodb:PutItem
              Resource: '*'
    NotARole:
      Type: AWS::SQS::Queue
`
	tests := []struct {
		name, provider, fn string
		want               bundle.Role
	}{
		{"default role", "", "", bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "scoped"}},
		{"v3 statements", "iam: {role: {statements: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]}}", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "broad", Reasons: []string{"sqs:* on *"}}},
		{"v3 named role", "iam: {role: {name: custom-name, managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]}}", "",
			bundle.Role{Name: "custom-name", Privilege: "admin", Reasons: []string{"managed policy AdministratorAccess"}}},
		{"v2 statements and managed", "iamRoleStatements: [{Effect: Allow, Action: [s3:GetObject], Resource: arn:aws:s3:::b/*}]\n  iamManagedPolicies: [arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess]", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "broad", Reasons: []string{"managed policy AmazonDynamoDBFullAccess"}}},
		{"deny ignored", "iam: {role: {statements: [{Effect: Deny, Action: '*', Resource: '*'}]}}", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "scoped"}},
		{"provider existing role arn", "iam: {role: 'arn:aws:iam::1:role/x'}", "",
			bundle.Role{Name: "arn:aws:iam::1:role/x", Privilege: "unknown", Reasons: []string{"role arn:aws:iam::1:role/x is defined outside this service: its policies cannot be read locally"}}},
		{"provider role logical id", "iam: {role: AdminRole}", "",
			bundle.Role{Name: "AdminRole", Privilege: "admin", Reasons: []string{"managed policy AdministratorAccess"}}},
		{"v2 provider role", "role: ReaderRole", "",
			bundle.Role{Name: "ReaderRole", Privilege: "broad", Reasons: []string{"dynamodb:PutItem on *"}}},
		{"function role GetAtt", "", "role: !GetAtt AdminRole.Arn",
			bundle.Role{Name: "AdminRole", Privilege: "admin", Reasons: []string{"managed policy AdministratorAccess"}}},
		{"function role long GetAtt", "", "role: {Fn::GetAtt: [ReaderRole, Arn]}",
			bundle.Role{Name: "ReaderRole", Privilege: "broad", Reasons: []string{"dynamodb:PutItem on *"}}},
		{"function role undefined", "", "role: Ghost",
			bundle.Role{Name: "Ghost", Privilege: "unknown", Reasons: []string{"role Ghost is not defined in resources.Resources"}}},
		{"function role not a role", "", "role: NotARole",
			bundle.Role{Name: "NotARole", Privilege: "unknown", Reasons: []string{"role NotARole is a AWS::SQS::Queue, not an AWS::IAM::Role"}}},
		{"function role ssm", "", "role: ${ssm:/role/arn}",
			bundle.Role{Name: "${ssm:/role/arn}", Privilege: "unknown", Reasons: []string{"role ${ssm:/role/arn} is unresolved"}}},
		{"function role imported", "", "role: !ImportValue shared-role-arn",
			bundle.Role{Name: "!ImportValue shared-role-arn", Privilege: "unknown", Reasons: []string{"role !ImportValue shared-role-arn cannot be resolved locally"}}},
		{"function role is the default", "iamRoleStatements: [{Effect: Allow, Action: 'iam:PassRole', Resource: '*'}]", "role: IamRoleLambdaExecution",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "admin", Reasons: []string{"iam:PassRole on *"}}},
		{"per-function statements", "iamRoleStatements: [{Effect: Allow, Action: 's3:*', Resource: '*'}]", "iamRoleStatements: [{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}]",
			bundle.Role{Name: "FIamRoleLambdaExecution", Privilege: "scoped"}},
		{"per-function statements inheriting", "iamRoleStatements: [{Effect: Allow, Action: 's3:*', Resource: '*'}]", "iamRoleStatementsInherit: true\n    iamRoleStatements: []",
			bundle.Role{Name: "FIamRoleLambdaExecution", Privilege: "broad", Reasons: []string{"s3:* on *"}}},
		{"statements from file", "iam: {role: {statements: '${file(./iam.yml)}'}}", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "unknown", Reasons: []string{"statements ${file(./iam.yml)} are not read"}}},
		{"statement not a mapping", "iamRoleStatements: [allow-everything]", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "unknown", Reasons: []string{"policy at app/serverless.yml:4 cannot be read"}}},
		{"resource from variable", "iamRoleStatements: [{Effect: Allow, Action: s3:PutObject, Resource: '${self:custom.bucketArn}'}]", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "broad", Reasons: []string{"s3:PutObject on *"}}},
		{"resource from ssm", "iamRoleStatements: [{Effect: Allow, Action: s3:GetObject, Resource: '${ssm:/bucket/arn}'}]", "",
			bundle.Role{Name: "IamRoleLambdaExecution", Privilege: "unknown", Reasons: []string{"IAM statement uses unresolved ${ssm:/bucket/arn}"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "service: s\nprovider:\n  name: aws\n  " + tt.provider + "\ncustom:\n  bucketArn: '*'\nfunctions:\n  f:\n    handler: h.h\n    " + tt.fn + "\n" + resources
			app, err := loadYAML(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, app.Functions[0].Role); diff != "" {
				t.Errorf("role (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
		})
	}
}

// TestStatePath checks how artifact paths of a state file are mapped to
// this machine.
func TestStatePath(t *testing.T) {
	s := &service{appDir: "app", packDir: "app/.serverless", ciRoot: "/home/runner/work/app/app"}
	tests := []struct{ in, want string }{
		{"/home/runner/work/app/app/.serverless/createOrder.zip", "app/.serverless/createOrder.zip"},
		{"/builds/other/place/.serverless/x.zip", "app/.serverless/x.zip"},
		{`D:\a\app\app\.serverless\createOrder.zip`, "app/.serverless/createOrder.zip"},
		{"/home/runner/work/app/app/dist/legacy.zip", "app/dist/legacy.zip"},
		{"/somewhere/else/build.zip", "app/.serverless/build.zip"},
		{"dist/app.zip", "app/dist/app.zip"},
		{`dist\app.zip`, "app/dist/app.zip"},
		{"../../etc/passwd", "app/passwd"},
		{"/ci/.serverless/../../../etc/shadow", "app/.serverless/shadow"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := s.statePath(tt.in); got != tt.want {
				t.Errorf("statePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
