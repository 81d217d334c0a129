package cloudformation

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/google/go-cmp/cmp"
)

// loadText loads a template written to a temporary folder.
func loadText(t *testing.T, text string) *bundle.Application {
	t.Helper()
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := New().Load(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func function(t *testing.T, app *bundle.Application, name string) *bundle.Function {
	t.Helper()
	for _, f := range app.Functions {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s in %v", name, app.Functions)
	return nil
}

// trig is a trigger reduced to what exposure decisions are about.
type trig struct{ Type, Auth, Exposure string }

const samHead = "Transform: AWS::Serverless-2016-10-31\nResources:\n"

const cfnHead = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  NoDefault: {Type: String}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: fn.zip
      Runtime: nodejs20.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
`

// samFn is a SAM function F with the given extra properties (indented 6).
func samFn(props string) string {
	return samHead + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n" + props
}

func TestExposure(t *testing.T) {
	tests := []struct {
		name     string
		template string
		fn       string
		want     []trig
		warns    bool
	}{
		{"implicit api has no authorizer", samFn(`      Events:
        E: {Type: Api, Properties: {Path: /x, Method: get}}
`), "F", []trig{{"http", "none", "public"}}, false},
		{"implicit api with Globals authorizer", "Globals:\n  Api:\n    Auth:\n      DefaultAuthorizer: AWS_IAM\n" + samFn(`      Events:
        E: {Type: Api, Properties: {Path: /x, Method: get}}
`), "F", []trig{{"http", "iam", "authenticated"}}, false},
		{"api default lambda authorizer, event NONE, api key", samFn(`      Events:
        A: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
        B: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: NONE}}}
        C: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /c, Method: get, Auth: {Authorizer: NONE, ApiKeyRequired: true}}}
        D: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /d, Method: get, Auth: {Authorizer: AWS_IAM}}}
        P: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: options}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok: {FunctionArn: !GetAtt AuthFn.Arn}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: auth/}
`), "F", []trig{{"http", "custom", "authenticated"}, {"http", "none", "public"}, {"http", "api_key", "authenticated"},
			{"http", "iam", "authenticated"}, {"http", "custom", "authenticated"}}, false},
		{"api level api key", samFn(`      Events:
        A: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {ApiKeyRequired: true}}
`), "F", []trig{{"http", "api_key", "authenticated"}}, false},
		{"unresolved authorizer", samFn(`      Events:
        A: {Type: Api, Properties: {Path: /a, Method: get, Auth: {Authorizer: !Ref NoDefault}}}
`) + "Parameters:\n  NoDefault: {Type: String}\n", "F", []trig{{"http", "unresolved", "unknown"}}, true},
		{"http api authorizers", samFn(`      Events:
        J: {Type: HttpApi, Properties: {ApiId: !Ref H, Path: /j, Method: get}}
        L: {Type: HttpApi, Properties: {ApiId: !Ref H, Path: /l, Method: get, Auth: {Authorizer: Lam}}}
        I: {Type: HttpApi, Properties: {ApiId: !Ref H, Path: /i, Method: get, Auth: {Authorizer: AWS_IAM}}}
        N: {Type: HttpApi, Properties: {ApiId: !Ref H, Path: /n, Method: get, Auth: {Authorizer: NONE}}}
        D: {Type: HttpApi}
  H:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        EnableIamAuthorizer: true
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt: {JwtConfiguration: {issuer: https://x, audience: [a]}, IdentitySource: $request.header.Authorization}
          Lam: {FunctionArn: arn:aws:lambda:eu-west-1:123456789012:function:auth}
`), "F", []trig{{"http", "jwt", "authenticated"}, {"http", "custom", "authenticated"}, {"http", "iam", "authenticated"},
			{"http", "none", "public"}, {"http", "none", "public"}}, false},
		{"function url none", samFn("      FunctionUrlConfig: {AuthType: NONE}\n"), "F", []trig{{"url", "none", "public"}}, false},
		{"function url iam", samFn("      FunctionUrlConfig: {AuthType: AWS_IAM}\n"), "F", []trig{{"url", "iam", "authenticated"}}, false},
		{"function url unresolved", samFn("      FunctionUrlConfig: {AuthType: !Ref NoDefault}\n") + "Parameters:\n  NoDefault: {Type: String}\n",
			"F", []trig{{"url", "unresolved", "unknown"}}, true},
		{"internal event sources", samFn(`      Events:
        Q: {Type: SQS, Properties: {Queue: arn:aws:sqs:eu-west-1:123456789012:q}}
        K: {Type: MSK, Properties: {Stream: arn:aws:kafka:x, Topics: [t]}}
        M: {Type: MQ, Properties: {Broker: arn:aws:mq:x, Queues: [q]}}
        C: {Type: Cognito, Properties: {UserPool: !Ref Pool, Trigger: PreSignUp}}
        I: {Type: IoTRule, Properties: {Sql: "SELECT * FROM 'topic'"}}
        L: {Type: CloudWatchLogs, Properties: {LogGroupName: /aws/x, FilterPattern: ERROR}}
        A: {Type: AlexaSkill, Properties: {SkillId: amzn1.ask.skill.1}}
        S: {Type: SelfManagedKafka, Properties: {Topics: [t]}}
        E: {Type: CloudWatchEvent, Properties: {Pattern: {source: [aws.ec2]}}}
  Pool: {Type: 'AWS::Cognito::UserPool'}
`), "F", []trig{{"sqs", "aws", "internal"}, {"kafka", "aws", "internal"}, {"mq", "aws", "internal"}, {"cognito", "aws", "internal"},
			{"iot", "aws", "internal"}, {"logs", "aws", "internal"}, {"alexa", "aws", "internal"}, {"kafka", "aws", "internal"},
			{"eventbridge", "aws", "internal"}}, false},
		{"permission principals", cfnHead + `  Anyone:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: '*'}
  AnyoneFromBucket:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: '*', SourceArn: 'arn:aws:s3:::b'}
  Account:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !GetAtt Fn.Arn, Principal: !Ref 'AWS::AccountId'}
  AccountArn:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: 'arn:aws:iam::210987654321:root'}
  Sns:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: sns.amazonaws.com}
  Unresolved:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: !Ref NoDefault}
  Apigw:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: apigateway.amazonaws.com}
  Elb:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: elasticloadbalancing.amazonaws.com}
  UrlAnyone:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunctionUrl', FunctionName: !Ref Fn, Principal: '*', FunctionUrlAuthType: AWS_IAM}
