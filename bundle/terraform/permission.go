package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// accountPrincipal matches an AWS account principal: an account ID or an
// IAM ARN.
var accountPrincipal = regexp.MustCompile(`^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:.+)$`)

// serviceTypes maps the service of a principal (s3 in s3.amazonaws.com) to
// the trigger type it fires.
func serviceType(service string) string {
	switch service {
	case "s3", "sns", "sqs", "logs", "iot", "kafka", "mq":
		return service
	case "events", "pipes":
		return "eventbridge"
	case "scheduler":
		return "schedule"
	case "cognito-idp":
		return "cognito"
	case "elasticloadbalancing":
		return "alb"
	case "apigateway":
		return "http"
	}
	return "permission"
}

// readPermission reads an aws_lambda_permission: who may invoke the
// function. A permission only enables a trigger; when the trigger itself is
// in the plan (an API Gateway route, a bucket notification), it says more
// and the permission adds nothing.
func (p *plan) readPermission(r *resource) {
	fns, ok := p.targets(r, "function_name")
	if !ok {
		p.unattributed(r, "function_name")
		return
	}
	for _, f := range fns {
		if t, ok := p.permissionTrigger(r, f); ok {
			p.attach([]*function{f}, t)
		}
	}
}

// permissionTrigger rates a permission for one function; ok is false when
// a trigger read from the plan already covers it.
func (p *plan) permissionTrigger(r *resource, f *function) (bundle.Trigger, bool) {
	principal, st := p.str(r, "principal")
	action, _ := p.str(r, "action")
	detail := fmt.Sprintf("%s for %s", r.addr, orUnknown(principal))
	if src, _ := p.str(r, "source_arn"); src != "" {
		detail += " from " + src
	}
	switch {
	case st != known || principal == "":
		p.warn(r, "principal is only known after apply: exposure unknown")
		return p.trigger(r, "permission", detail, authUnresolved, bundle.ExposureUnknown), true
	case principal == "*" && action == "lambda:InvokeFunctionUrl":
		return p.urlPermission(r, f, detail)
	case principal == "*":
		if org, _ := p.str(r, "principal_org_id"); org != "" {
			return p.trigger(r, "permission", detail+" in organization "+org, authIAM, bundle.ExposureAuthenticated), true
		}
		return p.trigger(r, "permission", detail, authNone, bundle.ExposurePublic), true
	case strings.HasSuffix(principal, ".amazonaws.com") || strings.HasSuffix(principal, ".amazonaws.com.cn") ||
		strings.HasSuffix(principal, ".amazon.com"):
		return p.servicePermission(r, f, principal, detail)
	case accountPrincipal.MatchString(principal):
		return p.trigger(r, "permission", detail, authIAM, bundle.ExposureAuthenticated), true
	}
	p.warn(r, "principal %q is not one fnaudit knows: exposure unknown", principal)
	return p.trigger(r, "permission", detail, authUnresolved, bundle.ExposureUnknown), true
}

// urlPermission rates a permission to invoke the function URL publicly.
func (p *plan) urlPermission(r *resource, f *function, detail string) (bundle.Trigger, bool) {
	if f.from["url"] {
		return bundle.Trigger{}, false
	}
	if auth, _ := p.str(r, "function_url_auth_type"); strings.EqualFold(auth, "AWS_IAM") {
		return p.trigger(r, "url", detail, authIAM, bundle.ExposureAuthenticated), true
	}
	return p.trigger(r, "url", detail, authNone, bundle.ExposurePublic), true
}

// servicePermission rates a permission for an AWS service principal.
func (p *plan) servicePermission(r *resource, f *function, principal, detail string) (bundle.Trigger, bool) {
	service, _, _ := strings.Cut(principal, ".")
	typ := serviceType(service)
	if f.from[typ] || (typ == "http" && f.from["websocket"]) || (typ == "eventbridge" && f.from["schedule"]) {
		return bundle.Trigger{}, false
	}
	switch typ {
	case "http":
		p.warn(r, "no API Gateway route or method of the plan invokes %s: exposure unknown", f.name)
		return p.trigger(r, "http", "API Gateway "+detail, authUnresolved, bundle.ExposureUnknown), true
	case "alb":
		p.warn(r, "no target group attachment of the plan puts %s behind a load balancer: exposure unknown", f.name)
		return p.trigger(r, "alb", detail, authUnresolved, bundle.ExposureUnknown), true
	}
	return p.internalTrigger(r, typ, detail), true
}
