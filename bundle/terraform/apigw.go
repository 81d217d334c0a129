package terraform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// maxPathDepth bounds the parent chain of API Gateway resources followed to
// build a path.
const maxPathDepth = 64

// pointed returns the resources of the given types attribute path of r
// designates, by reference or by their arn or id.
func (p *plan) pointed(r *resource, path []step, types ...string) []*resource {
	if refs := p.typed(p.refsOf(r, path...), types...); len(refs) > 0 {
		return refs
	}
	v, st := p.str(r, path...)
	if st != known || v == "" {
		return nil
	}
	var out []*resource
	for _, typ := range types {
		out = append(out, p.withAttr(typ, "arn", v)...)
		out = append(out, p.withAttr(typ, "id", v)...)
	}
	return out
}

// ident identifies what an attribute designates, for comparing two
// resources' attributes: its value when known, else what its references
// resolve to.
func (p *plan) ident(r *resource, attr string) string {
	if v, st := p.str(r, attr); st == known && v != "" {
		return "=" + v
	}
	var addrs []string
	for _, t := range p.refsOf(r, attr) {
		addrs = append(addrs, t.addr)
	}
	if len(addrs) == 0 {
		return "?" + r.addr + "." + attr // matches nothing else
	}
	return "@" + strings.Join(addrs, ",")
}

// restIntegration reads an aws_api_gateway_integration that invokes a
// function, and rates it by the authorization of its method.
func (p *plan) restIntegration(r *resource) {
	fns, ok := p.targets(r, "uri")
	if !ok {
		p.unattributed(r, "uri")
		return
	}
	if len(fns) == 0 {
		return
	}
	m := p.restMethod(r)
	if m == nil {
		p.warn(r, "no aws_api_gateway_method of the plan matches this integration: exposure unknown")
		p.attach(fns, p.trigger(r, "http", "API Gateway integration "+r.addr, authUnresolved, bundle.ExposureUnknown))
		return
	}
	verb, _ := p.str(m, "http_method")
	if verb == "" {
		verb = "?"
	}
	t := p.trigger(m, "http", fmt.Sprintf("%s %s (apigateway)", verb, p.restPath(m)), authUnresolved, bundle.ExposureUnknown)
	auth, st := p.str(m, "authorization")
	keyRequired, _ := p.boolean(m, "api_key_required")
	t.Auth, t.Exposure = methodAuth(auth, keyRequired)
	if t.Auth == authUnresolved {
		p.warnAuth(m, "authorization", auth, st)
	}
	if p.privateAPI(m) && t.Exposure != bundle.ExposureUnknown {
		t.Detail += " private API"
		t.Exposure = bundle.ExposureInternal
	}
	p.attach(fns, t)
}

// methodAuth rates an API Gateway (v1) method's authorization.
func methodAuth(auth string, keyRequired bool) (string, bundle.Exposure) {
	switch strings.ToUpper(auth) {
	case "NONE":
		if keyRequired {
			return "api_key", bundle.ExposureAuthenticated
		}
		return authNone, bundle.ExposurePublic
	case "AWS_IAM":
		return authIAM, bundle.ExposureAuthenticated
	case "CUSTOM":
		return "custom", bundle.ExposureAuthenticated
	case "COGNITO_USER_POOLS":
		return "cognito", bundle.ExposureAuthenticated
	}
	return authUnresolved, bundle.ExposureUnknown
}

// warnAuth reports an authorization that could not be rated.
func (p *plan) warnAuth(r *resource, attr, v string, st state) {
	if st == unknown {
		p.warn(r, "%s is only known after apply: exposure unknown", attr)
		return
	}
	p.warn(r, "%s %q is not one fnaudit knows: exposure unknown", attr, v)
}

// restMethod finds the aws_api_gateway_method of an integration: one its
// http_method or resource_id refers to, else the one with the same API,
// resource and HTTP method.
func (p *plan) restMethod(integ *resource) *resource {
	for _, attr := range []string{"http_method", "resource_id"} {
		if ms := p.typed(p.refsOf(integ, attr), "aws_api_gateway_method"); len(ms) > 0 {
			return ms[0]
		}
	}
	if p.methods == nil {
		p.methods = map[string]*resource{}
		for _, m := range p.byType["aws_api_gateway_method"] {
			if k := p.methodKey(m); p.methods[k] == nil {
				p.methods[k] = m
			}
		}
	}
	return p.methods[p.methodKey(integ)]
}

// methodKey identifies the API, resource and HTTP method of a method or
// integration.
func (p *plan) methodKey(r *resource) string {
	return p.ident(r, "rest_api_id") + " " + p.ident(r, "resource_id") + " " + p.ident(r, "http_method")
}

// restPath builds the path of a method's resource: its path when known,
// else the path parts up the parent chain.
func (p *plan) restPath(m *resource) string {
	return p.resourcePath(m, "resource_id", 0)
}

