package cloudformation

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// maxWarnings bounds the warnings one application collects; a hostile
// template cannot make the report grow without end.
const maxWarnings = 500

// warnings collects located warnings, once each, in the order they were found.
type warnings struct {
	list    []string
	seen    map[string]bool
	dropped int
}

func (w *warnings) add(msg string) {
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[msg] {
		return
	}
	w.seen[msg] = true
	if len(w.list) >= maxWarnings {
		w.dropped++
		return
	}
	w.list = append(w.list, msg)
}

// result returns the warnings, with a last line counting those left out.
func (w *warnings) result() []string {
	out := slices.Clone(w.list)
	if w.dropped > 0 {
		out = append(out, fmt.Sprintf("%d more warnings left out", w.dropped))
	}
	return out
}

// resource is one entry of the Resources section.
type resource struct {
	id    string
	typ   string
	line  int
	props *node // never nil: an empty mapping when absent
	meta  *node // may be nil
}

// stack is one template with its sections indexed: a SAM/CloudFormation
// template, or one stack of a CDK cloud assembly.
type stack struct {
	file       string // the template path, as given
	dir        string // the folder artifact paths are relative to
	name       string // stack name (CDK), used to disambiguate function names
	root       *node
	params     *node
	mappings   *node
	conditions *node
	globals    *node
	resources  map[string]*resource
	order      []*resource
	// paramValues override parameter defaults (a CDK nested stack's
	// parameters, given by its parent).
	paramValues map[string]*node
	warn        *warnings
	ev          *evaluator
}

// warnf records a warning located at a line of the template.
func (s *stack) warnf(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		s.warn.add(fmt.Sprintf("%s:%d: %s", s.file, line, msg))
		return
	}
	s.warn.add(fmt.Sprintf("%s: %s", s.file, msg))
}

// where names a template line for messages ("template.yaml:12").
func (s *stack) where(line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", s.file, line)
	}
	return s.file
}

// newStack indexes a parsed template. Sections of the wrong type are
// errors naming the line; resources of the wrong shape are warnings.
func newStack(file string, root *node, w *warnings) (*stack, error) {
	s := &stack{file: file, dir: filepath.Dir(file), root: root, resources: map[string]*resource{}, warn: w}
	for _, sec := range []struct {
		key string
		dst **node
	}{{"Parameters", &s.params}, {"Mappings", &s.mappings}, {"Conditions", &s.conditions}, {"Globals", &s.globals}} {
		v := root.get(sec.key)
		if v == nil || v.kind == kindNull {
			continue
		}
		if v.kind != kindMap {
			return nil, &ParseError{File: file, Line: root.keyLine(sec.key), Msg: fmt.Sprintf("%s is %s, not a mapping", sec.key, v.describe())}
		}
		*sec.dst = v
	}
	res := root.get("Resources")
	if res == nil {
		return nil, &ParseError{File: file, Msg: "template has no Resources section"}
	}
	if res.kind != kindMap {
		return nil, &ParseError{File: file, Line: root.keyLine("Resources"), Msg: fmt.Sprintf("Resources is %s, not a mapping", res.describe())}
	}
	s.ev = newEvaluator(s)
	for _, f := range res.fields {
		s.addResource(f)
	}
	return s, nil
}

// addResource indexes one resource, unless it is malformed (a warning) or
// its Condition is false with the parameters' defaults.
func (s *stack) addResource(f field) {
	if strings.HasPrefix(f.key, "Fn::ForEach::") {
		s.warnf(f.line, "%s (AWS::LanguageExtensions) is not expanded: the resources it generates are not audited", f.key)
		return
	}
	v := f.val
	if v.kind != kindMap {
		s.warnf(f.line, "resource %s is %s, not a mapping: ignored", f.key, v.describe())
		return
	}
	typ := v.get("Type")
	if typ == nil || typ.kind != kindString {
		s.warnf(f.line, "resource %s has no Type: ignored", f.key)
		return
	}
	r := &resource{id: f.key, typ: typ.str, line: f.line, props: v.get("Properties"), meta: v.get("Metadata")}
	switch {
	case r.props == nil || r.props.kind == kindNull:
		r.props = &node{kind: kindMap, line: f.line}
	case r.props.kind != kindMap:
		s.warnf(v.keyLine("Properties"), "Properties of %s is %s, not a mapping: ignored", f.key, r.props.describe())
		r.props = &node{kind: kindMap, line: f.line}
	}
	if c := v.get("Condition"); c != nil && !s.conditionHolds(r, c) {
		return
	}
	s.resources[r.id] = r
	s.order = append(s.order, r)
}

