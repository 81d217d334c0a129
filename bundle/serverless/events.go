package serverless

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
)

// Values of Trigger.Auth.
const (
	authNone       = "none"
	authIAM        = "iam"
	authJWT        = "jwt"
	authCognito    = "cognito"
	authCustom     = "custom"
	authAPIKey     = "api_key"
	authAWS        = "aws"
	authUnresolved = "unresolved"
)

// event is one entry of a function's events, being read.
type event struct {
	fn  string
	key string          // the event type as written: http, httpApi, sqs, ...
	v   *yaml.Node      // its value, raw
	loc bundle.Location // where the event is
}

// access is how a trigger is reached: its Auth, Exposure, and a few words
// for the detail (", authorizer authorize").
type access struct {
	auth     string
	exposure bundle.Exposure
	via      string
}

// public is reachable by anyone; unknownWay could be anything.
func public() access     { return access{auth: authNone, exposure: bundle.ExposurePublic} }
func unknownWay() access { return access{auth: authUnresolved, exposure: bundle.ExposureUnknown} }

func authenticated(auth, via string) access {
	return access{auth: auth, exposure: bundle.ExposureAuthenticated, via: via}
}

func (e event) trigger(typ, detail string, a access) bundle.Trigger {
	return bundle.Trigger{Type: typ, Detail: detail + a.via, Auth: a.auth, Exposure: a.exposure, Source: e.loc}
}

// apiTrigger is a trigger of an API: "POST /orders (http, authorizer authorize)".
func (e event) apiTrigger(route, api string, a access) bundle.Trigger {
	return e.noted("http", route, api, a)
}

// noted is a trigger whose detail ends with a parenthesis holding a note
// and how it is reached: "route $default (websocket, authorized at $connect)".
func (e event) noted(typ, detail, note string, a access) bundle.Trigger {
	return bundle.Trigger{Type: typ, Detail: detail + " (" + note + a.via + ")", Auth: a.auth, Exposure: a.exposure, Source: e.loc}
}

// triggers reads a function's events and its function URL.
func (s *service) triggers(e fnEntry, body *yaml.Node) []bundle.Trigger {
	var out []bundle.Trigger
	k, events := s.t.entry(body, "events")
	if s.t.deref(events) != nil && !s.t.isSeq(events) {
		loc := s.keySource(e, k, "events")
		what := s.t.describe(events)
		s.notes.add(loc, "events of function %s are %s, not a list: exposure unknown", e.name, what)
		out = append(out, event{fn: e.name, loc: loc}.trigger("unknown", "events "+what, unknownWay()))
	}
	items := s.t.items(events)
	for i, item := range items {
		if t, ok := s.event(e.name, item, s.eventSource(e, i, len(items), item)); ok {
			out = append(out, t)
		}
	}
	if k, v := s.t.entry(body, "url"); v != nil {
		if t, ok := s.urlTrigger(event{fn: e.name, key: "url", v: v, loc: s.keySource(e, k, "url")}); ok {
			out = append(out, t)
		}
	}
	return out
}

// eventSource is where the i-th of n events of a function is.
func (s *service) eventSource(e fnEntry, i, n int, item *yaml.Node) bundle.Location {
	if s.lines != nil {
		if loc, ok := s.lines.event(e.name, i, n); ok {
			return loc
		}
	}
	return s.at(item)
}

// keySource is where a key of a function's definition is.
func (s *service) keySource(e fnEntry, k *yaml.Node, key string) bundle.Location {
	if s.lines != nil {
		if loc, ok := s.lines.key(e.name, key); ok {
			return loc
		}
	}
	if k == nil {
		return s.functionSource(e)
	}
	return s.at(k)
}

// event reads one event. A null entry is no event.
func (s *service) event(fn string, item *yaml.Node, loc bundle.Location) (bundle.Trigger, bool) {
	m := s.t.deref(item)
	if m == nil || (m.Kind == yaml.ScalarNode && m.Tag == "!!null") {
		return bundle.Trigger{}, false
	}
	if m.Kind != yaml.MappingNode {
		what := s.t.describe(item)
		s.notes.add(loc, "function %s: event %s is not a mapping: exposure unknown", fn, what)
		return event{fn: fn, loc: loc}.trigger("unknown", "event "+what, unknownWay()), true
	}
	ps := s.t.pairs(m)
	if len(ps) == 0 {
		return bundle.Trigger{}, false
	}
	if len(ps) > 1 {
		s.notes.add(loc, "function %s: an event has %d keys; only %s is read", fn, len(ps), ps[0].key)
	}
	return s.dispatch(event{fn: fn, key: ps[0].key, v: ps[0].v, loc: loc}), true
}

