package cloudformation

import (
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/google/go-cmp/cmp"
)

func TestRoles(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     bundle.Role
	}{
		{"sam default role", samFn(""), bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeScoped}},
		{"managed policy name", samFn("      Policies: AmazonDynamoDBFullAccess\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeBroad, Reasons: []string{"managed policy AmazonDynamoDBFullAccess"}}},
		{"admin managed policy arn in a list", samFn("      Policies: [AWSLambdaExecute, 'arn:aws:iam::aws:policy/AdministratorAccess']\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"managed policy AdministratorAccess"}}},
		{"inline document on one map", samFn("      Policies: {Statement: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeBroad, Reasons: []string{"sqs:* on *"}}},
		{"policy templates are scoped", samFn("      Policies:\n        - S3CrudPolicy: {BucketName: !Ref B}\n        - DynamoDBReadPolicy: {TableName: t}\n        - LambdaInvokePolicy: {FunctionName: !Ref F}\n  B: {Type: 'AWS::S3::Bucket'}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeScoped}},
		{"policy template SAM writes on *", samFn("      Policies:\n        - TextractPolicy: {}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeBroad, Reasons: []string{"textract:* on *"}}},
		{"policy template with * parameter", samFn("      Policies:\n        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: '*'}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeScoped}},
		{"unknown policy template", samFn("      Policies:\n        - FancyNewPolicy: {Thing: x}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeScoped, Reasons: []string{"SAM policy template FancyNewPolicy (not known to fnaudit: taken as scoped to the resource it names)"}}},
		{"unresolved managed policy", samFn("      Policies: [!Ref P]\n") + "Parameters:\n  P: {Type: String}\n",
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"managed policy ${P} is unresolved (TEMPLATE:7)"}}},
		{"if on a resource: the wider branch", samFn("      Policies:\n        - Statement: [{Effect: Allow, Action: 's3:PutObject', Resource: !If [C, '*', 'arn:aws:s3:::b/*']}]\n") +
			"Conditions:\n  C: !Equals [!Ref 'AWS::Region', eu-west-1]\n",
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeBroad, Reasons: []string{"s3:PutObject on *, arn:aws:s3:::b/*"}}},
		{"role arn string", samFn("      Role: arn:aws:iam::123456789012:role/ops\n      Policies: AdministratorAccess\n"),
			bundle.Role{Name: "ops", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"role arn:aws:iam::123456789012:role/ops is not defined in this template"}}},
		{"role of the template with attached policies", samFn(`      Role: !GetAtt R.Arn
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: '*', Principal: '*'}]}
      ManagedPolicyArns: [!Ref MP]
  MP:
    Type: AWS::IAM::ManagedPolicy
    Properties: {PolicyDocument: {Statement: [{Effect: Allow, Action: 'dynamodb:GetItem', Resource: '*'}]}}
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [worker]
      PolicyDocument: {Statement: [{Effect: Allow, Action: 'iam:PassRole', Resource: '*'}]}
`), bundle.Role{Name: "R", Privilege: bundle.PrivilegeAdmin, Reasons: []string{"iam:PassRole on *"}}},
		{"role policy resource", samFn(`      Role: !GetAtt R.Arn
  R: {Type: 'AWS::IAM::Role', Properties: {AssumeRolePolicyDocument: {}}}
  RP:
    Type: AWS::IAM::RolePolicy
    Properties: {RoleName: !Ref R, PolicyName: p, PolicyDocument: {Statement: {Effect: Allow, Action: 'ec2:TerminateInstances', Resource: '*'}}}
`), bundle.Role{Name: "R", Privilege: bundle.PrivilegeBroad, Reasons: []string{"ec2:TerminateInstances on *"}}},
		{"malformed document", samFn("      Policies: {Statement: oops}\n"),
			bundle.Role{Name: "FRole", Privilege: bundle.PrivilegeUnknown, Reasons: []string{"a policy document at TEMPLATE:7 could not be read"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := loadText(t, tt.template)
			got := function(t, app, "F").Role
			for i, r := range tt.want.Reasons {
				tt.want.Reasons[i] = strings.ReplaceAll(r, "TEMPLATE", app.Manifest)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("role (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
		})
	}
}
