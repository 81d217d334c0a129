package cloudformation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// httpMethod normalises a method as API Gateway writes it ("any" → "ANY").
func httpMethod(m string) string {
	if m == "" {
		return "ANY"
	}
	return strings.ToUpper(m)
}

// samAPI finds the API an Api/HttpApi event attaches to: the API named by
// RestApiId/ApiId (an AWS::Serverless::Api/HttpApi of the template), else
// the implicit API SAM creates, configured by Globals alone. ok is false
// when the reference cannot be followed.
func (b *builder) samAPI(ref *node, typ, section string) (props *node, name string, ok bool) {
	r := &resource{id: "", typ: typ, props: &node{kind: kindMap}}
	if ref != nil {
		v := b.s.ev.eval(ref)
		if r = b.s.firstRefOfType(v, typ); r == nil {
			return nil, display(v), false
		}
	}
	key := section + "\x00" + r.id
	if props, ok := b.apis[key]; ok {
		return props, r.id, true
	}
	props = b.withGlobals(r, section, samAPIKeys)
	b.apis[key] = props
	return props, r.id, true
}

// apiLabel renders "(Api MediaApi)", or "(Api)" for an implicit API.
func apiLabel(kind, name string) string {
	if name == "" {
		return "(" + kind + ")"
	}
	return "(" + kind + " " + name + ")"
}

// samAPIEvent reads an Api event (REST API): the event's Auth.Authorizer,
// else the API's Auth.DefaultAuthorizer; API keys; private endpoints.
func (b *builder) samAPIEvent(r *resource, event string, p *node, line int) bundle.Trigger {
	method := httpMethod(b.str(p.get("Method")))
	route := method + " " + display(b.s.ev.eval(p.get("Path")))
	api, name, ok := b.samAPI(p.get("RestApiId"), typeSAMApi, "Api")
	t := bundle.Trigger{Type: "http", Detail: route + " " + apiLabel("Api", name)}
	if !ok {
		b.s.warnf(line, "RestApiId of event %s of %s names no AWS::Serverless::Api of this template (%s): exposure unknown", event, r.id, name)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
		return t
	}
	apiAuth := api.get("Auth")
	authorizer, known := b.eventAuthorizer(p.get("Auth"), apiAuth, method == "OPTIONS")
	if !known {
		b.s.warnf(line, "the authorizer of event %s of %s (%s) is unresolved: exposure unknown", event, r.id, route)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
		return t
	}
	t.Auth = b.samAuthorizer(authorizer, apiAuth, "Api", name, line)
	t.Exposure = bundle.ExposureAuthenticated
	if t.Auth == authNone {
		apiKey := b.boolProp(p.get("Auth").get("ApiKeyRequired"))
		if apiKey == -1 {
			apiKey = b.boolProp(apiAuth.get("ApiKeyRequired"))
		}
		t.Exposure = bundle.ExposurePublic
		if apiKey == 1 {
			t.Auth, t.Exposure = authAPIKey, bundle.ExposureAuthenticated
		}
	}
	if t.Exposure == bundle.ExposurePublic && (api.get("DefinitionBody") != nil || api.get("DefinitionUri") != nil) {
		b.s.warnf(line, "Api %s has its own OpenAPI definition: security declared there is not read, %s is taken as public", name, route)
	}
	if b.privateEndpoint(api.get("EndpointConfiguration")) {
		t.Exposure = bundle.ExposureInternal
		t.Detail += " (private endpoint)"
	}
	return t
}

// eventAuthorizer returns the authorizer name of an event: its own
// Auth.Authorizer, else the API's DefaultAuthorizer (which CORS preflight
// OPTIONS methods do not get when AddDefaultAuthorizerToCorsPreflight is
// false). known is false when the name is unresolved.
func (b *builder) eventAuthorizer(eventAuth, apiAuth *node, preflight bool) (name string, known bool) {
	if a := eventAuth.get("Authorizer"); a != nil {
		return b.s.ev.scalar(a)
	}
	d := apiAuth.get("DefaultAuthorizer")
	if d == nil {
		return "", true
	}
	if preflight && b.boolProp(apiAuth.get("AddDefaultAuthorizerToCorsPreflight")) == 0 {
		return "", true
	}
	return b.s.ev.scalar(d)
}