// dispatch reads an event by its type.
func (s *service) dispatch(e event) bundle.Trigger {
	switch e.key {
	case "http":
		return s.httpEvent(e)
	case "httpApi":
		return s.httpAPIEvent(e)
	case "websocket":
		return s.websocketEvent(e)
	case "alb":
		return s.albEvent(e)
	case "cloudFront":
		return s.cloudFrontEvent(e)
	}
	if typ, ok := internalType(e.key); ok {
		return e.trigger(typ, s.internalDetail(e), access{auth: authAWS, exposure: bundle.ExposureInternal})
	}
	s.notes.add(e.loc, "function %s: unknown event type %q: exposure unknown", e.fn, e.key)
	typ := strings.ToLower(e.key)
	if typ == "" {
		typ = "unknown"
	}
	return e.trigger(typ, strings.TrimSpace(e.key+" event"), unknownWay())
}

// internalType says whether an event is delivered by an AWS service
// (queues, streams, schedules, buckets, topics, ...), and the trigger
// type it becomes.
func internalType(key string) (string, bool) {
	switch key {
	case "sqs", "sns", "s3", "schedule", "stream", "iot", "kafka":
		return key, true
	case "eventBridge", "cloudwatchEvent":
		return "eventbridge", true
	case "cloudwatchLog":
		return "cloudwatchlog", true
	case "cognitoUserPool":
		return "cognito", true
	case "iotFleetProvisioning":
		return "iot", true
	case "alexaSkill", "alexaSmartHome":
		return "alexa", true
	case "msk":
		return "kafka", true
	case "rabbitmq", "activemq":
		return "mq", true
	}
	return "", false
}

// wholeUnresolved says whether a value is one variable fnaudit cannot
// resolve (and so could be anything).
func (s *service) wholeUnresolved(v *yaml.Node) (string, bool) {
	str, unres := s.t.str(v)
	if unres == "" {
		return "", false
	}
	return unres, str == unres
}

// unresolvedAccess warns that a variable decides how a trigger is reached.
func (s *service) unresolvedAccess(e event, what, unres string) access {
	s.notes.add(e.loc, "function %s: %s %s is unresolved: exposure unknown", e.fn, what, unres)
	return unknownWay()
}

// httpEvent reads a REST API (API Gateway v1) event: "GET /path" or a
// mapping with method, path, authorizer and private (API key).
func (s *service) httpEvent(e event) bundle.Trigger {
	t := s.t
	v := t.deref(e.v)
	if unres, whole := s.wholeUnresolved(v); whole {
		return e.apiTrigger(unres, "http", s.unresolvedAccess(e, "http event", unres))
	}
	method, path := s.route(v)
	return e.apiTrigger(routeDetail(strings.ToUpper(method), path), "http", s.restAccess(e, v))
}

// route reads "METHOD path" or {method, path}.
func (s *service) route(v *yaml.Node) (method, path string) {
	if s.t.isMap(v) {
		method, _ = s.t.str(s.t.get(v, "method"))
		path, _ = s.t.str(s.t.get(v, "path"))
		return method, path
	}
	str, _ := s.t.str(v)
	method, path, _ = strings.Cut(strings.TrimSpace(str), " ")
	return method, strings.TrimSpace(path)
}

