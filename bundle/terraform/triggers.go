package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Auth values of triggers.
const (
	authNone       = "none"
	authIAM        = "iam"
	authAWS        = "aws"
	authUnresolved = "unresolved"
)

// trigger builds a trigger located at a resource.
func (p *plan) trigger(r *resource, typ, detail, auth string, exp bundle.Exposure) bundle.Trigger {
	return bundle.Trigger{Type: typ, Detail: detail, Auth: auth, Exposure: exp,
		Source: bundle.Location{File: p.file, Line: r.line}}
}

// internalTrigger is a trigger an AWS or GCP service fires: internal.
func (p *plan) internalTrigger(r *resource, typ, detail string) bundle.Trigger {
	return p.trigger(r, typ, detail, authAWS, bundle.ExposureInternal)
}

// targets returns the functions attribute path of r points to, by value (a
// function name or ARN, an invoke ARN) or through configuration references
// (aws_lambda_function.x.arn, module.fn.arn, var.function_name). resolved is
// false when the value is only known after apply and no reference says.
func (p *plan) targets(r *resource, path ...step) (fns []*function, resolved bool) {
	v, st := p.str(r, path...)
	if st == known && v != "" {
		if fs := p.fnByValue(v); len(fs) > 0 {
			return fs, true
		}
	}
	if fs := p.fnsOf(p.refsOf(r, path...), 0); len(fs) > 0 {
		return fs, true
	}
	return nil, st != unknown
}

// fnByValue returns the functions a name, ARN, partial ARN or API Gateway
// invoke ARN designates.
func (p *plan) fnByValue(v string) []*function {
	fs := p.fnByValueAll(v)
	if len(fs) > maxSameName {
		p.warn(nil, "%q designates %d functions: triggers naming it are not attributed", v, len(fs))
		return nil
	}
	return fs
}

// maxSameName bounds how many functions one name or ARN may designate
// (functions of the same name in several regions): beyond it, the plan is
// hostile or generated, and attributing every trigger to every function
// would take quadratic time.
const maxSameName = 16

// fnByValueAll returns every function a value designates.
func (p *plan) fnByValueAll(v string) []*function {
	if _, inner, ok := strings.Cut(v, "/functions/"); ok {
		v = strings.TrimSuffix(inner, "/invocations")
	}
	if fs := p.fnByARN[v]; len(fs) > 0 {
		return fs
	}
	name := v
	if _, rest, ok := strings.Cut(v, ":function:"); ok {
		name, _, _ = strings.Cut(rest, ":")
	}
	if fs := p.fnByName[name]; len(fs) > 0 {
		return fs
	}
	name, _, _ = strings.Cut(name, ":") // NAME:QUALIFIER
	return p.fnByName[name]
}

// fnsOf returns the functions among resources: functions themselves, and
// the functions of aliases (an alias of an alias is not followed).
func (p *plan) fnsOf(list []*resource, depth int) []*function {
	var out []*function
	for _, r := range list {
		if f := p.fnByRes[r]; f != nil {
			out = append(out, f)
			continue
		}
		if r.typ != "aws_lambda_alias" || depth > 0 {
			continue
		}
		if v, st := p.str(r, "function_name"); st == known && v != "" {
			out = append(out, p.fnByValue(v)...)
		} else {
			out = append(out, p.fnsOf(p.refsOf(r, "function_name"), depth+1)...)
		}
	}
	return out
}

// attach adds a trigger to functions, once each.
func (p *plan) attach(fns []*function, t bundle.Trigger) {
	key := t.Type + "\x00" + t.Detail + "\x00" + t.Auth + "\x00" + string(t.Exposure)
	for _, f := range fns {
		if f.triggerKeys == nil {
			f.triggerKeys = map[string]bool{}
		}
		if !f.triggerKeys[key] {
			f.triggerKeys[key] = true
			f.fn.Triggers = append(f.fn.Triggers, t)
		}
	}
}

// unattributed reports a trigger resource whose function cannot be told.
func (p *plan) unattributed(r *resource, attr string) {
	p.warn(r, "%s is only known after apply and no configuration reference names a function of the plan: the trigger is not attributed", attr)
}