`, "Fn", []trig{{"permission", "none", "public"}, {"permission", "iam", "authenticated"}, {"permission", "iam", "authenticated"},
			{"permission", "iam", "authenticated"}, {"sns", "aws", "internal"}, {"permission", "unresolved", "unknown"},
			{"http", "unresolved", "unknown"}, {"alb", "unresolved", "unknown"}, {"url", "iam", "authenticated"}}, true},
		{"permissions that grant no invocation or belong to the url", cfnHead + `  U: {Type: 'AWS::Lambda::Url', Properties: {TargetFunctionArn: !GetAtt Fn.Arn, AuthType: AWS_IAM}}
  Get:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:GetFunction', FunctionName: !Ref Fn, Principal: '*'}
  ViaUrl:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: '*', InvokedViaFunctionUrl: true}
`, "Fn", []trig{{"url", "iam", "authenticated"}}, false},
		{"rest methods", cfnHead + `  Api: {Type: 'AWS::ApiGateway::RestApi', Properties: {Name: a}}
  Res: {Type: 'AWS::ApiGateway::Resource', Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}}
  Authz: {Type: 'AWS::ApiGateway::Authorizer', Properties: {RestApiId: !Ref Api, Type: TOKEN, AuthorizerUri: x}}
  None:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: GET, AuthorizationType: NONE,
      Integration: {Type: AWS_PROXY, Uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'}}
  Iam:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: PUT, AuthorizationType: AWS_IAM, Integration: {Uri: !GetAtt Fn.Arn}}
  Custom:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: POST, AuthorizerId: !Ref Authz, Integration: {Uri: !GetAtt Fn.Arn}}
  Cognito:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: COGNITO_USER_POOLS, Integration: {Uri: !GetAtt Fn.Arn}}
  Key:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: DELETE, AuthorizationType: NONE, ApiKeyRequired: true, Integration: {Uri: !GetAtt Fn.Arn}}
  Unresolved:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: PATCH, AuthorizationType: !Ref NoDefault, Integration: {Uri: !GetAtt Fn.Arn}}
  Mock:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Res, HttpMethod: OPTIONS, AuthorizationType: NONE, Integration: {Type: MOCK}}
  Perm:
    Type: AWS::Lambda::Permission
    Properties: {Action: 'lambda:InvokeFunction', FunctionName: !Ref Fn, Principal: apigateway.amazonaws.com}
