package terraform

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
)

// trig is what exposure tests compare of a trigger.
type trig struct {
	Type, Detail, Auth string
	Exposure           bundle.Exposure
}

func triggersOf(f *bundle.Function) []trig {
	var out []trig
	for _, t := range f.Triggers {
		out = append(out, trig{t.Type, t.Detail, t.Auth, t.Exposure})
	}
	return out
}

// lambdaFn is the function the AWS exposure cases attach triggers to.
var lambdaFn = res{addr: "aws_lambda_function.fn", values: map[string]any{
	"function_name": "fn", "filename": "fn.zip", "runtime": "nodejs20.x", "handler": "index.handler",
}, unknown: map[string]any{"arn": true, "invoke_arn": true}}

func perm(values map[string]any) res {
	v := map[string]any{"function_name": "fn", "action": "lambda:InvokeFunction"}
	for k, x := range values {
		v[k] = x
	}
	return res{addr: "aws_lambda_permission.p", values: v}
}

// restAPI returns a REST API method with an integration to fn.
func restAPI(method map[string]any, apiValues map[string]any) []res {
	m := map[string]any{"http_method": "POST"}
	for k, v := range method {
		m[k] = v
	}
	return []res{
		{addr: "aws_api_gateway_rest_api.api", values: apiValues, unknown: map[string]any{"id": true, "root_resource_id": true}},
		{addr: "aws_api_gateway_resource.signup", values: map[string]any{"path_part": "signup"}, unknown: map[string]any{"parent_id": true},
			expr: map[string]any{"parent_id": refs("aws_api_gateway_rest_api.api.root_resource_id"), "rest_api_id": refs("aws_api_gateway_rest_api.api.id")}},
		{addr: "aws_api_gateway_method.m", values: m, unknown: map[string]any{"resource_id": true, "rest_api_id": true},
			expr: map[string]any{"resource_id": refs("aws_api_gateway_resource.signup.id"), "rest_api_id": refs("aws_api_gateway_rest_api.api.id")}},
		{addr: "aws_api_gateway_integration.i", values: map[string]any{"http_method": "POST", "type": "AWS_PROXY"},
			unknown: map[string]any{"uri": true, "resource_id": true, "rest_api_id": true},
			expr: map[string]any{"uri": refs("aws_lambda_function.fn.invoke_arn", "aws_lambda_function.fn"),
				"resource_id": refs("aws_api_gateway_resource.signup.id"), "rest_api_id": refs("aws_api_gateway_rest_api.api.id"),
				"http_method": refs("aws_api_gateway_method.m.http_method")}},
	}
}

// httpRoute returns an HTTP API route with an integration to fn.
func httpRouteTo(route map[string]any, unknown map[string]any) []res {
	r := map[string]any{"route_key": "ANY /{proxy+}"}
	for k, v := range route {
		r[k] = v
	}
	u := map[string]any{"target": true}
	for k, v := range unknown {
		u[k] = v
	}
	return []res{
		{addr: "aws_apigatewayv2_api.api", values: map[string]any{"protocol_type": "HTTP"}},
		{addr: "aws_apigatewayv2_integration.i", values: map[string]any{"integration_type": "AWS_PROXY"}, unknown: map[string]any{"integration_uri": true},
			expr: map[string]any{"integration_uri": refs("aws_lambda_function.fn.invoke_arn")}},
		{addr: "aws_apigatewayv2_route.r", values: r, unknown: u,
			expr: map[string]any{"target": refs("aws_apigatewayv2_integration.i.id"), "api_id": refs("aws_apigatewayv2_api.api.id")}},
	}
}

// alb returns a load balancer forwarding to fn's target group.
func alb(internal bool, action []any) []res {
	return []res{
		{addr: "aws_lb.lb", values: map[string]any{"name": "edge", "internal": internal, "load_balancer_type": "application"}},
		{addr: "aws_lb_target_group.tg", values: map[string]any{"name": "fn-tg", "target_type": "lambda"}},
		{addr: "aws_lb_listener.https", values: map[string]any{"port": 443.0, "default_action": action},
			expr: map[string]any{"load_balancer_arn": refs("aws_lb.lb.arn"),
				"default_action": []any{map[string]any{"target_group_arn": refs("aws_lb_target_group.tg.arn")}, map[string]any{}}}},
		{addr: "aws_lb_target_group_attachment.fn", values: map[string]any{}, unknown: map[string]any{"target_id": true},
			expr: map[string]any{"target_group_arn": refs("aws_lb_target_group.tg.arn"), "target_id": refs("aws_lambda_function.fn.arn")}},
	}
}