// readTrigger reads the triggers a resource defines, by type. Permissions
// come later (see readPermission): whether they add anything depends on the
// triggers read here.
func (p *plan) readTrigger(r *resource) {
	switch r.typ {
	case "aws_lambda_function_url":
		p.functionURL(r)
	case "aws_lambda_event_source_mapping":
		p.eventSourceMapping(r)
	case "aws_cloudwatch_event_target":
		p.eventTarget(r)
	case "aws_scheduler_schedule":
		p.schedule(r)
	case "aws_s3_bucket_notification":
		p.bucketNotification(r)
	case "aws_sns_topic_subscription":
		p.topicSubscription(r)
	case "aws_cloudwatch_log_subscription_filter":
		p.simpleTrigger(r, "destination_arn", "logs", "log group "+p.nameOr(r, "log_group_name"))
	case "aws_iot_topic_rule":
		p.blockTriggers(r, "lambda", "function_arn", "iot", "IoT rule "+p.nameOr(r, "name"))
	case "aws_cognito_user_pool":
		p.cognitoTriggers(r)
	case "aws_cloudfront_distribution":
		p.edgeTriggers(r)
	case "aws_lb_target_group_attachment", "aws_alb_target_group_attachment":
		p.albTrigger(r)
	case "aws_api_gateway_integration":
		p.restIntegration(r)
	case "aws_apigatewayv2_route":
		p.httpRoute(r)
	case "aws_apigatewayv2_api":
		p.quickCreateAPI(r)
	}
}

// nameOr returns the string at path of r, or r's address.
func (p *plan) nameOr(r *resource, path ...step) string {
	if v, st := p.str(r, path...); st == known && v != "" {
		return v
	}
	return r.addr
}

// valueOrRef returns the string at path of r, or the address of the first
// resource its configuration references, or "".
func (p *plan) valueOrRef(r *resource, path ...step) string {
	if v, st := p.str(r, path...); st == known && v != "" {
		return v
	}
	if refs := p.refsOf(r, path...); len(refs) > 0 {
		return refs[0].addr
	}
	return ""
}

// functionURL reads an aws_lambda_function_url: NONE is public, AWS_IAM
// authenticated.
func (p *plan) functionURL(r *resource) {
	fns, ok := p.targets(r, "function_name")
	if !ok {
		p.unattributed(r, "function_name")
		return
	}
	detail := "function URL"
	if q, _ := p.str(r, "qualifier"); q != "" {
		detail += " (" + q + ")"
	}
	auth, st := p.str(r, "authorization_type")
	t := p.trigger(r, "url", detail, authUnresolved, bundle.ExposureUnknown)
	switch {
	case strings.EqualFold(auth, "NONE"):
		t.Auth, t.Exposure = authNone, bundle.ExposurePublic
	case strings.EqualFold(auth, "AWS_IAM"):
		t.Auth, t.Exposure = authIAM, bundle.ExposureAuthenticated
	case st == unknown:
		p.warn(r, "authorization_type is only known after apply: exposure unknown")
	default:
		p.warn(r, "authorization_type %q is not NONE or AWS_IAM: exposure unknown", auth)
	}
	p.attach(fns, t)
}

// eventSourceMapping reads an aws_lambda_event_source_mapping: Lambda polls
// a queue or stream, internal.
func (p *plan) eventSourceMapping(r *resource) {
	fns, ok := p.targets(r, "function_name")
	if !ok {
		p.unattributed(r, "function_name")
		return
	}
	typ, detail := p.eventSource(r)
	p.attach(fns, p.internalTrigger(r, typ, detail))
}

// eventSource describes the source of an event source mapping.
func (p *plan) eventSource(r *resource) (typ, detail string) {
	if arn, st := p.str(r, "event_source_arn"); st == known && arn != "" {
		return sourceOfARN(arn)
	}
	for _, t := range p.refsOf(r, "event_source_arn") {
		if typ, what := sourceOfType(t.typ); typ != "" {
			return typ, what + " " + t.addr
		}
	}
	if n, _ := r.length("self_managed_event_source"); n > 0 || r.hasExpr("self_managed_event_source") {
		return "kafka", "self-managed Kafka"
	}
	return "event-source", "event source mapping " + r.addr
}

// arnPattern splits an ARN: partition, service, region, account, resource.
var arnPattern = regexp.MustCompile(`^arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)$`)

