package cloudformation

import (
	"regexp"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// permission reads an AWS::Lambda::Permission: who may invoke the function.
func (b *builder) permission(r *resource) {
	fns := b.targets(r, "FunctionName")
	principal := b.s.ev.eval(r.props.get("Principal"))
	action := b.str(r.props.get("Action"))
	detail := "permission " + r.id + ": principal " + display(principal)
	if src := r.props.get("SourceArn"); src != nil {
		detail += " (source " + display(b.s.ev.eval(src)) + ")"
	}
	for _, e := range fns {
		t, ok := b.permissionTrigger(r, e, principal, action)
		if !ok {
			continue
		}
		if t.Detail == "" {
			t.Detail = detail
		}
		t.Source = b.loc(r.line)
		e.addTrigger(t)
	}
}

var (
	accountRe    = regexp.MustCompile(`^(\d{12}|\$\{AWS::AccountId\})$`)
	accountARNRe = regexp.MustCompile(`^arn:(\$\{AWS::Partition\}|[^:]*):iam::(\d{12}|\$\{AWS::AccountId\}):`)
)

// permissionTrigger turns a permission into a trigger of one function, or
// nothing when the trigger it grants is already known (a function URL's
// own permission, an API Gateway whose methods were read).
func (b *builder) permissionTrigger(r *resource, e *fnEntry, principal *node, action string) (bundle.Trigger, bool) {
	p := ""
	if principal != nil {
		p = principal.str
	}
	isAccount := accountRe.MatchString(p) || accountARNRe.MatchString(p)
	viaURL := b.boolProp(r.props.get("InvokedViaFunctionUrl")) == 1
	if !strings.EqualFold(action, "lambda:InvokeFunctionUrl") && !viaURL && !invokes(action) {
		return bundle.Trigger{}, false
	}
	if strings.EqualFold(action, "lambda:InvokeFunctionUrl") || viaURL {
		if e.hasTrigger("url") {
			return bundle.Trigger{}, false
		}
		t := bundle.Trigger{Type: "url", Detail: "function URL permission " + r.id}
		if isAccount {
			t.Auth, t.Exposure = authIAM, bundle.ExposureAuthenticated
			return t, true
		}
		b.urlAuth(&t, r.props.get("FunctionUrlAuthType"), e.fn.Name, r.line)
		return t, true
	}
	switch {
	case isAccount:
		return bundle.Trigger{Type: "permission", Auth: authIAM, Exposure: bundle.ExposureAuthenticated}, true
	case principal == nil || principal.kind != kindString:
		b.s.warnf(r.line, "permission %s: Principal is %s: exposure of %s unknown", r.id, describePrincipal(principal), e.fn.Name)
		return bundle.Trigger{Type: "permission", Auth: authUnresolved, Exposure: bundle.ExposureUnknown}, true
	case p == "*":
		return b.anyonePermission(r), true
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazon.com"):
		return b.servicePermission(r, e, p)
	}
	b.s.warnf(r.line, "permission %s: principal %s is not one fnaudit knows: exposure of %s unknown", r.id, quote(p), e.fn.Name)
	return bundle.Trigger{Type: "permission", Auth: authUnresolved, Exposure: bundle.ExposureUnknown}, true
}

// invokes says whether a permission's Action lets its principal invoke
// the function ("" is an unresolved action, taken as invoking).
func invokes(action string) bool {
	switch strings.ToLower(action) {
	case "", "lambda:invokefunction", "lambda:invokeasync", "lambda:invoke*", "lambda:*", "*":
		return true
	}
	return false
}

func describePrincipal(v *node) string {
	if v == nil {
		return "missing"
	}
	if v.kind == kindUnresolved {
		return "unresolved (" + reason(v) + ")"
	}
	return v.describe()
}

// anyonePermission is a permission to principal "*": public, unless a
// condition narrows who may call (a source ARN or account, an
// organization, IAM-authenticated function URL calls).
func (b *builder) anyonePermission(r *resource) bundle.Trigger {
	t := bundle.Trigger{Type: "permission", Auth: authNone, Exposure: bundle.ExposurePublic}
	if strings.EqualFold(b.str(r.props.get("FunctionUrlAuthType")), "AWS_IAM") {
		t.Auth, t.Exposure = authIAM, bundle.ExposureAuthenticated
	}
	for _, k := range []string{"SourceArn", "SourceAccount", "PrincipalOrgID"} {
		if r.props.get(k) != nil {
			t.Auth, t.Exposure = authIAM, bundle.ExposureAuthenticated
		}
	}
	return t
}

// serviceTypes names the trigger type of the services that invoke
// functions through a permission.
var serviceTypes = map[string]string{
	"s3": "s3", "sns": "sns", "sqs": "sqs", "events": "eventbridge", "scheduler": "schedule", "logs": "logs",
	"iot": "iot", "cognito-idp": "cognito", "alexa-appkit": "alexa", "alexa-connectedhome": "alexa",
	"lex": "lex", "secretsmanager": "secretsmanager", "config": "config", "states": "stepfunctions",
	"cloudformation": "cloudformation", "ses": "ses", "kafka": "kafka", "codecommit": "codecommit",
	"cloudfront": "cloudfront", "edgelambda": "cloudfront", "appsync": "appsync",
}

// servicePermission is a permission to an AWS service principal. API
// Gateway and load balancers expose the function as their routes say:
// those were read from the methods, routes and target groups; a service
// permission without them is unknown. Other services are internal.
func (b *builder) servicePermission(r *resource, e *fnEntry, principal string) (bundle.Trigger, bool) {
	service, _, _ := strings.Cut(principal, ".")
	switch service {
	case "apigateway":
		if e.hasTrigger("http", "websocket") {
			return bundle.Trigger{}, false
		}
		b.s.warnf(r.line, "permission %s lets API Gateway invoke %s, but no method or route of this template integrates it: exposure unknown",
			r.id, e.fn.Name)
		return bundle.Trigger{Type: "http", Auth: authUnresolved, Exposure: bundle.ExposureUnknown}, true
	case "elasticloadbalancing":
		if e.hasTrigger("alb") {
			return bundle.Trigger{}, false
		}
		b.s.warnf(r.line, "permission %s lets a load balancer invoke %s, but no target group of this template holds it: exposure unknown",
			r.id, e.fn.Name)
		return bundle.Trigger{Type: "alb", Auth: authUnresolved, Exposure: bundle.ExposureUnknown}, true
	case "events":
		if rule := b.s.firstRefOfType(b.s.ev.eval(r.props.get("SourceArn")), typeEventsRule); rule != nil {
			if expr := b.str(rule.props.get("ScheduleExpression")); expr != "" {
				return bundle.Trigger{Type: "schedule", Detail: expr + " (rule " + rule.id + ")", Auth: authAWS, Exposure: bundle.ExposureInternal}, true
			}
		}
	}
	typ := serviceTypes[service]
	if typ == "" {
		typ = service
	}
	return bundle.Trigger{Type: typ, Auth: authAWS, Exposure: bundle.ExposureInternal}, true
}