// conditionHolds evaluates a resource's Condition. A resource whose
// condition cannot be evaluated is kept (audited as if it were created).
func (s *stack) conditionHolds(r *resource, c *node) bool {
	if c.kind != kindString {
		s.warnf(c.line, "Condition of %s is %s, not a condition name", r.id, c.describe())
		return true
	}
	switch s.ev.condition(c.str, c.line) {
	case triFalse:
		s.warnf(r.line, "%s is not created: its condition %s is false with the parameters' defaults", r.id, c.str)
		return false
	case triUnknown:
		if isFunctionType(r.typ) {
			s.warnf(r.line, "%s is created only when condition %s holds, which cannot be evaluated locally: audited as if it were", r.id, c.str)
		}
	}
	return true
}

// isSAM says whether the template declares the SAM transform.
func (s *stack) isSAM() bool {
	t := s.root.get("Transform")
	if t == nil {
		return false
	}
	if t.kind == kindString {
		return t.str == samTransform
	}
	if t.kind == kindList {
		return slices.ContainsFunc(t.list, func(n *node) bool { return n.kind == kindString && n.str == samTransform })
	}
	return false
}

const samTransform = "AWS::Serverless-2016-10-31"

// typeOf returns the type of a resource of this stack, or "".
func (s *stack) typeOf(id string) string {
	if r := s.resources[id]; r != nil {
		return r.typ
	}
	return ""
}

// firstRefOfType returns the first resource an evaluated value refers to
// whose type is one of types.
func (s *stack) firstRefOfType(v *node, types ...string) *resource {
	if v == nil {
		return nil
	}
	for _, id := range v.refs {
		if r := s.resources[id]; r != nil && slices.Contains(types, r.typ) {
			return r
		}
	}
	return nil
}

func isFunctionType(t string) bool {
	return t == typeSAMFunction || t == typeLambdaFunction
}

// Resource types read by the loaders.
const (
	typeSAMFunction    = "AWS::Serverless::Function"
	typeSAMLayer       = "AWS::Serverless::LayerVersion"
	typeSAMApi         = "AWS::Serverless::Api"
	typeSAMHttpApi     = "AWS::Serverless::HttpApi"
	typeSAMApplication = "AWS::Serverless::Application"
	typeLambdaFunction = "AWS::Lambda::Function"
	typeLambdaLayer    = "AWS::Lambda::LayerVersion"
	typeLambdaURL      = "AWS::Lambda::Url"
	typeLambdaPerm     = "AWS::Lambda::Permission"
	typeLambdaESM      = "AWS::Lambda::EventSourceMapping"
	typeLambdaAlias    = "AWS::Lambda::Alias"
	typeLambdaVersion  = "AWS::Lambda::Version"
	typeRestAPI        = "AWS::ApiGateway::RestApi"
	typeRestResource   = "AWS::ApiGateway::Resource"
	typeRestMethod     = "AWS::ApiGateway::Method"
	typeRestAuthorizer = "AWS::ApiGateway::Authorizer"
	typeV2API          = "AWS::ApiGatewayV2::Api"
	typeV2Route        = "AWS::ApiGatewayV2::Route"
	typeV2Integration  = "AWS::ApiGatewayV2::Integration"
	typeIAMRole        = "AWS::IAM::Role"
	typeIAMPolicy      = "AWS::IAM::Policy"
	typeIAMManaged     = "AWS::IAM::ManagedPolicy"
	typeIAMRolePolicy  = "AWS::IAM::RolePolicy"
	typeNestedStack    = "AWS::CloudFormation::Stack"
	typeTargetGroup    = "AWS::ElasticLoadBalancingV2::TargetGroup"
	typeListener       = "AWS::ElasticLoadBalancingV2::Listener"
	typeListenerRule   = "AWS::ElasticLoadBalancingV2::ListenerRule"
	typeLoadBalancer   = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	typeEventsRule     = "AWS::Events::Rule"
	typeSQSQueue       = "AWS::SQS::Queue"
	typeKinesisStream  = "AWS::Kinesis::Stream"
	typeDynamoDBTable  = "AWS::DynamoDB::Table"
	typeMSKCluster     = "AWS::MSK::Cluster"
	typeMSKServerless  = "AWS::MSK::ServerlessCluster"
	typeMQBroker       = "AWS::AmazonMQ::Broker"
	typeDocDBCluster   = "AWS::DocDB::DBCluster"
)