// resourcePath returns the path of the API Gateway resource attribute attr
// of r designates.
func (p *plan) resourcePath(r *resource, attr string, depth int) string {
	if depth > maxPathDepth {
		return "/…"
	}
	targets := p.pointed(r, []step{attr}, "aws_api_gateway_resource", "aws_api_gateway_rest_api")
	if len(targets) == 0 {
		if p.isRootResource(r, attr) {
			return "/"
		}
		return "/?"
	}
	t := targets[0]
	if t.typ == "aws_api_gateway_rest_api" {
		return "/"
	}
	if path, _ := p.str(t, "path"); path != "" {
		return path
	}
	part, _ := p.str(t, "path_part")
	if part == "" {
		part = "?"
	}
	return strings.TrimSuffix(p.resourcePath(t, "parent_id", depth+1), "/") + "/" + part
}

// isRootResource says whether attr of r is the root_resource_id of a REST
// API of the plan.
func (p *plan) isRootResource(r *resource, attr string) bool {
	v, st := p.str(r, attr)
	if st != known || v == "" {
		return false
	}
	return len(p.withAttr("aws_api_gateway_rest_api", "root_resource_id", v)) > 0
}

// privateAPI says whether a method belongs to a PRIVATE REST API, reachable
// only through VPC endpoints.
func (p *plan) privateAPI(m *resource) bool {
	for _, api := range p.pointed(m, []step{"rest_api_id"}, "aws_api_gateway_rest_api") {
		types, _ := p.strs(api, "endpoint_configuration", 0, "types")
		if slices.Contains(types, "PRIVATE") {
			return true
		}
	}
	return false
}

// httpRoute reads an aws_apigatewayv2_route whose integration invokes a
// function, and rates it by its authorization_type.
func (p *plan) httpRoute(r *resource) {
	integ := p.routeIntegration(r)
	if integ == nil {
		if _, st := r.get("target"); st == unknown && !r.hasExpr("target") {
			p.warn(r, "target is only known after apply: the route is not attributed")
		}
		return
	}
	fns, ok := p.targets(integ, "integration_uri")
	if !ok {
		p.unattributed(integ, "integration_uri")
		return
	}
	if len(fns) == 0 {
		return
	}
	typ := "http"
	for _, api := range p.pointed(r, []step{"api_id"}, "aws_apigatewayv2_api") {
		if proto, _ := p.str(api, "protocol_type"); strings.EqualFold(proto, "WEBSOCKET") {
			typ = "websocket"
		}
	}
	key, _ := p.str(r, "route_key")
	if key == "" {
		key = "?"
	}
	t := p.trigger(r, typ, key+" (apigatewayv2)", authUnresolved, bundle.ExposureUnknown)
	auth, st := p.str(r, "authorization_type")
	keyRequired, _ := p.boolean(r, "api_key_required")
	t.Auth, t.Exposure = routeAuth(auth, st, keyRequired)
	if t.Auth == authUnresolved {
		p.warnAuth(r, "authorization_type", auth, st)
	}
	p.attach(fns, t)
}

// routeAuth rates an API Gateway v2 route's authorization_type (NONE when
// not set).
func routeAuth(auth string, st state, keyRequired bool) (string, bundle.Exposure) {
	switch strings.ToUpper(auth) {
	case "NONE":
		if keyRequired {
			return "api_key", bundle.ExposureAuthenticated
		}
		return authNone, bundle.ExposurePublic
	case "":
		if st == absent {
			return authNone, bundle.ExposurePublic
		}
	case "AWS_IAM":
		return authIAM, bundle.ExposureAuthenticated
	case "JWT":
		return "jwt", bundle.ExposureAuthenticated
	case "CUSTOM":
		return "custom", bundle.ExposureAuthenticated
	}
	return authUnresolved, bundle.ExposureUnknown
}

// routeIntegration finds the aws_apigatewayv2_integration of a route's
// target (integrations/ID).
func (p *plan) routeIntegration(r *resource) *resource {
	if refs := p.typed(p.refsOf(r, "target"), "aws_apigatewayv2_integration"); len(refs) > 0 {
		return refs[0]
	}
	target, st := p.str(r, "target")
	id, ok := strings.CutPrefix(target, "integrations/")
	if st != known || !ok {
		return nil
	}
	if found := p.withAttr("aws_apigatewayv2_integration", "id", id); len(found) > 0 {
		return found[0]
	}
	return nil
}

// quickCreateAPI reads an aws_apigatewayv2_api with a target: quick create
// makes a $default route to the function, with no authorization.
func (p *plan) quickCreateAPI(r *resource) {
	if _, st := r.get("target"); st == absent && !r.hasExpr("target") {
		return
	}
	fns, ok := p.targets(r, "target")
	if !ok {
		p.unattributed(r, "target")
		return
	}
	p.attach(fns, p.trigger(r, "http", "$default (apigatewayv2 quick create)", authNone, bundle.ExposurePublic))
}