// samAuthorizer maps the name of an authorizer of a SAM Api or HttpApi
// (kind) called api to an auth value: NONE, AWS_IAM, or one of its
// Auth.Authorizers — Cognito for a user pool (Api), JWT for a JWT
// configuration (HttpApi), else a Lambda authorizer.
func (b *builder) samAuthorizer(name string, apiAuth *node, kind, api string, line int) string {
	switch name {
	case "", "NONE":
		return authNone
	case "AWS_IAM":
		return authIAM
	}
	def := apiAuth.get("Authorizers").get(name)
	switch {
	case def == nil:
		b.s.warnf(line, "authorizer %s is not defined in Auth.Authorizers of %s %s: taken as a Lambda authorizer", name, kind, api)
		return authCustom
	case def.get("UserPoolArn") != nil:
		return authCognito
	case def.get("JwtConfiguration") != nil:
		return authJWT
	}
	return authCustom
}

// privateEndpoint says whether an EndpointConfiguration is PRIVATE
// (reachable from VPC endpoints only).
func (b *builder) privateEndpoint(cfg *node) bool {
	v := b.s.ev.eval(cfg)
	if v == nil {
		return false
	}
	if v.kind == kindString {
		return strings.EqualFold(v.str, "PRIVATE")
	}
	types := v.get("Types")
	if t := v.get("Type"); t != nil {
		types = t
	}
	if types == nil {
		return false
	}
	if types.kind == kindString {
		return strings.EqualFold(types.str, "PRIVATE")
	}
	return len(types.list) > 0 && slices.IndexFunc(types.list, func(n *node) bool { return !strings.EqualFold(n.str, "PRIVATE") }) < 0
}

// samHTTPAPIEvent reads an HttpApi event: the event's Auth.Authorizer,
// else the HTTP API's DefaultAuthorizer (JWT, Lambda, or AWS_IAM).
func (b *builder) samHTTPAPIEvent(r *resource, event string, p *node, line int) bundle.Trigger {
	route := "$default"
	if p.get("Path") != nil || p.get("Method") != nil {
		route = httpMethod(b.str(p.get("Method"))) + " " + display(b.s.ev.eval(p.get("Path")))
	}
	api, name, ok := b.samAPI(p.get("ApiId"), typeSAMHttpApi, "HttpApi")
	t := bundle.Trigger{Type: "http", Detail: route + " " + apiLabel("HttpApi", name)}
	if !ok {
		b.s.warnf(line, "ApiId of event %s of %s names no AWS::Serverless::HttpApi of this template (%s): exposure unknown", event, r.id, name)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
		return t
	}
	apiAuth := api.get("Auth")
	authorizer, known := b.eventAuthorizer(p.get("Auth"), apiAuth, false)
	if !known {
		b.s.warnf(line, "the authorizer of event %s of %s (%s) is unresolved: exposure unknown", event, r.id, route)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
		return t
	}
	t.Auth, t.Exposure = b.samAuthorizer(authorizer, apiAuth, "HttpApi", name, line), bundle.ExposureAuthenticated
	if t.Auth == authNone {
		t.Exposure = bundle.ExposurePublic
		if api.get("DefinitionBody") != nil || api.get("DefinitionUri") != nil {
			b.s.warnf(line, "HttpApi %s has its own OpenAPI definition: security declared there is not read, %s is taken as public", name, route)
		}
	}
	return t
}

// restMethod reads an AWS::ApiGateway::Method whose integration invokes a
// function of the template.
func (b *builder) restMethod(r *resource) {
	integ := r.props.get("Integration")
	fns := b.functionsIn(b.s.ev.eval(integ.get("Uri")))
	if len(fns) == 0 {
		return
	}
	route := httpMethod(b.str(r.props.get("HttpMethod"))) + " " + b.restPath(r)
	apiRef := b.s.ev.eval(r.props.get("RestApiId"))
	t := bundle.Trigger{Type: "http", Detail: route + " " + apiLabel("RestApi", display(apiRef)), Source: b.loc(r.line)}
	t.Auth, t.Exposure = b.methodAuth(r)
	if api := b.s.firstRefOfType(apiRef, typeRestAPI); api != nil && b.privateEndpoint(api.props.get("EndpointConfiguration")) {
		t.Exposure = bundle.ExposureInternal
		t.Detail += " (private endpoint)"
	}
	addTrigger(fns, t)
}

