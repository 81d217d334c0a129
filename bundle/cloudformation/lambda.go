package cloudformation

import (
	"regexp"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// lambdaFunction reads an AWS::Lambda::Function.
func (b *builder) lambdaFunction(r *resource) *bundle.Function {
	name := b.functionName(r)
	fn := &bundle.Function{Name: name, Source: b.loc(r.line), PackageType: b.packageType(r.props)}
	b.runtimeHandler(fn, r.props)
	code := r.props.get("Code")
	if fn.PackageType == "image" || code.get("ImageUri") != nil {
		fn.PackageType = "image"
		if a, ok := b.assets.artifact(b, r, bundle.RoleImage, name); ok {
			fn.Artifacts = append(fn.Artifacts, a)
		} else {
			fn.Artifacts = append(fn.Artifacts, b.image(r, name, code.get("ImageUri"), r.meta))
		}
		if r.props.get("Layers") != nil {
			b.s.warnf(r.props.keyLine("Layers"), "Layers of image function %s are ignored: Lambda applies no layers to container images", r.id)
		}
	} else {
		fn.Artifacts = append(fn.Artifacts, b.lambdaCode(r, bundle.RoleCode, name, "Code"))
		fn.Artifacts = append(fn.Artifacts, b.layers(name, r.props.get("Layers"))...)
	}
	fn.Role = b.roleOf(r.id, r.props.get("Role"), r.props.keyLine("Role"))
	return fn
}

// functionName is the logical id, except in a CDK assembly (see cdkName).
func (b *builder) functionName(r *resource) string {
	if b.assets != nil {
		return b.assets.name(b, r)
	}
	return r.id
}

// linkTriggers reads the resources that make triggers for the functions:
// function URLs, API Gateway methods and routes, event source mappings and
// load balancer target groups first, then permissions (which only add what
// those did not already say).
func (b *builder) linkTriggers() {
	b.byName = map[string]*fnEntry{}
	for _, e := range b.order {
		name := e.literalName
		if name == "" {
			name = e.res.id
		}
		if _, dup := b.byName[name]; !dup {
			b.byName[name] = e
		}
	}
	for _, r := range b.s.order {
		switch r.typ {
		case typeLambdaURL:
			b.urlResource(r)
		case typeRestMethod:
			b.restMethod(r)
		case typeV2Route:
			b.v2Route(r)
		case typeV2API:
			b.v2QuickCreate(r)
		case typeLambdaESM:
			b.eventSourceMapping(r)
		case typeTargetGroup:
			b.targetGroup(r)
		}
	}
	for _, r := range b.s.order {
		if r.typ == typeLambdaPerm {
			b.permission(r)
		}
	}
}

// maxTargets bounds the functions one resource (a permission, a method, a
// target group) gives a trigger to: each names one function, two when an
// unresolved Fn::If leaves both branches possible.
const maxTargets = 4

// functionsIn returns the functions an evaluated value refers to: through
// Ref/Fn::GetAtt (also through an AWS::Lambda::Alias or Version), or a
// literal function name or ARN matching a FunctionName of the template.
func (b *builder) functionsIn(v *node) []*fnEntry {
	var out []*fnEntry
	addOnce := func(e *fnEntry) {
		if e != nil && !slices.Contains(out, e) && len(out) < maxTargets {
			out = append(out, e)
		}
	}
	for _, id := range refsOf(v, 0) {
		addOnce(b.followToFunction(id, 0))
	}
	if len(out) == 0 && v != nil && v.kind == kindString {
		addOnce(b.functionByName(v.str))
	}
	return out
}

// followToFunction follows an alias or version to its function.
func (b *builder) followToFunction(id string, depth int) *fnEntry {
	if e := b.fns[id]; e != nil {
		return e
	}
	r := b.s.resources[id]
	if r == nil || depth > 8 || (r.typ != typeLambdaAlias && r.typ != typeLambdaVersion) {
		return nil
	}
	for _, next := range refsOf(b.s.ev.eval(r.props.get("FunctionName")), 0) {
		if e := b.followToFunction(next, depth+1); e != nil {
			return e
		}
	}
	return nil
}

var functionARNRe = regexp.MustCompile(`function:([A-Za-z0-9_-]+)`)

// functionByName matches a literal function name or ARN with the
// template's functions (FunctionName literal, else logical id).
func (b *builder) functionByName(s string) *fnEntry {
	name := s
	if m := functionARNRe.FindStringSubmatch(s); m != nil {
		name = m[1]
	}
	return b.byName[name]
}

// refsOf collects the resource references of an evaluated value.
func refsOf(v *node, depth int) []string {
	if v == nil || depth > maxDepth {
		return nil
	}
	out := slices.Clone(v.refs)
	for _, item := range v.list {
		out = append(out, refsOf(item, depth+1)...)
	}
	for _, f := range v.fields {
		out = append(out, refsOf(f.val, depth+1)...)
	}
	return out
}

// addTrigger gives a trigger to functions.
func addTrigger(fns []*fnEntry, t bundle.Trigger) {
	for _, e := range fns {
		e.addTrigger(t)
	}
}

// targets evaluates the property naming a function and warns when it
// names none of the template.
func (b *builder) targets(r *resource, prop string) []*fnEntry {
	raw := r.props.get(prop)
	v := b.s.ev.eval(raw)
	fns := b.functionsIn(v)
	if len(fns) == 0 && raw != nil {
		b.s.warnf(r.line, "%s %s names a function that is not in this template (%s): ignored", r.id, prop, display(v))
	}
	return fns
}

// urlResource reads an AWS::Lambda::Url.
func (b *builder) urlResource(r *resource) {
	fns := b.targets(r, "TargetFunctionArn")
	t := bundle.Trigger{Type: "url", Detail: "function URL (" + r.id + ")", Source: b.loc(r.line)}
	b.urlAuth(&t, r.props.get("AuthType"), r.id, r.props.keyLine("AuthType"))
	addTrigger(fns, t)
}

// eventSourceMapping reads an AWS::Lambda::EventSourceMapping: Lambda polls
// a queue or stream of the account, so the function is internal.
func (b *builder) eventSourceMapping(r *resource) {
	fns := b.targets(r, "FunctionName")
	typ, what := "kafka", "self-managed Kafka"
	if raw := r.props.get("EventSourceArn"); raw != nil {
		typ, what = b.eventSource(b.s.ev.eval(raw))
	}
	if topics := r.props.get("Topics"); topics != nil {
		what += " (topics " + display(b.s.ev.eval(topics)) + ")"
	}
	addTrigger(fns, bundle.Trigger{Type: typ, Detail: what + " (" + r.id + ")", Auth: authAWS,
		Exposure: bundle.ExposureInternal, Source: b.loc(r.line)})
}

// eventSource names the kind of an event source from the resource it
// refers to, or from its ARN's service.
func (b *builder) eventSource(v *node) (string, string) {
	name := display(v)
	if r := b.s.firstRefOfType(v, typeSQSQueue, typeKinesisStream, typeDynamoDBTable, typeMSKCluster,
		typeMSKServerless, typeMQBroker, typeDocDBCluster); r != nil {
		return eventSourceByService(map[string]string{
			typeSQSQueue: "sqs", typeKinesisStream: "kinesis", typeDynamoDBTable: "dynamodb", typeMSKCluster: "kafka",
			typeMSKServerless: "kafka", typeMQBroker: "mq", typeDocDBCluster: "rds",
		}[r.typ], r.id)
	}
	if parts := strings.Split(v.str, ":"); v.kind == kindString && len(parts) > 2 {
		return eventSourceByService(parts[2], name)
	}
	return "eventsource", "event source " + name
}

func eventSourceByService(service, name string) (string, string) {
	switch service {
	case "sqs":
		return "sqs", "queue " + name
	case "kinesis":
		return "stream", "Kinesis stream " + name
	case "dynamodb":
		return "stream", "DynamoDB stream " + name
	case "kafka":
		return "kafka", "MSK cluster " + name
	case "mq":
		return "mq", "MQ broker " + name
	case "rds":
		return "stream", "DocumentDB cluster " + name
	}
	return "eventsource", "event source " + name
}