// sourceOfARN describes an event source by its ARN.
func sourceOfARN(arn string) (typ, detail string) {
	m := arnPattern.FindStringSubmatch(arn)
	if m == nil {
		return "event-source", "event source " + arn
	}
	service, res := m[1], m[2]
	name := func(prefix string) string {
		n := strings.TrimPrefix(res, prefix)
		n, _, _ = strings.Cut(n, "/")
		return n
	}
	switch service {
	case "sqs":
		return "sqs", "queue " + res
	case "kinesis":
		return "stream", "Kinesis stream " + name("stream/")
	case "dynamodb":
		return "stream", "DynamoDB stream of table " + name("table/")
	case "kafka":
		return "kafka", "MSK cluster " + name("cluster/")
	case "mq":
		n := strings.TrimPrefix(res, "broker:")
		n, _, _ = strings.Cut(n, ":")
		return "mq", "MQ broker " + n
	case "rds":
		return "stream", "DocumentDB change stream " + name("cluster:")
	}
	return "event-source", "event source " + arn
}

// sourceOfType describes an event source resource by its type.
func sourceOfType(typ string) (string, string) {
	switch typ {
	case "aws_sqs_queue":
		return "sqs", "queue"
	case "aws_kinesis_stream":
		return "stream", "Kinesis stream"
	case "aws_dynamodb_table":
		return "stream", "DynamoDB stream of"
	case "aws_msk_cluster", "aws_msk_serverless_cluster":
		return "kafka", "MSK cluster"
	case "aws_mq_broker":
		return "mq", "MQ broker"
	case "aws_docdb_cluster":
		return "stream", "DocumentDB change stream of"
	}
	return "", ""
}

// eventTarget reads an aws_cloudwatch_event_target: a schedule or an
// EventBridge rule, internal.
func (p *plan) eventTarget(r *resource) {
	fns, ok := p.targets(r, "arn")
	if !ok {
		p.unattributed(r, "arn")
		return
	}
	if len(fns) == 0 {
		return
	}
	rule := p.eventRule(r)
	if rule == nil {
		p.attach(fns, p.internalTrigger(r, "eventbridge", "rule "+p.nameOr(r, "rule")))
		return
	}
	name := p.nameOr(rule, "name")
	if expr, _ := p.str(rule, "schedule_expression"); expr != "" {
		p.attach(fns, p.internalTrigger(r, "schedule", fmt.Sprintf("rule %s (%s)", name, expr)))
		return
	}
	p.attach(fns, p.internalTrigger(r, "eventbridge", "rule "+name))
}

// eventRule finds the aws_cloudwatch_event_rule of an event target.
func (p *plan) eventRule(r *resource) *resource {
	if rules := p.typed(p.refsOf(r, "rule"), "aws_cloudwatch_event_rule"); len(rules) > 0 {
		return rules[0]
	}
	name, st := p.str(r, "rule")
	if st != known {
		return nil
	}
	if rules := p.withAttr("aws_cloudwatch_event_rule", "name", name); len(rules) > 0 {
		return rules[0]
	}
	return nil
}

// schedule reads an aws_scheduler_schedule (EventBridge Scheduler).
func (p *plan) schedule(r *resource) {
	fns, ok := p.targets(r, "target", 0, "arn")
	if !ok {
		p.unattributed(r, "target.arn")
		return
	}
	detail := "schedule " + p.nameOr(r, "name")
	if expr, _ := p.str(r, "schedule_expression"); expr != "" {
		detail += " (" + expr + ")"
	}
	p.attach(fns, p.internalTrigger(r, "schedule", detail))
}

// blocks returns how many blocks of a type a resource has, in its values
// or, when they are unknown, in its configuration.
func (p *plan) blocks(r *resource, name string) int {
	n, _ := r.length(name)
	if l, ok := r.cfg[name].([]any); ok && len(l) > n {
		n = len(l)
	}
	return n
}

// bucketNotification reads the lambda_function blocks of an
// aws_s3_bucket_notification.
func (p *plan) bucketNotification(r *resource) {
	bucket := p.nameOr(r, "bucket")
	if refs := p.refsOf(r, "bucket"); len(refs) > 0 && bucket == r.addr {
		bucket = p.nameOr(refs[0], "bucket")
	}
	for i := range p.blocks(r, "lambda_function") {
		fns, ok := p.targets(r, "lambda_function", i, "lambda_function_arn")
		if !ok {
			p.unattributed(r, fmt.Sprintf("lambda_function[%d].lambda_function_arn", i))
			continue
		}
		detail := "bucket " + bucket
		if events, _ := p.strs(r, "lambda_function", i, "events"); len(events) > 0 {
			detail += " (" + strings.Join(events, ", ") + ")"
		}
		p.attach(fns, p.internalTrigger(r, "s3", detail))
	}
}