// routeDetail renders a route as "GET /orders" ("*" alone for the HTTP
// API's catch-all).
func routeDetail(method, path string) string {
	if path == "" {
		return method
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return method + " " + path
}

// restAccess decides a REST API event's access: an authorizer (Lambda
// TOKEN/REQUEST, COGNITO_USER_POOLS, AWS_IAM) or `private: true` (API key
// required) make it authenticated; otherwise it is public.
func (s *service) restAccess(e event, v *yaml.Node) access {
	if !s.t.isMap(v) {
		return public()
	}
	_, a := s.t.entry(v, "authorizer")
	if acc, ok := s.restAuthorizer(e, a); ok {
		return acc
	}
	private, _, unres := s.t.boolean(s.t.get(v, "private"))
	switch {
	case unres != "":
		return s.unresolvedAccess(e, "private", unres)
	case private:
		return authenticated(authAPIKey, ", private: API key")
	}
	return public()
}

// restAuthorizer reads a REST API authorizer. It reports false when there
// is none.
func (s *service) restAuthorizer(e event, a *yaml.Node) (access, bool) {
	t := s.t
	d := t.deref(a)
	if d == nil || (d.Kind == yaml.ScalarNode && d.Tag == "!!null") {
		return access{}, false
	}
	if unres, whole := s.wholeUnresolved(d); whole {
		return s.unresolvedAccess(e, "authorizer", unres), true
	}
	switch d.Kind {
	case yaml.ScalarNode:
		return authorizerByName(t.text(d), ""), true
	case yaml.MappingNode:
		typ := strings.ToUpper(t.text(t.get(d, "type")))
		label := firstNonEmpty(t.text(t.get(d, "name")), t.describe(t.get(d, "arn")), t.describe(t.get(d, "authorizerId")), typ)
		arn := t.text(t.get(d, "arn"))
		switch {
		case typ == "AWS_IAM":
			return authenticated(authIAM, ", authorizer aws_iam"), true
		case typ == "COGNITO_USER_POOLS" || strings.Contains(arn, ":cognito-idp:"):
			return authenticated(authCognito, ", authorizer "+label), true
		}
		return authenticated(authCustom, ", authorizer "+label), true
	}
	return s.unresolvedAccess(e, "authorizer", t.describe(d)), true
}

// authorizerByName reads an authorizer given as a string: aws_iam, a
// Cognito user pool ARN, a Lambda ARN or a function name.
func authorizerByName(name, kind string) access {
	switch {
	case strings.EqualFold(name, "aws_iam"):
		return authenticated(authIAM, ", authorizer aws_iam")
	case strings.Contains(name, ":cognito-idp:"):
		return authenticated(authCognito, ", authorizer "+name)
	}
	if kind == "" {
		kind = authCustom
	}
	return authenticated(kind, ", authorizer "+name)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// httpAPIEvent reads an HTTP API (API Gateway v2) event: "*", "GET /path"
// or a mapping with method, path and authorizer.
func (s *service) httpAPIEvent(e event) bundle.Trigger {
	v := s.t.deref(e.v)
	if unres, whole := s.wholeUnresolved(v); whole {
		return e.apiTrigger(unres, "httpApi", s.unresolvedAccess(e, "httpApi event", unres))
	}
	method, path := s.route(v)
	if method == "" {
		method = "*"
	}
	return e.apiTrigger(routeDetail(strings.ToUpper(method), path), "httpApi", s.httpAPIAccess(e, v))
}

// httpAPIAccess decides an HTTP API event's access: an authorizer
// (aws_iam, a JWT or Lambda authorizer of provider.httpApi.authorizers by
// name, or an existing one by id) makes it authenticated; otherwise it is
// public.
func (s *service) httpAPIAccess(e event, v *yaml.Node) access {
	t := s.t
	if !t.isMap(v) {
		return public()
	}
	a := t.get(v, "authorizer")
	if a == nil || (a.Kind == yaml.ScalarNode && a.Tag == "!!null") {
		return public()
	}
	if unres, whole := s.wholeUnresolved(a); whole {
		return s.unresolvedAccess(e, "authorizer", unres)
	}
	if d := t.deref(a); d.Kind != yaml.MappingNode {
		if d.Kind != yaml.ScalarNode || isTagged(d) {
			s.notes.add(e.loc, "function %s: httpApi authorizer is %s: exposure unknown", e.fn, t.kindName(d))
			return unknownWay()
		}
		return s.httpAPIAuthorizer(e, t.text(a))
	}
	typ := strings.ToLower(t.text(t.get(a, "type")))
	id := t.describe(t.get(a, "id"))
	name, unres := t.str(t.get(a, "name"))
	switch {
	case typ == "aws_iam":
		return authenticated(authIAM, ", authorizer aws_iam")
	case unres != "":
		return s.unresolvedAccess(e, "authorizer", unres)
	case name != "":
		return s.httpAPIAuthorizer(e, name)
	case id != "" && typ == "request":
		return authenticated(authCustom, ", authorizer id "+id)
	case id != "":
		return authenticated(authJWT, ", authorizer id "+id)
	}
	s.notes.add(e.loc, "function %s: httpApi authorizer has no name, id or type: exposure unknown", e.fn)
	return unknownWay()
}

// httpAPIAuthorizer reads an authorizer of provider.httpApi.authorizers:
// type request (or a functionName/functionArn) is a Lambda authorizer,
// otherwise a JWT authorizer.
func (s *service) httpAPIAuthorizer(e event, name string) access {
	if strings.EqualFold(name, "aws_iam") {
		return authenticated(authIAM, ", authorizer aws_iam")
	}
	t := s.t
	def := t.get(s.provider, "httpApi", "authorizers", name)
	if def == nil {
		s.notes.add(e.loc, "function %s: authorizer %s is not defined in provider.httpApi.authorizers: exposure unknown", e.fn, name)
		return unknownWay()
	}
	typ := strings.ToLower(t.text(t.get(def, "type")))
	lambda := t.get(def, "functionName") != nil || t.get(def, "functionArn") != nil
	if typ == "request" || (typ == "" && lambda) {
		return authenticated(authCustom, ", authorizer "+name)
	}
	return authenticated(authJWT, ", authorizer "+name)
}

// urlTrigger reads a function URL: `url: true` (AuthType NONE, public),
// `url: {authorizer: aws_iam}` (IAM, authenticated); `url: false` is none.
func (s *service) urlTrigger(e event) (bundle.Trigger, bool) {
	t := s.t
	d := t.deref(e.v)
	if d == nil || (d.Kind == yaml.ScalarNode && d.Tag == "!!null") {
		return bundle.Trigger{}, false
	}
	if t.isMap(d) {
		a := t.get(d, "authorizer")
		if unres, whole := s.wholeUnresolved(a); whole {
			return e.trigger("url", "function URL", s.unresolvedAccess(e, "function URL authorizer", unres)), true
		}
		if strings.EqualFold(t.text(a), "aws_iam") {
			return e.trigger("url", "function URL", authenticated(authIAM, " (authorizer aws_iam)")), true
		}
		return e.trigger("url", "function URL", public()), true
	}
	on, known, unres := t.boolean(d)
	switch {
	case unres != "":
		return e.trigger("url", "function URL", s.unresolvedAccess(e, "url", unres)), true
	case known && !on:
		return bundle.Trigger{}, false
	case known:
		return e.trigger("url", "function URL", public()), true
	}
	s.notes.add(e.loc, "function %s: url is %s, not true, false or a mapping: exposure unknown", e.fn, t.describe(d))
	return e.trigger("url", "function URL", unknownWay()), true
}

// websocketAuth is how a service's WebSocket API authenticates: by the
// authorizer of its $connect route, which guards every route.
type websocketAuth struct {
	acc access // zero when there is no authorizer
	set bool
}

// scanWebsockets finds the $connect route's authorizer before the
// functions are read.
func (s *service) scanWebsockets(entries []fnEntry) {
	for _, e := range entries {
		for _, item := range s.t.items(s.t.get(e.body, "events")) {
			v := s.t.get(item, "websocket")
			if v == nil || s.wsRoute(v) != "$connect" {
				continue
			}
			if acc, ok := s.wsAuthorizer(event{fn: e.name, key: "websocket", v: v, loc: s.at(item)}, v, true); ok {
				s.ws = websocketAuth{acc: acc, set: true}
			}
		}
	}
}

func (s *service) wsRoute(v *yaml.Node) string {
	if s.t.isMap(v) {
		return s.t.text(s.t.get(v, "route"))
	}
	return s.t.text(v)
}

// wsAuthorizer reads a websocket route's authorizer (a Lambda authorizer
// by function name, ARN or {name, arn, identitySource}).
func (s *service) wsAuthorizer(e event, v *yaml.Node, quiet bool) (access, bool) {
	a := s.t.get(v, "authorizer")
	if a == nil || (a.Kind == yaml.ScalarNode && a.Tag == "!!null") {
		return access{}, false
	}
	if unres, whole := s.wholeUnresolved(a); whole {
		if quiet {
			return unknownWay(), true
		}
		return s.unresolvedAccess(e, "authorizer", unres), true
	}
	name := s.t.text(a)
	if s.t.isMap(a) {
		name = firstNonEmpty(s.t.text(s.t.get(a, "name")), s.t.describe(s.t.get(a, "arn")))
	}
	return authorizerByName(name, authCustom), true
}

// websocketEvent reads a WebSocket route. $connect is authenticated when
// it has an authorizer; the other routes are reached through a connection,
// so they are authenticated when $connect is.
func (s *service) websocketEvent(e event) bundle.Trigger {
	v := s.t.deref(e.v)
	if unres, whole := s.wholeUnresolved(v); whole {
		return e.noted("websocket", unres, "websocket", s.unresolvedAccess(e, "websocket event", unres))
	}
	route := "route " + s.wsRoute(v)
	if s.wsRoute(v) == "$connect" {
		if acc, ok := s.wsAuthorizer(e, v, false); ok {
			return e.noted("websocket", route, "websocket", acc)
		}
		return e.noted("websocket", route, "websocket", public())
	}
	if s.ws.set {
		acc := s.ws.acc
		acc.via = ", authorized at $connect"
		return e.noted("websocket", route, "websocket", acc)
	}
	return e.noted("websocket", route, "websocket", public())
}

// albEvent reads an Application Load Balancer target. Without an
// authorizer it is public when the load balancer is internet-facing,
// which the manifest does not say.
func (s *service) albEvent(e event) bundle.Trigger {
	t := s.t
	v := t.deref(e.v)
	detail := "listener " + t.describe(t.get(v, "listenerArn"))
	if p := t.get(v, "conditions", "path"); p != nil {
		detail += " path " + s.joined(p)
	}
	return e.noted("alb", detail, "internet-facing unless the load balancer is internal", s.albAccess(e, v))
}

// albAccess decides an ALB target's access from its authorizers
// (provider.alb.authorizers: cognito or oidc). onUnauthenticatedRequest:
// allow lets anonymous requests through.
func (s *service) albAccess(e event, v *yaml.Node) access {
	t := s.t
	a := t.get(v, "authorizer")
	if a == nil {
		return public()
	}
	if unres, whole := s.wholeUnresolved(a); whole {
		return s.unresolvedAccess(e, "authorizer", unres)
	}
	names := []string{t.text(a)}
	if t.isSeq(a) {
		names = nil
		for _, item := range t.items(a) {
			names = append(names, t.text(item))
		}
	}
	for _, name := range names {
		def := t.get(s.provider, "alb", "authorizers", name)
		if def == nil {
			s.notes.add(e.loc, "function %s: authorizer %s is not defined in provider.alb.authorizers: exposure unknown", e.fn, name)
			return unknownWay()
		}
		if strings.EqualFold(t.text(t.get(def, "onUnauthenticatedRequest")), "allow") {
			return access{auth: authNone, exposure: bundle.ExposurePublic, via: ", authorizer " + name + " allows unauthenticated requests"}
		}
	}
	auth := authJWT
	if strings.EqualFold(t.text(t.get(s.provider, "alb", "authorizers", names[0], "type")), "cognito") {
		auth = authCognito
	}
	return authenticated(auth, ", authorizer "+strings.Join(names, ", "))
}

// cloudFrontEvent reads a Lambda@Edge association: CloudFront invokes the
// function for requests from anyone.
func (s *service) cloudFrontEvent(e event) bundle.Trigger {
	t := s.t
	v := t.deref(e.v)
	detail := strings.TrimSpace("CloudFront " + t.text(t.get(v, "eventType")) + " " + t.text(t.get(v, "pathPattern")))
	return e.trigger("cloudfront", detail, public())
}

// joined renders a string or a list of strings.
func (s *service) joined(n *yaml.Node) string {
	if !s.t.isSeq(n) {
		return s.t.describe(n)
	}
	var parts []string
	for _, item := range s.t.items(n) {
		parts = append(parts, s.t.describe(item))
	}
	return strings.Join(parts, ", ")
}