// methodAuth maps a method's AuthorizationType (or its authorizer's type)
// and ApiKeyRequired to auth and exposure.
func (b *builder) methodAuth(r *resource) (string, bundle.Exposure) {
	at := "NONE"
	if raw := r.props.get("AuthorizationType"); raw != nil {
		s, ok := b.s.ev.scalar(raw)
		if !ok {
			b.warnUnresolved(raw.line, "AuthorizationType of "+r.id, b.s.ev.eval(raw))
			return authUnresolved, bundle.ExposureUnknown
		}
		at = s
	} else if az := b.s.firstRefOfType(b.s.ev.eval(r.props.get("AuthorizerId")), typeRestAuthorizer); az != nil {
		at = "CUSTOM"
		if strings.EqualFold(b.str(az.props.get("Type")), "COGNITO_USER_POOLS") {
			at = "COGNITO_USER_POOLS"
		}
	}
	switch strings.ToUpper(at) {
	case "NONE":
		if b.boolProp(r.props.get("ApiKeyRequired")) == 1 {
			return authAPIKey, bundle.ExposureAuthenticated
		}
		return authNone, bundle.ExposurePublic
	case "AWS_IAM":
		return authIAM, bundle.ExposureAuthenticated
	case "CUSTOM":
		return authCustom, bundle.ExposureAuthenticated
	case "COGNITO_USER_POOLS":
		return authCognito, bundle.ExposureAuthenticated
	}
	b.s.warnf(r.props.keyLine("AuthorizationType"), "AuthorizationType %s of %s is not one fnaudit knows: exposure unknown", quote(at), r.id)
	return authUnresolved, bundle.ExposureUnknown
}