// topicSubscription reads an aws_sns_topic_subscription with protocol lambda.
func (p *plan) topicSubscription(r *resource) {
	if proto, st := p.str(r, "protocol"); st == known && proto != "lambda" {
		return
	}
	fns, ok := p.targets(r, "endpoint")
	if !ok {
		p.unattributed(r, "endpoint")
		return
	}
	topic := p.valueOrRef(r, "topic_arn")
	topic = topic[strings.LastIndex(topic, ":")+1:]
	if topic == "" {
		topic = "?"
	}
	p.attach(fns, p.internalTrigger(r, "sns", "topic "+topic))
}

// simpleTrigger reads a resource that names one function in one attribute.
func (p *plan) simpleTrigger(r *resource, attr, typ, detail string) {
	fns, ok := p.targets(r, attr)
	if !ok {
		p.unattributed(r, attr)
		return
	}
	p.attach(fns, p.internalTrigger(r, typ, detail))
}

// blockTriggers reads blocks of a resource that each name a function.
func (p *plan) blockTriggers(r *resource, block, attr, typ, detail string) {
	for i := range p.blocks(r, block) {
		fns, ok := p.targets(r, block, i, attr)
		if !ok {
			p.unattributed(r, fmt.Sprintf("%s[%d].%s", block, i, attr))
			continue
		}
		p.attach(fns, p.internalTrigger(r, typ, detail))
	}
}

// cognitoHooks are the aws_cognito_user_pool lambda_config attributes that
// name a function.
var cognitoHooks = []string{
	"create_auth_challenge", "custom_message", "define_auth_challenge", "post_authentication",
	"post_confirmation", "pre_authentication", "pre_sign_up", "pre_token_generation", "user_migration",
	"verify_auth_challenge_response",
}

// cognitoTriggers reads the Lambda hooks of a Cognito user pool: internal.
func (p *plan) cognitoTriggers(r *resource) {
	pool := p.nameOr(r, "name")
	for _, hook := range cognitoHooks {
		p.hook(r, pool, hook, "lambda_config", 0, hook)
	}
	for _, block := range []string{"custom_email_sender", "custom_sms_sender", "pre_token_generation_config"} {
		p.hook(r, pool, block, "lambda_config", 0, block, 0, "lambda_arn")
	}
}

// hook attaches a Cognito trigger when path of r names functions.
func (p *plan) hook(r *resource, pool, hook string, path ...step) {
	if _, st := r.get(path...); st == absent && !r.hasExpr(path...) {
		return
	}
	fns, ok := p.targets(r, path...)
	if !ok {
		p.unattributed(r, describe(path))
		return
	}
	p.attach(fns, p.internalTrigger(r, "cognito", fmt.Sprintf("user pool %s (%s)", pool, hook)))
}

// edgeTriggers reads the Lambda@Edge associations of a CloudFront
// distribution: they run for every viewer request, public.
func (p *plan) edgeTriggers(r *resource) {
	var paths [][]step
	for j := range p.nested(r, "default_cache_behavior", 0, "lambda_function_association") {
		paths = append(paths, []step{"default_cache_behavior", 0, "lambda_function_association", j})
	}
	for i := range p.blocks(r, "ordered_cache_behavior") {
		for j := range p.nested(r, "ordered_cache_behavior", i, "lambda_function_association") {
			paths = append(paths, []step{"ordered_cache_behavior", i, "lambda_function_association", j})
		}
	}
	for _, path := range paths {
		fns, ok := p.targets(r, append(path, "lambda_arn")...)
		if !ok {
			p.unattributed(r, describe(append(path, "lambda_arn")))
			continue
		}
		event, _ := p.str(r, append(path, "event_type")...)
		detail := fmt.Sprintf("distribution %s (%s)", r.addr, event)
		p.attach(fns, p.trigger(r, "cloudfront", detail, authNone, bundle.ExposurePublic))
	}
}

// nested returns how many blocks are at path, in values or configuration.
func (p *plan) nested(r *resource, path ...step) int {
	n, _ := r.length(path...)
	if l, ok := walk(r.cfg, path).([]any); ok && len(l) > n {
		n = len(l)
	}
	return n
}
