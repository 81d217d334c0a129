package serverless

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/iam"
)

// defaultRole is the logical id of the role the framework creates for the
// service's functions.
const defaultRole = "IamRoleLambdaExecution"

// stack is a set of CloudFormation resources by logical id, with the tree
// they were read from.
type stack struct {
	name string // what it is, for caching the roles read from it
	t    *tree
	byID map[string]*yaml.Node
	ids  []string // in file order
	// attached lists, by role logical id, the policy documents of the
	// AWS::IAM::Policy and ManagedPolicy resources attached to the role.
	attached map[string][]*yaml.Node
}

// newStack reads a Resources mapping.
func newStack(name string, t *tree, resources *yaml.Node) *stack {
	st := &stack{name: name, t: t, byID: map[string]*yaml.Node{}}
	st.add(resources)
	return st
}

func (st *stack) add(resources *yaml.Node) {
	for _, p := range st.t.pairs(resources) {
		if _, dup := st.byID[p.key]; !dup {
			st.ids = append(st.ids, p.key)
		}
		st.byID[p.key] = p.v
	}
}

// resource returns a resource's type and properties.
func (st *stack) resource(id string) (typ string, props *yaml.Node, ok bool) {
	if st == nil {
		return "", nil, false
	}
	r, ok := st.byID[id]
	if !ok {
		return "", nil, false
	}
	return st.t.text(st.t.get(r, "Type")), st.t.get(r, "Properties"), true
}

// userResources reads the service's `resources`: a mapping with
// Resources, or a list of them (merged in order).
func (s *service) userResources(res *yaml.Node) *stack {
	st := &stack{name: "resources", t: s.t, byID: map[string]*yaml.Node{}}
	if s.t.isSeq(res) {
		for _, item := range s.t.items(res) {
			st.add(s.t.get(item, "Resources"))
		}
		return st
	}
	st.add(s.t.get(res, "Resources"))
	return st
}

// role rates a function's execution role. In order: the role the
// compiled template gives the function (state only), the function's own
// `role`, a per-function role from `iamRoleStatements` (the
// serverless-iam-roles-per-function plugin), the provider's role.
func (s *service) role(e fnEntry, body *yaml.Node) bundle.Role {
	if r, ok := s.compiledRole(e.name); ok {
		return r
	}
	if _, v := s.t.entry(body, "role"); v != nil {
		return s.roleRefIn(v, s.resources)
	}
	if _, v := s.t.entry(body, "iamRoleStatements"); v != nil {
		return s.perFunctionRole(e, body, v)
	}
	return s.providerRole()
}

// rated rates a policy.
func rated(name string, p iam.Policy) bundle.Role {
	priv, reasons := iam.Rate(p)
	return bundle.Role{Name: name, Privilege: priv, Reasons: reasons}
}

// compiledRole reads the role of a function from the compiled template
// of a packaged service: what will really be deployed, with the
// framework's own additions (log and event source permissions).
func (s *service) compiledRole(fn string) (bundle.Role, bool) {
	_, props, ok := s.compiled.resource(normalizedName(fn) + "LambdaFunction")
	if !ok {
		return bundle.Role{}, false
	}
	_, v := s.compiled.t.entry(props, "Role")
	if v == nil {
		return bundle.Role{}, false
	}
	return s.roleRefIn(v, s.compiled), true
}

// roleRefIn rates a role given as a logical id, !GetAtt X.Arn, or an ARN,
// looking logical ids up in st.
func (s *service) roleRefIn(v *yaml.Node, st *stack) bundle.Role {
	t := st.t
	if id, ok := t.logicalRef(v); ok {
		return s.logicalRole(id, st)
	}
	str, unres := t.str(v)
	switch {
	case unres != "":
		s.notes.add(st.at(v), "role %s is unresolved: privilege unknown", unres)
		return bundle.Role{Name: str, Privilege: bundle.PrivilegeUnknown, Reasons: []string{"role " + unres + " is unresolved"}}
	case strings.HasPrefix(str, "arn:"):
		return rated(str, iam.Policy{Unknown: "role " + str + " is defined outside this service: its policies cannot be read locally"})
	case str != "":
		return s.logicalRole(str, st)
	}
	what := t.describe(v)
	return bundle.Role{Name: what, Privilege: bundle.PrivilegeUnknown, Reasons: []string{"role " + what + " cannot be resolved locally"}}
}

