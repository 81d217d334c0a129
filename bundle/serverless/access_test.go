package serverless

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

// loadYAML loads a serverless.yml given as text (in a folder that does
// not exist: nothing beside it is found).
func loadYAML(t *testing.T, src string) (*bundle.Application, error) {
	t.Helper()
	return load(t.Context(), filepath.Join("app", "serverless.yml"), []byte(src))
}

// access is what a table test expects of a trigger.
type wantAccess struct {
	Type, Auth string
	Exposure   bundle.Exposure
}

// TestTriggerAccess checks the exposure and auth decided for each event
// form, with function f defined by the given lines (indented under it).
func TestTriggerAccess(t *testing.T) {
	const provider = `
provider:
  name: aws
  httpApi:
    authorizers:
      jwtAuth: {identitySource: $request.header.Authorization, issuerUrl: https://issuer.test, audience: [x]}
      lambdaAuth: {functionName: auth}
      requestAuth: {type: request, functionArn: arn:aws:lambda:us-east-1:1:function:a}
  alb:
    authorizers:
      pool: {type: cognito, userPoolArn: arn:aws:cognito-idp:us-east-1:1:userpool/x, userPoolClientId: c, userPoolDomain: d}
      open: {type: oidc, onUnauthenticatedRequest: allow}
custom:
  iamAuth: aws_iam
  authMap: {name: auth, type: token}
`
	tests := []struct {
		name, fn string
		want     []wantAccess
	}{
		{"http string", "events: [{http: GET hello}]", []wantAccess{{"http", "none", "public"}}},
		{"http map", "events: [{http: {path: x, method: post}}]", []wantAccess{{"http", "none", "public"}}},
		{"http authorizer function", "events: [{http: {path: x, method: post, authorizer: auth}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"http authorizer lambda arn", "events: [{http: {path: x, method: get, authorizer: 'arn:aws:lambda:us-east-1:1:function:auth'}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"http authorizer cognito arn", "events: [{http: {path: x, method: get, authorizer: {name: p, arn: 'arn:aws:cognito-idp:us-east-1:1:userpool/p'}}}]", []wantAccess{{"http", "cognito", "authenticated"}}},
		{"http authorizer cognito type", "events: [{http: {path: x, method: get, authorizer: {type: COGNITO_USER_POOLS, authorizerId: !Ref Auth}}}]", []wantAccess{{"http", "cognito", "authenticated"}}},
		{"http authorizer request", "events: [{http: {path: x, method: get, authorizer: {name: auth, type: request}}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"http authorizer existing id", "events: [{http: {path: x, method: get, authorizer: {type: CUSTOM, authorizerId: abc123}}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"http aws_iam string", "events: [{http: {path: x, method: get, authorizer: aws_iam}}]", []wantAccess{{"http", "iam", "authenticated"}}},
		{"http AWS_IAM type", "events: [{http: {path: x, method: get, authorizer: {type: AWS_IAM}}}]", []wantAccess{{"http", "iam", "authenticated"}}},
		{"http authorizer via self", "events: [{http: {path: x, method: get, authorizer: '${self:custom.authMap}'}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"http iam via self", "events: [{http: {path: x, method: get, authorizer: '${self:custom.iamAuth}'}}]", []wantAccess{{"http", "iam", "authenticated"}}},
		{"http authorizer ssm", "events: [{http: {path: x, method: get, authorizer: '${ssm:/auth/arn}'}}]", []wantAccess{{"http", "unresolved", "unknown"}}},
		{"http authorizer null", "events: [{http: {path: x, method: get, authorizer: null}}]", []wantAccess{{"http", "none", "public"}}},
		{"http private", "events: [{http: {path: x, method: get, private: true}}]", []wantAccess{{"http", "api_key", "authenticated"}}},
		{"http private false", "events: [{http: {path: x, method: get, private: false}}]", []wantAccess{{"http", "none", "public"}}},
		{"http private env", "events: [{http: {path: x, method: get, private: '${env:PRIVATE}'}}]", []wantAccess{{"http", "unresolved", "unknown"}}},
		{"http private default", "events: [{http: {path: x, method: get, private: \"${env:PRIVATE, 'true'}\"}}]", []wantAccess{{"http", "api_key", "authenticated"}}},
		{"http whole file", "events: [{http: '${file(./http.yml)}'}]", []wantAccess{{"http", "unresolved", "unknown"}}},
		{"httpApi catch-all", "events: [{httpApi: '*'}]", []wantAccess{{"http", "none", "public"}}},
		{"httpApi string", "events: [{httpApi: GET /x}]", []wantAccess{{"http", "none", "public"}}},
		{"httpApi jwt", "events: [{httpApi: {method: get, path: /x, authorizer: {name: jwtAuth}}}]", []wantAccess{{"http", "jwt", "authenticated"}}},
		{"httpApi lambda by functionName", "events: [{httpApi: {method: get, path: /x, authorizer: {name: lambdaAuth}}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"httpApi request", "events: [{httpApi: {method: get, path: /x, authorizer: {name: requestAuth}}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"httpApi aws_iam", "events: [{httpApi: {method: get, path: /x, authorizer: {type: aws_iam}}}]", []wantAccess{{"http", "iam", "authenticated"}}},
		{"httpApi existing id", "events: [{httpApi: {method: get, path: /x, authorizer: {id: abc}}}]", []wantAccess{{"http", "jwt", "authenticated"}}},
		{"httpApi existing lambda id", "events: [{httpApi: {method: get, path: /x, authorizer: {id: abc, type: request}}}]", []wantAccess{{"http", "custom", "authenticated"}}},
		{"httpApi undefined authorizer", "events: [{httpApi: {method: get, path: /x, authorizer: {name: nope}}}]", []wantAccess{{"http", "unresolved", "unknown"}}},
		{"httpApi authorizer param", "events: [{httpApi: {method: get, path: /x, authorizer: {name: '${param:auth}'}}}]", []wantAccess{{"http", "unresolved", "unknown"}}},
		{"url true", "url: true", []wantAccess{{"url", "none", "public"}}},
		{"url false", "url: false", nil},
		{"url map", "url: {cors: true}", []wantAccess{{"url", "none", "public"}}},
		{"url aws_iam", "url: {authorizer: aws_iam}", []wantAccess{{"url", "iam", "authenticated"}}},
		{"url ssm", "url: {authorizer: '${ssm:/url/auth}'}", []wantAccess{{"url", "unresolved", "unknown"}}},
		{"url env", "url: '${env:URL}'", []wantAccess{{"url", "unresolved", "unknown"}}},
		{"alb", "events: [{alb: {listenerArn: arn:x, priority: 1, conditions: {path: /x}}}]", []wantAccess{{"alb", "none", "public"}}},
		{"alb cognito", "events: [{alb: {listenerArn: arn:x, priority: 1, conditions: {path: /x}, authorizer: pool}}]", []wantAccess{{"alb", "cognito", "authenticated"}}},
		{"alb allows anonymous", "events: [{alb: {listenerArn: arn:x, priority: 1, conditions: {path: /x}, authorizer: [open]}}]", []wantAccess{{"alb", "none", "public"}}},
		{"cloudFront", "events: [{cloudFront: {eventType: origin-request, origin: s3://b.s3.amazonaws.com}}]", []wantAccess{{"cloudfront", "none", "public"}}},
		{"websocket open", "events: [{websocket: $connect}, {websocket: {route: $default}}]",
			[]wantAccess{{"websocket", "none", "public"}, {"websocket", "none", "public"}}},
		{"websocket authorized", "events: [{websocket: {route: $default}}, {websocket: {route: $connect, authorizer: auth}}]",
			[]wantAccess{{"websocket", "custom", "authenticated"}, {"websocket", "custom", "authenticated"}}},
		{"internal events", `events:
      - sqs: arn:aws:sqs:us-east-1:1:q
      - sns: topic
      - s3: bucket
      - schedule: rate(1 hour)
      - stream: arn:aws:dynamodb:us-east-1:1:table/T/stream/2024
      - eventBridge: {pattern: {source: [a]}}
      - cloudwatchEvent: {event: {source: [aws.ec2]}}
      - cloudwatchLog: /aws/lambda/x
      - cognitoUserPool: {pool: p, trigger: PreSignUp}
      - iot: {sql: "SELECT * FROM 'a'"}
      - kafka: {topic: t, bootstrapServers: [b:9092]}
      - msk: {arn: arn:aws:kafka:us-east-1:1:cluster/c/x, topic: t}
      - rabbitmq: {arn: arn:aws:mq:us-east-1:1:broker:b:x, queue: q}
      - activemq: {arn: arn:aws:mq:us-east-1:1:broker:b:y, queue: q}
      - alexaSkill: amzn1.ask.skill.xx`,
			[]wantAccess{{"sqs", "aws", "internal"}, {"sns", "aws", "internal"}, {"s3", "aws", "internal"}, {"schedule", "aws", "internal"},
				{"stream", "aws", "internal"}, {"eventbridge", "aws", "internal"}, {"eventbridge", "aws", "internal"},
				{"cloudwatchlog", "aws", "internal"}, {"cognito", "aws", "internal"}, {"iot", "aws", "internal"},
				{"kafka", "aws", "internal"}, {"kafka", "aws", "internal"}, {"mq", "aws", "internal"}, {"mq", "aws", "internal"},
				{"alexa", "aws", "internal"}}},
		{"unknown event", "events: [{carrierPigeon: {loft: x}}]", []wantAccess{{"carrierpigeon", "unresolved", "unknown"}}},
		{"event not a mapping", "events: [http]", []wantAccess{{"unknown", "unresolved", "unknown"}}},
		{"events from file", "events: ${file(./events.yml)}", []wantAccess{{"unknown", "unresolved", "unknown"}}},
		{"null event", "events: [null]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "service: s\n" + provider + "functions:\n  f:\n    handler: h.h\n    " + tt.fn + "\n"
			app, err := loadYAML(t, src)
			if err != nil {
				t.Fatal(err)
			}
			var got []wantAccess
			for _, tr := range app.Functions[0].Triggers {
				got = append(got, wantAccess{tr.Type, tr.Auth, tr.Exposure})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("triggers (-want +got):\n%s\nwarnings: %s", diff, strings.Join(app.Warnings, "\n"))
			}
		})
	}
}
