package azure

import (
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Trigger auth values.
const (
	authNone       = "none"
	authFunction   = "function_key"
	authAdmin      = "admin_key"
	authPlatform   = "platform" // an Azure service (or the host itself) invokes it
	authUnresolved = "unresolved"
)

// buildTriggers turns a function's trigger bindings into triggers. A
// function whose declaration could not be read gets one trigger of
// exposure unknown.
func buildTriggers(h *hostConfig, d *funcDef, n *notes) []bundle.Trigger {
	if d.problem != "" {
		if !d.noted {
			n.add(d.file, d.line, "function %s is listed with exposure unknown: %s", d.name, d.problem)
		}
		return []bundle.Trigger{unknownTrigger("unknown", d.problem, bundle.Location{File: d.file, Line: d.line})}
	}
	var out []bundle.Trigger
	for _, b := range d.bindings {
		if t, ok := h.trigger(d, b, n); ok {
			out = append(out, t)
		}
	}
	switch {
	case len(out) == 0:
		n.add(d.file, d.line, "function %s has no trigger binding: the host does not load it", d.name)
	case len(out) > 1:
		n.add(d.file, d.line, "function %s has %d trigger bindings, the host allows one: all are listed", d.name, len(out))
	}
	return out
}

// unknownTrigger is a trigger nothing is known of.
func unknownTrigger(typ, detail string, src bundle.Location) bundle.Trigger {
	return bundle.Trigger{Type: typ, Detail: detail, Auth: authUnresolved, Exposure: bundle.ExposureUnknown, Source: src}
}

// trigger turns binding b into a trigger; ok is false for a binding that is
// not a trigger (an input or output binding).
func (h *hostConfig) trigger(d *funcDef, b binding, n *notes) (t bundle.Trigger, ok bool) {
	src := bundle.Location{File: d.file, Line: b.line}
	if b.unread != "" {
		n.add(d.file, b.line, "function %s: %s: it may be the trigger, so the exposure is unknown", d.name, b.unread)
		return unknownTrigger("unknown", b.unread, src), true
	}
	lower := strings.ToLower(b.typ)
	if !strings.HasSuffix(lower, "trigger") {
		return bundle.Trigger{}, false
	}
	typ := strings.TrimSuffix(lower, "trigger")
	switch {
	case lower == "httptrigger":
		return h.httpTrigger(d, b, src, n), true
	case strings.HasPrefix(lower, "mcp"):
		return h.mcpTrigger(typ, b, src), true
	}
	keys, known := detailKeys(lower)
	if !known {
		n.add(d.file, b.line, "function %s: trigger type %q is not known to fnaudit: exposure unknown", d.name, b.typ)
		return unknownTrigger(typ, detail(b.typ, nil, nil), src), true
	}
	return bundle.Trigger{Type: typ, Detail: detail(b.typ, keys, b.props), Auth: authPlatform,
		Exposure: bundle.ExposureInternal, Source: src}, true
}

// httpTrigger rates an httpTrigger by its authLevel: anonymous is public,
// function and admin (and system) need a key.
func (h *hostConfig) httpTrigger(d *funcDef, b binding, src bundle.Location, n *notes) bundle.Trigger {
	level, ok := b.props["authlevel"]
	if !ok {
		level = d.defaultAuth
	}
	t := bundle.Trigger{Type: "http", Detail: h.httpDetail(d, b), Source: src}
	if b.unreadAuth {
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
		return t
	}
	switch strings.ToLower(level) {
	case "anonymous":
		t.Auth, t.Exposure = authNone, bundle.ExposurePublic
	case "function":
		t.Auth, t.Exposure = authFunction, bundle.ExposureAuthenticated
	case "admin", "system":
		t.Auth, t.Exposure = authAdmin, bundle.ExposureAuthenticated
	default:
		n.add(d.file, b.line, "function %s: authLevel %q is not anonymous, function or admin: exposure unknown", d.name, level)
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
	}
	return t
}

// httpDetail is "GET,POST /api/products/{id}": the methods (ANY for all)
// and the URL path, route prefix included. A function without a route is
// served at its name.
func (h *hostConfig) httpDetail(d *funcDef, b binding) string {
	methods := "ANY"
	if len(b.methods) > 0 {
		methods = strings.ToUpper(strings.Join(b.methods, ","))
	}
	route := strings.Trim(b.props["route"], "/")
	if route == "" {
		route = d.name
	}
	return methods + " " + urlPath(h.routePrefix, route)
}

// urlPath joins the route prefix and a route into a URL path.
func urlPath(prefix, route string) string {
	if prefix == "" {
		return "/" + route
	}
	return "/" + prefix + "/" + route
}

// mcpTrigger rates an MCP extension trigger (tool, resource, prompt): MCP
// clients reach it over the internet at /runtime/webhooks/mcp, which takes
// the mcp_extension system key unless host.json sets the extension's
// webhookAuthorizationLevel to anonymous.
func (h *hostConfig) mcpTrigger(typ string, b binding, src bundle.Location) bundle.Trigger {
	t := bundle.Trigger{Type: typ, Detail: detail(b.typ, []string{"toolname", "uri", "promptname"}, b.props), Source: src}
	if h.mcpAnonymous {
		t.Auth, t.Exposure = authNone, bundle.ExposurePublic
	} else {
		t.Auth, t.Exposure = authAdmin, bundle.ExposureAuthenticated
	}
	return t
}

// detail is the trigger type as written followed by the values of keys
// that are set, joined by "/": "queueTrigger catalog-import",
// "serviceBusTrigger orders/audit".
func detail(typ string, keys []string, props map[string]string) string {
	var vals []string
	for _, k := range keys {
		if v := props[k]; v != "" {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return typ
	}
	return typ + " " + strings.Join(vals, "/")
}

// detailKeys returns, for a known non-HTTP trigger type (lower-cased), the
// binding properties that say which source it listens to. Every such
// trigger is invoked by an Azure service or by the host: internal.
func detailKeys(lowerType string) (keys []string, known bool) {
	switch lowerType {
	case "queuetrigger", "rabbitmqtrigger":
		return []string{"queuename"}, true
	case "servicebustrigger":
		return []string{"queuename", "topicname", "subscriptionname"}, true
	case "timertrigger":
		return []string{"schedule"}, true
	case "blobtrigger":
		return []string{"path"}, true
	case "eventhubtrigger", "iothubtrigger":
		return []string{"eventhubname", "path"}, true
	case "cosmosdbtrigger":
		return []string{"databasename", "containername", "collectionname"}, true
	case "kafkatrigger":
		return []string{"topic"}, true
	case "signalrtrigger":
		return []string{"hubname", "category", "event"}, true
	case "sqltrigger", "mysqltrigger":
		return []string{"tablename"}, true
	case "webpubsubtrigger":
		return []string{"hub", "eventname"}, true
	case "daprserviceinvocationtrigger":
		return []string{"methodname"}, true
	case "daprbindingtrigger":
		return []string{"bindingname"}, true
	case "daprtopictrigger":
		return []string{"pubsubname", "topic"}, true
	case "redispubsubtrigger":
		return []string{"channel"}, true
	case "redislisttrigger", "redisstreamtrigger":
		return []string{"key"}, true
	case "eventgridtrigger", "activitytrigger", "orchestrationtrigger", "entitytrigger",
		"warmuptrigger", "manualtrigger", "assistantskilltrigger":
		return nil, true
	}
	return nil, false
}