// logicalRole rates a role defined in a stack's resources (once per role).
func (s *service) logicalRole(id string, st *stack) bundle.Role {
	if id == defaultRole && !st.has(id) {
		return s.providerRole()
	}
	key := st.name + "/" + id
	r, ok := s.roles[key]
	if !ok {
		r = s.readLogicalRole(id, st)
		s.roles[key] = r
	}
	return shared(r)
}

// shared copies a cached role for one more function: functions must not
// share the backing array of their reasons.
func shared(r bundle.Role) bundle.Role {
	r.Reasons = slices.Clone(r.Reasons)
	return r
}

func (s *service) readLogicalRole(id string, st *stack) bundle.Role {
	typ, props, ok := st.resource(id)
	switch {
	case !ok:
		return rated(id, iam.Policy{Unknown: "role " + id + " is not defined in resources.Resources"})
	case typ != "AWS::IAM::Role":
		return rated(id, iam.Policy{Unknown: fmt.Sprintf("role %s is a %s, not an AWS::IAM::Role", id, typ)})
	}
	p := s.rolePolicy(props, st)
	s.addAttached(&p, id, st)
	return rated(id, p)
}

func (st *stack) has(id string) bool {
	_, ok := st.byID[id]
	return ok
}

// rolePolicy reads an AWS::IAM::Role's Policies and ManagedPolicyArns.
func (s *service) rolePolicy(props *yaml.Node, st *stack) iam.Policy {
	var p iam.Policy
	for _, pol := range st.t.items(st.t.get(props, "Policies")) {
		s.addDocument(&p, st.t.get(pol, "PolicyDocument"), st)
	}
	s.addManaged(&p, st.t.get(props, "ManagedPolicyArns"), st)
	return p
}

// addAttached adds the AWS::IAM::Policy and AWS::IAM::ManagedPolicy
// resources of the stack that attach themselves to role id (Roles: [!Ref id]).
func (s *service) addAttached(p *iam.Policy, id string, st *stack) {
	if st.attached == nil {
		st.indexAttached()
	}
	for _, doc := range st.attached[id] {
		s.addDocument(p, doc, st)
	}
}

// indexAttached finds, once, the policies attached to each role.
func (st *stack) indexAttached() {
	st.attached = map[string][]*yaml.Node{}
	for _, rid := range st.ids {
		typ, props, _ := st.resource(rid)
		if typ != "AWS::IAM::Policy" && typ != "AWS::IAM::ManagedPolicy" {
			continue
		}
		seen := map[string]bool{}
		for _, r := range st.t.items(st.t.get(props, "Roles")) {
			if ref, ok := st.t.logicalRef(r); ok && !seen[ref] {
				seen[ref] = true
				st.attached[ref] = append(st.attached[ref], st.t.get(props, "PolicyDocument"))
			}
		}
	}
}

// addDocument adds a policy document's statements.
func (s *service) addDocument(p *iam.Policy, doc *yaml.Node, st *stack) {
	if doc == nil {
		return
	}
	stmts, err := iam.ParseDocument(readable(st.t.toAny(doc)))
	if err != nil {
		s.unreadable(p, doc, st, err)
		return
	}
	s.addStatements(p, stmts, doc, st)
}

// addStatementList adds a list of statements (provider.iam.role.statements,
// iamRoleStatements).
func (s *service) addStatementList(p *iam.Policy, list *yaml.Node, st *stack) {
	if list == nil {
		return
	}
	if _, unres := st.t.str(list); unres != "" {
		reason := fmt.Sprintf("statements %s are not read", unres)
		s.notes.add(st.at(list), "IAM %s: privilege unknown", reason)
		p.Unknown = reason
		return
	}
	stmts, err := iam.ParseStatements(readable(st.t.toAny(list)))
	if err != nil {
		s.unreadable(p, list, st, err)
		return
	}
	s.addStatements(p, stmts, list, st)
}