func TestAWSExposure(t *testing.T) {
	forward := map[string]any{"type": "forward"}
	tests := []struct {
		name  string
		extra []res
		want  []trig
	}{
		{"function URL NONE is public",
			[]res{{addr: "aws_lambda_function_url.u", values: map[string]any{"function_name": "fn", "authorization_type": "NONE"}}},
			[]trig{{"url", "function URL", "none", bundle.ExposurePublic}}},
		{"function URL AWS_IAM is authenticated",
			[]res{{addr: "aws_lambda_function_url.u", values: map[string]any{"function_name": "fn", "authorization_type": "AWS_IAM", "qualifier": "live"}}},
			[]trig{{"url", "function URL (live)", "iam", bundle.ExposureAuthenticated}}},
		{"function URL unknown at plan time is unknown",
			[]res{{addr: "aws_lambda_function_url.u", values: map[string]any{}, unknown: map[string]any{"authorization_type": true, "function_name": true},
				expr: map[string]any{"function_name": refs("aws_lambda_function.fn.function_name")}}},
			[]trig{{"url", "function URL", "unresolved", bundle.ExposureUnknown}}},
		{"function URL of an alias",
			[]res{{addr: "aws_lambda_alias.live", values: map[string]any{"name": "live"}, unknown: map[string]any{"function_name": true},
				expr: map[string]any{"function_name": refs("aws_lambda_function.fn.function_name")}},
				{addr: "aws_lambda_function_url.u", values: map[string]any{"authorization_type": "NONE", "qualifier": "live"},
					unknown: map[string]any{"function_name": true}, expr: map[string]any{"function_name": refs("aws_lambda_alias.live.function_name")}}},
			[]trig{{"url", "function URL (live)", "none", bundle.ExposurePublic}}},
		{"permission to * is public",
			[]res{perm(map[string]any{"principal": "*"})},
			[]trig{{"permission", "aws_lambda_permission.p for *", "none", bundle.ExposurePublic}}},
		{"permission to * in an organization is authenticated",
			[]res{perm(map[string]any{"principal": "*", "principal_org_id": "o-abc123"})},
			[]trig{{"permission", "aws_lambda_permission.p for * in organization o-abc123", "iam", bundle.ExposureAuthenticated}}},
		{"public URL permission without a URL resource",
			[]res{perm(map[string]any{"principal": "*", "action": "lambda:InvokeFunctionUrl", "function_url_auth_type": "NONE"})},
			[]trig{{"url", "aws_lambda_permission.p for *", "none", bundle.ExposurePublic}}},
		{"public URL permission beside its URL adds nothing",
			[]res{perm(map[string]any{"principal": "*", "action": "lambda:InvokeFunctionUrl", "function_url_auth_type": "AWS_IAM"}),
				{addr: "aws_lambda_function_url.u", values: map[string]any{"function_name": "fn", "authorization_type": "AWS_IAM"}}},
			[]trig{{"url", "function URL", "iam", bundle.ExposureAuthenticated}}},
		{"permission to an account is authenticated",
			[]res{perm(map[string]any{"principal": "123456789012"})},
			[]trig{{"permission", "aws_lambda_permission.p for 123456789012", "iam", bundle.ExposureAuthenticated}}},
		{"permission to a role ARN is authenticated",
			[]res{perm(map[string]any{"principal": "arn:aws:iam::123456789012:role/caller"})},
			[]trig{{"permission", "aws_lambda_permission.p for arn:aws:iam::123456789012:role/caller", "iam", bundle.ExposureAuthenticated}}},
		{"permission to S3 is internal",
			[]res{perm(map[string]any{"principal": "s3.amazonaws.com", "source_arn": "arn:aws:s3:::uploads"})},
			[]trig{{"s3", "aws_lambda_permission.p for s3.amazonaws.com from arn:aws:s3:::uploads", "aws", bundle.ExposureInternal}}},
		{"permission to API Gateway with no route in the plan is unknown",
			[]res{perm(map[string]any{"principal": "apigateway.amazonaws.com"})},
			[]trig{{"http", "API Gateway aws_lambda_permission.p for apigateway.amazonaws.com", "unresolved", bundle.ExposureUnknown}}},
		{"permission with a principal unknown at plan time is unknown",
			[]res{{addr: "aws_lambda_permission.p", values: map[string]any{"function_name": "fn"}, unknown: map[string]any{"principal": true}}},
			[]trig{{"permission", "aws_lambda_permission.p for ?", "unresolved", bundle.ExposureUnknown}}},
		{"REST method NONE is public",
			restAPI(map[string]any{"authorization": "NONE"}, nil),
			[]trig{{"http", "POST /signup (apigateway)", "none", bundle.ExposurePublic}}},
		{"REST method NONE with an API key is authenticated",
			restAPI(map[string]any{"authorization": "NONE", "api_key_required": true}, nil),
			[]trig{{"http", "POST /signup (apigateway)", "api_key", bundle.ExposureAuthenticated}}},
		{"REST method with Cognito is authenticated",
			restAPI(map[string]any{"authorization": "COGNITO_USER_POOLS"}, nil),
			[]trig{{"http", "POST /signup (apigateway)", "cognito", bundle.ExposureAuthenticated}}},
		{"REST method with a Lambda authorizer is authenticated",
			restAPI(map[string]any{"authorization": "CUSTOM"}, nil),
			[]trig{{"http", "POST /signup (apigateway)", "custom", bundle.ExposureAuthenticated}}},
		{"REST method of a private API is internal",
			restAPI(map[string]any{"authorization": "NONE"}, map[string]any{"endpoint_configuration": []any{map[string]any{"types": []any{"PRIVATE"}}}}),
			[]trig{{"http", "POST /signup (apigateway) private API", "none", bundle.ExposureInternal}}},
		{"HTTP route NONE is public",
			httpRouteTo(map[string]any{"authorization_type": "NONE"}, nil),
			[]trig{{"http", "ANY /{proxy+} (apigatewayv2)", "none", bundle.ExposurePublic}}},
		{"HTTP route with IAM is authenticated",
			httpRouteTo(map[string]any{"authorization_type": "AWS_IAM"}, nil),
			[]trig{{"http", "ANY /{proxy+} (apigatewayv2)", "iam", bundle.ExposureAuthenticated}}},
		{"HTTP route with a Lambda authorizer is authenticated",
			httpRouteTo(map[string]any{"authorization_type": "CUSTOM"}, nil),
			[]trig{{"http", "ANY /{proxy+} (apigatewayv2)", "custom", bundle.ExposureAuthenticated}}},
		{"HTTP route authorization unknown at plan time is unknown",
			httpRouteTo(nil, map[string]any{"authorization_type": true}),
			[]trig{{"http", "ANY /{proxy+} (apigatewayv2)", "unresolved", bundle.ExposureUnknown}}},
		{"API Gateway permission beside its route adds nothing",
			append(httpRouteTo(map[string]any{"authorization_type": "JWT"}, nil), perm(map[string]any{"principal": "apigateway.amazonaws.com"})),
			[]trig{{"http", "ANY /{proxy+} (apigatewayv2)", "jwt", bundle.ExposureAuthenticated}}},
		{"quick create HTTP API is public",
			[]res{{addr: "aws_apigatewayv2_api.quick", values: map[string]any{"protocol_type": "HTTP"}, unknown: map[string]any{"target": true},
				expr: map[string]any{"target": refs("aws_lambda_function.fn.arn")}}},
			[]trig{{"http", "$default (apigatewayv2 quick create)", "none", bundle.ExposurePublic}}},
		{"SQS mapping by ARN is internal",
			[]res{{addr: "aws_lambda_event_source_mapping.m", values: map[string]any{"function_name": "arn:aws:lambda:eu-west-1:123456789012:function:fn",
				"event_source_arn": "arn:aws:sqs:eu-west-1:123456789012:jobs"}}},
			[]trig{{"sqs", "queue jobs", "aws", bundle.ExposureInternal}}},
		{"DynamoDB stream mapping is internal",
			[]res{{addr: "aws_lambda_event_source_mapping.m", values: map[string]any{"function_name": "fn",
				"event_source_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000"}}},
			[]trig{{"stream", "DynamoDB stream of table orders", "aws", bundle.ExposureInternal}}},
		{"EventBridge Scheduler is internal",
			[]res{{addr: "aws_scheduler_schedule.s", values: map[string]any{"name": "hourly", "schedule_expression": "rate(1 hour)",
				"target": []any{map[string]any{}}}, unknown: map[string]any{"target": []any{map[string]any{"arn": true}}},
				expr: map[string]any{"target": []any{map[string]any{"arn": refs("aws_lambda_function.fn.arn")}}}}},
			[]trig{{"schedule", "schedule hourly (rate(1 hour))", "aws", bundle.ExposureInternal}}},
		{"internet-facing load balancer is public",
			alb(false, []any{forward}),
			[]trig{{"alb", "target group fn-tg", "none", bundle.ExposurePublic}}},
		{"internal load balancer is internal",
			alb(true, []any{forward}),
			[]trig{{"alb", "target group fn-tg", "none", bundle.ExposureInternal}}},
		{"load balancer authenticating first is authenticated",
			alb(false, []any{forward, map[string]any{"type": "authenticate-oidc"}}),
			[]trig{{"alb", "target group fn-tg", "custom", bundle.ExposureAuthenticated}}},
		{"Lambda@Edge is public",
			[]res{{addr: "aws_cloudfront_distribution.cdn", values: map[string]any{"default_cache_behavior": []any{map[string]any{
				"lambda_function_association": []any{map[string]any{"event_type": "viewer-request",
					"lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:fn:3"}}}}}}},
			[]trig{{"cloudfront", "distribution aws_cloudfront_distribution.cdn (viewer-request)", "none", bundle.ExposurePublic}}},
		{"no trigger",
			nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := mustLoad(t, append([]res{lambdaFn}, tc.extra...)...)
			f := findFunction(t, app, "fn")
			if diff := cmp.Diff(tc.want, triggersOf(f)); diff != "" {
				t.Errorf("triggers (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
		})
	}
}

// gcpFn is the 1st gen HTTP function the GCP exposure cases grant roles on.
var gcpFn = res{addr: "google_cloudfunctions_function.fn", values: map[string]any{
	"name": "fn", "runtime": "python312", "entry_point": "main", "trigger_http": true,
	"source_archive_bucket": "b", "source_archive_object": "fn.zip",
}}

func member(m string, unknown bool) res {
	r := res{addr: "google_cloudfunctions_function_iam_member.m", values: map[string]any{
		"cloud_function": "projects/p/locations/europe-west1/functions/fn", "role": "roles/cloudfunctions.invoker", "member": m}}
	if unknown {
		delete(r.values, "member")
		r.unknown = map[string]any{"member": true}
	}
	return r
}

func TestGCPExposure(t *testing.T) {
	const detail = "HTTP trigger (cloudfunctions gen1)"
	tests := []struct {
		name  string
		fn    res
		extra []res
		want  []trig
	}{
		{"allUsers invoker is public", gcpFn, []res{member("allUsers", false)},
			[]trig{{"http", detail + ", invoker allUsers", "none", bundle.ExposurePublic}}},
		{"allAuthenticatedUsers invoker is public", gcpFn, []res{member("allAuthenticatedUsers", false)},
			[]trig{{"http", detail + ", invoker allAuthenticatedUsers (any Google account)", "iam", bundle.ExposurePublic}}},
		{"a group invoker is authenticated", gcpFn, []res{member("group:ops@example.com", false)},
			[]trig{{"http", detail, "iam", bundle.ExposureAuthenticated}}},
		{"no invoker binding is authenticated", gcpFn, nil,
			[]trig{{"http", detail, "iam", bundle.ExposureAuthenticated}}},
		{"a viewer binding for allUsers does not invoke", gcpFn,
			[]res{{addr: "google_cloudfunctions_function_iam_binding.b", values: map[string]any{
				"cloud_function": "fn", "role": "roles/cloudfunctions.viewer", "members": []any{"allUsers"}}}},
			[]trig{{"http", detail, "iam", bundle.ExposureAuthenticated}}},
		{"an invoker policy for allUsers is public", gcpFn,
			[]res{{addr: "google_cloudfunctions_function_iam_policy.p", values: map[string]any{
				"cloud_function": "fn", "policy_data": `{"bindings":[{"role":"roles/cloudfunctions.invoker","members":["allUsers"]}]}`}}},
			[]trig{{"http", detail + ", invoker allUsers", "none", bundle.ExposurePublic}}},
		{"an invoker unknown at plan time is unknown", gcpFn, []res{member("", true)},
			[]trig{{"http", detail, "unresolved", bundle.ExposureUnknown}}},
		{"internal ingress is internal", res{addr: gcpFn.addr, values: with(gcpFn.values, "ingress_settings", "ALLOW_INTERNAL_ONLY")},
			[]res{member("allUsers", false)},
			[]trig{{"http", detail + ", invoker allUsers, ingress internal only", "none", bundle.ExposureInternal}}},
		{"an event trigger is internal",
			res{addr: gcpFn.addr, values: with(with(gcpFn.values, "trigger_http", nil), "event_trigger", []any{map[string]any{
				"event_type": "google.storage.object.finalize", "resource": "uploads"}})},
			[]res{member("allUsers", false)},
			[]trig{{"storage", "google.storage.object.finalize uploads", "gcp", bundle.ExposureInternal}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := mustLoad(t, append([]res{tc.fn}, tc.extra...)...)
			f := findFunction(t, app, "fn")
			if diff := cmp.Diff(tc.want, triggersOf(f)); diff != "" {
				t.Errorf("triggers (-want +got):\n%s\nwarnings: %q", diff, app.Warnings)
			}
		})
	}
}

// with returns a copy of m with k set to v.
func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, x := range m {
		out[key] = x
	}
	out[k] = v
	return out
}