`, "Fn", []trig{{"http", "none", "public"}, {"http", "iam", "authenticated"}, {"http", "custom", "authenticated"},
			{"http", "cognito", "authenticated"}, {"http", "api_key", "authenticated"}, {"http", "unresolved", "unknown"}}, true},
		{"private rest api", cfnHead + `  Api: {Type: 'AWS::ApiGateway::RestApi', Properties: {EndpointConfiguration: {Types: [PRIVATE]}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, Integration: {Uri: !GetAtt Fn.Arn}}
`, "Fn", []trig{{"http", "none", "internal"}}, false},
		{"http api routes and quick create", cfnHead + `  H: {Type: 'AWS::ApiGatewayV2::Api', Properties: {ProtocolType: HTTP}}
  Q: {Type: 'AWS::ApiGatewayV2::Api', Properties: {ProtocolType: HTTP, Target: !GetAtt Fn.Arn}}
  I: {Type: 'AWS::ApiGatewayV2::Integration', Properties: {ApiId: !Ref H, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}}
  Open: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref H, RouteKey: 'GET /open', Target: !Sub 'integrations/${I}'}}
  Jwt: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref H, RouteKey: 'GET /jwt', AuthorizationType: JWT, Target: !Sub 'integrations/${I}'}}
  Iam: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref H, RouteKey: 'GET /iam', AuthorizationType: AWS_IAM, Target: !Sub 'integrations/${I}'}}
  Lam: {Type: 'AWS::ApiGatewayV2::Route', Properties: {ApiId: !Ref H, RouteKey: 'GET /lam', AuthorizationType: CUSTOM, Target: !Sub 'integrations/${I}'}}
`, "Fn", []trig{{"http", "none", "public"}, {"http", "none", "public"}, {"http", "jwt", "authenticated"}, {"http", "iam", "authenticated"},
			{"http", "custom", "authenticated"}}, false},
		{"internal load balancer", cfnHead + `  TG: {Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {TargetType: lambda, Targets: [{Id: !GetAtt Fn.Arn}]}}
  LB: {Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {Scheme: internal}}
  L: {Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: {LoadBalancerArn: !Ref LB, DefaultActions: [{Type: fixed-response}]}}
  Rule: {Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: {ListenerArn: !Ref L, Actions: [{Type: forward, TargetGroupArn: !Ref TG}]}}
`, "Fn", []trig{{"alb", "none", "internal"}}, false},
		{"public load balancer", cfnHead + `  TG: {Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {TargetType: lambda, Targets: [{Id: !GetAtt Fn.Arn}]}}
  LB: {Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {}}
  L: {Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: {LoadBalancerArn: !Ref LB, DefaultActions: [{Type: forward, ForwardConfig: {TargetGroups: [{TargetGroupArn: !Ref TG}]}}]}}
`, "Fn", []trig{{"alb", "none", "public"}}, false},
		{"alias url and event source mapping", cfnHead + `  V: {Type: 'AWS::Lambda::Version', Properties: {FunctionName: !Ref Fn}}
  A: {Type: 'AWS::Lambda::Alias', Properties: {FunctionName: !Ref Fn, FunctionVersion: !GetAtt V.Version, Name: live}}
  U: {Type: 'AWS::Lambda::Url', Properties: {TargetFunctionArn: !Ref A, AuthType: NONE}}
  P: {Type: 'AWS::Lambda::Permission', Properties: {Action: 'lambda:InvokeFunctionUrl', FunctionName: !Ref A, Principal: '*', FunctionUrlAuthType: NONE}}
  T: {Type: 'AWS::DynamoDB::Table', Properties: {}}
  M: {Type: 'AWS::Lambda::EventSourceMapping', Properties: {FunctionName: !Ref A, EventSourceArn: !GetAtt T.StreamArn}}
  K: {Type: 'AWS::Lambda::EventSourceMapping', Properties: {FunctionName: Fn, EventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s'}}
`, "Fn", []trig{{"url", "none", "public"}, {"stream", "aws", "internal"}, {"stream", "aws", "internal"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := loadText(t, tt.template)
			fn := function(t, app, tt.fn)
			var got []trig
			for _, tr := range fn.Triggers {
				got = append(got, trig{tr.Type, tr.Auth, string(tr.Exposure)})
				if tr.Exposure == bundle.ExposureUnknown && !hasWarningAt(app, tr.Source.Line) {
					t.Errorf("trigger %q is unknown without a warning at line %d: %q", tr.Detail, tr.Source.Line, app.Warnings)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("triggers (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
			if (len(app.Warnings) > 0) != tt.warns {
				t.Errorf("warnings = %q, want some: %v", app.Warnings, tt.warns)
			}
		})
	}
}

// hasWarningAt says whether a warning names the template at line (or
// within the resource starting there).
func hasWarningAt(app *bundle.Application, line int) bool {
	for _, w := range app.Warnings {
		for l := line; l <= line+3; l++ {
			if strings.Contains(w, "template.yaml:"+strconv.Itoa(l)+":") {
				return true
			}
		}
	}
	return false
}