func (s *service) unreadable(p *iam.Policy, n *yaml.Node, st *stack, err error) {
	loc := st.at(n)
	s.notes.add(loc, "IAM policy cannot be read: %v", err)
	p.Unknown = fmt.Sprintf("policy at %s:%d cannot be read", loc.File, loc.Line)
}

// addStatements adds parsed statements; an action or resource that is
// wholly an unresolved variable could be anything, "*" included, and
// makes the role's rating unknown unless something else already makes it
// broad or admin.
func (s *service) addStatements(p *iam.Policy, stmts []iam.Statement, n *yaml.Node, st *stack) {
	for _, stmt := range stmts {
		for _, v := range append(append(append([]string(nil), stmt.Actions...), stmt.NotActions...), stmt.Resources...) {
			if _, whole := wholeVariable(v); whole && st.t.vars != nil {
				s.notes.add(st.at(n), "IAM statement uses unresolved %s: privilege unknown", v)
				p.Unknown = "IAM statement uses unresolved " + v
			}
		}
	}
	p.Statements = append(p.Statements, stmts...)
}

// addManaged adds managed policies: names or ARNs (Fn::Join / Fn::Sub of
// pseudo parameters included), or !Ref to an AWS::IAM::ManagedPolicy of
// the stack, whose document is read.
func (s *service) addManaged(p *iam.Policy, list *yaml.Node, st *stack) {
	for _, item := range st.t.items(list) {
		if id, ok := st.t.logicalRef(item); ok {
			if typ, props, found := st.resource(id); found && typ == "AWS::IAM::ManagedPolicy" {
				s.addDocument(p, st.t.get(props, "PolicyDocument"), st)
				continue
			}
		}
		if arn, ok := cfString(st.t.toAny(item)); ok {
			if _, whole := wholeVariable(arn); whole && st.t.vars != nil {
				p.Unknown = "managed policy " + arn + " is unresolved"
				continue
			}
			p.Managed = append(p.Managed, arn)
			continue
		}
		p.Unknown = "managed policy " + st.t.describe(item) + " cannot be resolved locally"
	}
}

// at is a location in the stack's file.
func (st *stack) at(n *yaml.Node) bundle.Location {
	return bundle.Location{File: st.t.file, Line: line(n)}
}

// readable rewrites the CloudFormation intrinsics of a policy into
// strings, so that ratings can name them ("dynamodb:* on !GetAtt
// CartsTable.Arn"): flattenable ones into their value (which may well be
// "*"), the others into their short form, which is never "*".
func readable(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = readable(e)
		}
		return out
	case map[string]any:
		if s, ok := intrinsicText(x); ok {
			return s
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = readable(e)
		}
		return out
	}
	return v
}

// intrinsicText renders a one-key intrinsic ({"Fn::GetAtt": [X, Arn]}).
func intrinsicText(m map[string]any) (string, bool) {
	if len(m) != 1 {
		return "", false
	}
	if s, ok := cfString(m); ok {
		return s, true
	}
	for k, arg := range m {
		switch {
		case k == "Ref":
			return "!Ref " + argText(arg, ""), true
		case k == "Fn::GetAtt":
			return "!GetAtt " + argText(arg, "."), true
		case strings.HasPrefix(k, "Fn::"):
			return "!" + strings.TrimPrefix(k, "Fn::") + " " + compact(arg), true
		}
	}
	return "", false
}

// argText renders an intrinsic's argument: a string as it is, a list of
// strings joined by sep, anything else as JSON.
func argText(arg any, sep string) string {
	switch x := arg.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			s, ok := p.(string)
			if !ok {
				return compact(arg)
			}
			parts = append(parts, s)
		}
		if sep != "" {
			return strings.Join(parts, sep)
		}
	}
	return compact(arg)
}

// cfString flattens a CloudFormation string value: a string, Fn::Join of
// flattenable parts, Fn::Sub, or a Ref to AWS::Partition / AWS::Region /
// AWS::URLSuffix (enough to read managed policy ARNs). Other references
// cannot be flattened.
func cfString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case map[string]any:
		if len(x) != 1 {
			return "", false
		}
		if ref, ok := x["Ref"].(string); ok {
			return pseudoParam(ref)
		}
		if sub, ok := x["Fn::Sub"].(string); ok {
			return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::URLSuffix}", "amazonaws.com").Replace(sub), true
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
			return cfJoin(join)
		}
	}
	return "", false
}