// restPath builds a method's path from its AWS::ApiGateway::Resource
// chain (PathPart up through ParentId to the API's root).
func (b *builder) restPath(m *resource) string {
	var parts []string
	seen := map[string]bool{}
	cur := b.s.ev.eval(m.props.get("ResourceId"))
	for {
		r := b.s.firstRefOfType(cur, typeRestResource)
		if r == nil {
			break
		}
		if seen[r.id] || len(seen) > 64 {
			b.s.warnf(r.line, "the parents of API resource %s are circular", r.id)
			return "/?"
		}
		seen[r.id] = true
		parts = append(parts, display(b.s.ev.eval(r.props.get("PathPart"))))
		cur = b.s.ev.eval(r.props.get("ParentId"))
	}
	if len(parts) == 0 && b.s.firstRefOfType(cur, typeRestAPI) == nil {
		return display(cur)
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

// v2Route reads an AWS::ApiGatewayV2::Route whose target integration
// invokes a function of the template.
func (b *builder) v2Route(r *resource) {
	integ := b.s.firstRefOfType(b.s.ev.eval(r.props.get("Target")), typeV2Integration)
	if integ == nil {
		return
	}
	fns := b.functionsIn(b.s.ev.eval(integ.props.get("IntegrationUri")))
	if len(fns) == 0 {
		return
	}
	typ, label := b.v2API(b.s.ev.eval(r.props.get("ApiId")))
	t := bundle.Trigger{Type: typ, Detail: b.str(r.props.get("RouteKey")) + " " + label, Source: b.loc(r.line)}
	t.Auth, t.Exposure = b.routeAuth(r)
	addTrigger(fns, t)
}

// v2API returns the trigger type and label of an HTTP or WebSocket API.
func (b *builder) v2API(ref *node) (string, string) {
	api := b.s.firstRefOfType(ref, typeV2API)
	if api == nil {
		return "http", apiLabel("Api", display(ref))
	}
	if strings.EqualFold(b.str(api.props.get("ProtocolType")), "WEBSOCKET") {
		return "websocket", apiLabel("WebSocket", api.id)
	}
	return "http", apiLabel("HttpApi", api.id)
}

// routeAuth maps a route's AuthorizationType (NONE, AWS_IAM, JWT, CUSTOM)
// and ApiKeyRequired (WebSocket APIs) to auth and exposure.
func (b *builder) routeAuth(r *resource) (string, bundle.Exposure) {
	at := "NONE"
	if raw := r.props.get("AuthorizationType"); raw != nil {
		s, ok := b.s.ev.scalar(raw)
		if !ok {
			b.warnUnresolved(raw.line, "AuthorizationType of "+r.id, b.s.ev.eval(raw))
			return authUnresolved, bundle.ExposureUnknown
		}
		at = s
	}
	switch strings.ToUpper(at) {
	case "NONE":
		if b.boolProp(r.props.get("ApiKeyRequired")) == 1 {
			return authAPIKey, bundle.ExposureAuthenticated
		}
		return authNone, bundle.ExposurePublic
	case "AWS_IAM":
		return authIAM, bundle.ExposureAuthenticated
	case "JWT":
		return authJWT, bundle.ExposureAuthenticated
	case "CUSTOM":
		return authCustom, bundle.ExposureAuthenticated
	}
	b.s.warnf(r.props.keyLine("AuthorizationType"), "AuthorizationType %s of %s is not one fnaudit knows: exposure unknown", quote(at), r.id)
	return authUnresolved, bundle.ExposureUnknown
}

// v2QuickCreate reads an HTTP API created with a Target (quick create):
// a $default route to the function, without authorization.
func (b *builder) v2QuickCreate(r *resource) {
	raw := r.props.get("Target")
	if raw == nil {
		return
	}
	fns := b.functionsIn(b.s.ev.eval(raw))
	route := b.str(r.props.get("RouteKey"))
	if route == "" {
		route = "$default"
	}
	addTrigger(fns, bundle.Trigger{Type: "http", Detail: route + " " + apiLabel("HttpApi", r.id), Auth: authNone,
		Exposure: bundle.ExposurePublic, Source: b.loc(r.line)})
}

// targetGroup reads an AWS::ElasticLoadBalancingV2::TargetGroup of Lambda
// targets: the function is exposed as the load balancers forwarding to the
// group are (internet-facing or internal, with or without an
// authenticate-cognito/oidc action).
func (b *builder) targetGroup(r *resource) {
	if !strings.EqualFold(b.str(r.props.get("TargetType")), "lambda") {
		return
	}
	fns := b.functionsIn(b.s.ev.eval(r.props.get("Targets")))
	if len(fns) == 0 {
		return
	}
	t := bundle.Trigger{Type: "alb", Detail: "target group " + r.id, Source: b.loc(r.line), Exposure: bundle.ExposureInternal}
	hits := b.listenersOf(r.id)
	for _, h := range hits {
		auth, exp, lb := b.listenerExposure(h.listener, h.actions)
		if exp.Rank() > t.Exposure.Rank() || t.Auth == "" {
			t.Auth, t.Exposure = auth, exp
		}
		if lb != "" && !strings.Contains(t.Detail, lb) {
			t.Detail += fmt.Sprintf(" (load balancer %s)", lb)
		}
	}
	if len(hits) == 0 {
		b.s.warnf(r.line, "no listener of this template forwards to target group %s: exposure unknown", r.id)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
	}
	addTrigger(fns, t)
}

// listenerHit is a listener or listener rule whose actions forward to a
// target group.
type listenerHit struct {
	listener *resource
	actions  *node
}

// listenersOf returns the listeners and rules forwarding to a target
// group; they are indexed once.
func (b *builder) listenersOf(tg string) []listenerHit {
	if b.listeners == nil {
		b.listeners = map[string][]listenerHit{}
		for _, l := range b.s.order {
			actions := l.props.get("DefaultActions")
			if l.typ == typeListenerRule {
				actions = l.props.get("Actions")
			} else if l.typ != typeListener {
				continue
			}
			av := b.s.ev.eval(actions)
			for _, id := range refsOf(av, 0) {
				if b.s.typeOf(id) == typeTargetGroup && !slices.ContainsFunc(b.listeners[id], func(h listenerHit) bool { return h.listener == l }) {
					b.listeners[id] = append(b.listeners[id], listenerHit{l, av})
				}
			}
		}
	}
	return b.listeners[tg]
}

// listenerExposure rates one listener (or rule) forwarding to a target
// group: its load balancer's Scheme, and whether its actions authenticate.
func (b *builder) listenerExposure(l *resource, actions *node) (string, bundle.Exposure, string) {
	listener := l
	if l.typ == typeListenerRule {
		listener = b.s.firstRefOfType(b.s.ev.eval(l.props.get("ListenerArn")), typeListener)
	}
	var lb *resource
	if listener != nil {
		lb = b.s.firstRefOfType(b.s.ev.eval(listener.props.get("LoadBalancerArn")), typeLoadBalancer)
	}
	if lb == nil {
		b.s.warnf(l.line, "the load balancer of %s is not in this template: exposure unknown", l.id)
		return authUnresolved, bundle.ExposureUnknown, ""
	}
	scheme := "internet-facing"
	if raw := lb.props.get("Scheme"); raw != nil {
		s, ok := b.s.ev.scalar(raw)
		if !ok {
			b.warnUnresolved(raw.line, "Scheme of "+lb.id, b.s.ev.eval(raw))
			return authUnresolved, bundle.ExposureUnknown, lb.id
		}
		scheme = s
	}
	auth := authNone
	for _, a := range actions.list {
		switch strings.ToLower(b.str(a.get("Type"))) {
		case "authenticate-cognito":
			auth = authCognito
		case "authenticate-oidc":
			auth = authJWT
		}
	}
	switch {
	case strings.EqualFold(scheme, "internal"):
		return auth, bundle.ExposureInternal, lb.id
	case auth != authNone:
		return auth, bundle.ExposureAuthenticated, lb.id
	}
	return authNone, bundle.ExposurePublic, lb.id
}
