package cloudformation

import (
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// samGlobalsRejected are the AWS::Serverless::Function properties SAM does
// not accept in Globals.Function.
var samGlobalsRejected = []string{"Role", "Policies", "FunctionName", "Events"}

// samFunctionKeys and samAPIKeys are the properties read from SAM
// functions and APIs: only those are merged with Globals.
var (
	samFunctionKeys = []string{"Runtime", "Handler", "CodeUri", "InlineCode", "PackageType", "ImageUri", "Layers",
		"Events", "FunctionUrlConfig", "Policies", "Role", "Tracing"}
	samAPIKeys = []string{"Auth", "EndpointConfiguration", "DefinitionBody", "DefinitionUri"}
)

// maxMergedList bounds a list merged from Globals and a resource (SAM
// concatenates them); no real property comes near it.
const maxMergedList = 256

// samFunction reads an AWS::Serverless::Function with Globals.Function
// merged in.
func (b *builder) samFunction(r *resource) *bundle.Function {
	props := b.withGlobals(r, "Function", samFunctionKeys)
	fn := &bundle.Function{Name: b.functionName(r), Source: b.loc(r.line), PackageType: b.packageType(props)}
	if fn.PackageType == "image" {
		// An image holds its own runtime and handler, and Lambda applies
		// no layers to it: Globals meant for zip functions do not apply.
		b.runtimeHandler(fn, r.props)
		fn.Artifacts = append(fn.Artifacts, b.image(r, fn.Name, props.get("ImageUri"), r.meta))
		if r.props.get("Layers") != nil {
			b.s.warnf(r.props.keyLine("Layers"), "Layers of image function %s are ignored: Lambda applies no layers to container images", r.id)
		}
	} else {
		b.runtimeHandler(fn, props)
		fn.Artifacts = append(fn.Artifacts, b.samCode(fn.Name, props))
		fn.Artifacts = append(fn.Artifacts, b.layers(fn.Name, props.get("Layers"))...)
	}
	fn.Triggers = b.samEvents(r, props.get("Events"))
	if t, ok := b.functionURLConfig(r, props); ok {
		fn.Triggers = append(fn.Triggers, t)
	}
	fn.Role = b.samRole(r, props)
	return fn
}

// samCode reads CodeUri, or InlineCode. Without either, `sam build`
// packages the template's folder.
func (b *builder) samCode(name string, props *node) bundle.Artifact {
	if props.get("InlineCode") != nil {
		return problem(bundle.RoleCode, name, "code is inline in the template (InlineCode at %s): it holds no packages to audit; "+
			"keep it in a folder and point CodeUri at it to audit its dependencies", b.s.where(props.keyLine("InlineCode")))
	}
	raw := props.get("CodeUri")
	if raw == nil {
		return b.local(bundle.RoleCode, name, ".")
	}
	return b.location(bundle.RoleCode, name, "CodeUri", raw)
}

// withGlobals returns the properties keys of a SAM resource merged with
// the Globals section for its type, following SAM's rules: the resource's
// scalars win, mappings merge key by key, lists concatenate (globals
// first), a value of another type (or an intrinsic function) replaces the
// global one.
func (b *builder) withGlobals(r *resource, section string, keys []string) *node {
	g := b.globalSection(section)
	out := &node{kind: kindMap, line: r.props.line}
	for _, k := range keys {
		gv, lv := g.get(k), r.props.get(k)
		switch {
		case lv != nil && gv != nil:
			out.set(k, r.props.keyLine(k), mergeGlobal(gv, lv, 0))
		case lv != nil:
			out.set(k, r.props.keyLine(k), lv)
		case gv != nil:
			out.set(k, g.keyLine(k), gv)
		}
	}
	return out
}

// globalSection returns Globals.<section> (checked once: a section that is
// not a mapping, and properties SAM rejects there, are warnings).
func (b *builder) globalSection(section string) *node {
	if g, ok := b.globals[section]; ok {
		return g
	}
	g := b.s.globals.get(section)
	switch {
	case g == nil || g.kind == kindNull:
		g = nil
	case g.kind != kindMap:
		b.s.warnf(g.line, "Globals.%s is %s, not a mapping: ignored", section, g.describe())
		g = nil
	case section == "Function":
		for _, k := range samGlobalsRejected {
			if g.get(k) != nil {
				b.s.warnf(g.keyLine(k), "Globals.Function.%s is not a property SAM accepts in Globals: ignored", k)
			}
		}
		clean := &node{kind: kindMap, line: g.line}
		for _, f := range g.fields {
			if !slices.Contains(samGlobalsRejected, f.key) {
				clean.set(f.key, f.line, f.val)
			}
		}
		g = clean
	}
	b.globals[section] = g
	return g
}

// mergeGlobal merges a global value with a resource's value (SAM's
// GlobalProperties merge).
func mergeGlobal(global, local *node, depth int) *node {
	gk, lk := mergeToken(global), mergeToken(local)
	switch {
	case gk != lk || gk == kindString || depth > maxDepth:
		return local
	case gk == kindList:
		list := append(slices.Clone(global.list[:min(len(global.list), maxMergedList)]), local.list...)
		return &node{kind: kindList, line: local.line, list: list[:min(len(list), maxMergedList)]}
	}
	out := &node{kind: kindMap, line: local.line}
	for _, f := range global.fields {
		out.set(f.key, f.line, f.val)
	}
	for _, f := range local.fields {
		if gv := global.get(f.key); gv != nil {
			out.set(f.key, f.line, mergeGlobal(gv, f.val, depth+1))
			continue
		}
		out.set(f.key, f.line, f.val)
	}
	return out
}

// mergeToken classifies a value for the Globals merge: intrinsic functions
// are primitives.
func mergeToken(n *node) kind {
	switch {
	case n.kind == kindMap && n.intrinsicName() != "":
		return kindString
	case n.kind == kindMap, n.kind == kindList:
		return n.kind
	}
	return kindString
}

// functionURLConfig reads FunctionUrlConfig.AuthType.
func (b *builder) functionURLConfig(r *resource, props *node) (bundle.Trigger, bool) {
	cfg := props.get("FunctionUrlConfig")
	if cfg == nil || cfg.kind == kindNull {
		return bundle.Trigger{}, false
	}
	line := props.keyLine("FunctionUrlConfig")
	t := bundle.Trigger{Type: "url", Detail: "function URL", Source: b.loc(line)}
	b.urlAuth(&t, cfg.get("AuthType"), r.id, line)
	return t, true
}

// urlAuth sets a function URL trigger's auth from its AuthType.
func (b *builder) urlAuth(t *bundle.Trigger, authType *node, fnName string, line int) {
	v := b.s.ev.eval(authType)
	switch {
	case v != nil && v.kind == kindString && strings.EqualFold(v.str, "NONE"):
		t.Auth, t.Exposure = authNone, bundle.ExposurePublic
	case v != nil && v.kind == kindString && strings.EqualFold(v.str, "AWS_IAM"):
		t.Auth, t.Exposure = authIAM, bundle.ExposureAuthenticated
	default:
		b.s.warnf(line, "AuthType of the function URL of %s is %s: exposure unknown", fnName, describeValue(v))
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
	}
}

// describeValue says what a value is, for a warning.
func describeValue(v *node) string {
	switch {
	case v == nil:
		return "missing"
	case v.kind == kindString:
		return quote(v.str) + ", not NONE or AWS_IAM"
	case v.kind == kindUnresolved:
		return "unresolved (" + reason(v) + ")"
	}
	return v.describe()
}

// Auth values of triggers.
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

// samEvents reads a SAM function's Events, one trigger each, in order.
func (b *builder) samEvents(r *resource, events *node) []bundle.Trigger {
	if events == nil || events.kind == kindNull {
		return nil
	}
	if events.kind != kindMap {
		b.s.warnf(events.line, "Events of %s is %s, not a mapping: ignored", r.id, events.describe())
		return nil
	}
	out := make([]bundle.Trigger, 0, len(events.fields))
	for _, f := range events.fields {
		if f.val.kind != kindMap {
			b.s.warnf(f.line, "event %s of %s is %s, not a mapping: ignored", f.key, r.id, f.val.describe())
			continue
		}
		props := f.val.get("Properties")
		if props == nil {
			props = &node{kind: kindMap, line: f.line}
		}
		if props.kind != kindMap {
			b.s.warnf(f.line, "Properties of event %s of %s is %s, not a mapping", f.key, r.id, props.describe())
			props = &node{kind: kindMap, line: f.line}
		}
		t := b.samEvent(r, f.key, b.str(f.val.get("Type")), props, f.line)
		t.Source = b.loc(f.line)
		out = append(out, t)
	}
	return out
}

// samEvent makes the trigger of one SAM event source.
func (b *builder) samEvent(r *resource, name, typ string, p *node, line int) bundle.Trigger {
	switch typ {
	case "Api":
		return b.samAPIEvent(r, name, p, line)
	case "HttpApi":
		return b.samHTTPAPIEvent(r, name, p, line)
	}
	if ev, ok := samServiceEvents[typ]; ok {
		prop := func(key string) string { return display(b.s.ev.eval(p.get(key))) }
		return bundle.Trigger{Type: ev.typ, Detail: ev.detail(b, p, prop), Auth: authAWS, Exposure: bundle.ExposureInternal}
	}
	b.s.warnf(line, "event %s of %s has type %s, which fnaudit does not know: exposure unknown", name, r.id, quote(typ))
	return bundle.Trigger{Type: strings.ToLower(typ), Detail: name + " (" + typ + ")", Auth: authUnresolved, Exposure: bundle.ExposureUnknown}
}

// samServiceEvent is a SAM event source through which an AWS service
// invokes the function (internal): its trigger type and how to describe
// it from its properties.
type samServiceEvent struct {
	typ    string
	detail func(b *builder, p *node, prop func(string) string) string
}

// samServiceEvents are the SAM event sources other than Api and HttpApi.
var samServiceEvents = map[string]samServiceEvent{
	"SQS": {"sqs", func(_ *builder, _ *node, prop func(string) string) string { return "queue " + prop("Queue") }},
	"SNS": {"sns", func(_ *builder, _ *node, prop func(string) string) string { return "topic " + prop("Topic") }},
	"S3": {"s3", func(_ *builder, _ *node, prop func(string) string) string {
		return "bucket " + prop("Bucket") + " (" + prop("Events") + ")"
	}},
	"Schedule": {"schedule", func(b *builder, p *node, prop func(string) string) string { return prop("Schedule") + disabled(b, p) }},
	"ScheduleV2": {"schedule", func(b *builder, p *node, prop func(string) string) string {
		return prop("ScheduleExpression") + disabled(b, p)
	}},
	"EventBridgeRule": {"eventbridge", func(b *builder, p *node, _ func(string) string) string { return eventBridgeDetail(b, p) }},
	"CloudWatchEvent": {"eventbridge", func(b *builder, p *node, _ func(string) string) string { return eventBridgeDetail(b, p) }},
	"CloudWatchLogs":  {"logs", func(_ *builder, _ *node, prop func(string) string) string { return "log group " + prop("LogGroupName") }},
	"Kinesis":         {"stream", func(_ *builder, _ *node, prop func(string) string) string { return "Kinesis stream " + prop("Stream") }},
	"DynamoDB":        {"stream", func(_ *builder, _ *node, prop func(string) string) string { return "DynamoDB stream " + prop("Stream") }},
	"DocumentDB": {"stream", func(_ *builder, _ *node, prop func(string) string) string {
		return "DocumentDB cluster " + prop("Cluster")
	}},
	"MSK": {"kafka", func(_ *builder, _ *node, prop func(string) string) string {
		return "MSK cluster " + prop("Stream") + " (topics " + prop("Topics") + ")"
	}},
	"SelfManagedKafka": {"kafka", func(_ *builder, _ *node, prop func(string) string) string { return "Kafka topics " + prop("Topics") }},
	"MQ": {"mq", func(_ *builder, _ *node, prop func(string) string) string {
		return "MQ broker " + prop("Broker") + " (queues " + prop("Queues") + ")"
	}},
	"Cognito": {"cognito", func(_ *builder, _ *node, prop func(string) string) string {
		return "user pool " + prop("UserPool") + " (" + prop("Trigger") + ")"
	}},
	"IoTRule":    {"iot", func(_ *builder, _ *node, prop func(string) string) string { return "IoT rule " + prop("Sql") }},
	"AlexaSkill": {"alexa", func(_ *builder, _ *node, prop func(string) string) string { return "Alexa skill " + prop("SkillId") }},
}

// disabled marks a schedule that is written disabled.
func disabled(b *builder, p *node) string {
	if b.boolProp(p.get("Enabled")) == 0 || strings.EqualFold(b.str(p.get("State")), "DISABLED") {
		return " (disabled)"
	}
	return ""
}

// eventBridgeDetail describes an EventBridge rule event: its bus and the
// sources of its pattern.
func eventBridgeDetail(b *builder, p *node) string {
	d := "EventBridge rule"
	if bus := p.get("EventBusName"); bus != nil {
		d += " on bus " + display(b.s.ev.eval(bus))
	}
	if src := p.get("Pattern").get("source"); src != nil {
		d += " (source " + display(b.s.ev.eval(src)) + ")"
	}
	return d
}