func cfJoin(join []any) (string, bool) {
	sep, ok := join[0].(string)
	parts, ok2 := join[1].([]any)
	if !ok || !ok2 {
		return "", false
	}
	out := make([]string, 0, len(parts))
	for _, part := range parts {
		s, ok := cfString(part)
		if !ok {
			return "", false
		}
		out = append(out, s)
	}
	return strings.Join(out, sep), true
}

func pseudoParam(ref string) (string, bool) {
	switch ref {
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

// providerRole rates the service's shared role: provider.iam.role (v3;
// a mapping of statements and managed policies, or an existing role's
// name or ARN), provider.role (v1/v2 existing role),
// provider.iamRoleStatements and provider.iamManagedPolicies (v2), plus
// what the framework always grants (writing the functions' logs).
func (s *service) providerRole() bundle.Role {
	r, ok := s.roles[defaultRole]
	if !ok {
		r = s.readProviderRole()
		s.roles[defaultRole] = r
	}
	return shared(r)
}

func (s *service) readProviderRole() bundle.Role {
	t := s.t
	iamNode := t.get(s.provider, "iam")
	_, roleV := t.entry(iamNode, "role")
	if roleV != nil && !t.isMap(roleV) {
		return s.roleRefIn(roleV, s.resources)
	}
	if _, legacy := t.entry(s.provider, "role"); legacy != nil {
		return s.roleRefIn(legacy, s.resources)
	}
	p := s.providerPolicy()
	s.addDefaults(&p)
	s.addAttached(&p, defaultRole, s.resources)
	name := t.text(t.get(roleV, "name"))
	if name == "" {
		name = defaultRole
	}
	return rated(name, p)
}

// providerPolicy is what the provider section grants (without the
// framework's defaults).
func (s *service) providerPolicy() iam.Policy {
	t := s.t
	var p iam.Policy
	role := t.get(s.provider, "iam", "role")
	st := s.resources
	_, list := t.entry(role, "statements")
	s.addStatementList(&p, list, st)
	_, list = t.entry(s.provider, "iamRoleStatements")
	s.addStatementList(&p, list, st)
	s.addManaged(&p, t.get(role, "managedPolicies"), st)
	s.addManaged(&p, t.get(s.provider, "iamManagedPolicies"), st)
	return p
}

// addDefaults adds what the framework grants every role it creates: its
// functions' log groups, and VPC access when a VPC is configured.
func (s *service) addDefaults(p *iam.Policy) {
	logs := "arn:aws:logs:*:*:log-group:/aws/lambda/*:*"
	p.Statements = append(p.Statements, iam.Statement{
		Effect:    "Allow",
		Actions:   []string{"logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource", "logs:PutLogEvents"},
		Resources: []string{logs},
	})
	if s.t.get(s.provider, "vpc") != nil {
		p.Managed = append(p.Managed, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
	}
}

// perFunctionRole rates the role the serverless-iam-roles-per-function
// plugin creates for a function with iamRoleStatements: those statements,
// plus the provider's when iamRoleStatementsInherit (or the plugin's
// defaultInherit) is set, plus the framework's defaults.
func (s *service) perFunctionRole(e fnEntry, body, list *yaml.Node) bundle.Role {
	var p iam.Policy
	s.addStatementList(&p, list, s.resources)
	s.addManaged(&p, s.t.get(body, "iamManagedPolicies"), s.resources)
	inherit, known, _ := s.t.boolean(s.t.get(body, "iamRoleStatementsInherit"))
	if !known {
		inherit, _, _ = s.t.boolean(s.t.get(s.custom, "serverless-iam-roles-per-function", "defaultInherit"))
	}
	if inherit {
		pp := s.providerPolicy()
		p.Statements = append(p.Statements, pp.Statements...)
		p.Managed = append(p.Managed, pp.Managed...)
		if p.Unknown == "" {
			p.Unknown = pp.Unknown
		}
	}
	s.addDefaults(&p)
	return rated(normalizedName(e.name)+defaultRole, p)
}
