package cloudformation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/iam"
)

// basicExecution is the managed policy SAM gives every role it creates.
const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// roleParts is what a role is made of, with notes that explain a scoped
// rating (policy templates fnaudit does not know).
type roleParts struct {
	policy iam.Policy
	notes  []string
}

func (p *roleParts) unknown(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.policy.Unknown == "" {
		p.policy.Unknown = msg
	} else if !strings.Contains(p.policy.Unknown, msg) {
		p.policy.Unknown += "; " + msg
	}
}

// rate rates the parts as a named role.
func (p *roleParts) rate(name string) bundle.Role {
	if len(p.policy.Statements) == 0 && len(p.policy.Managed) == 0 && p.policy.Unknown == "" && len(p.notes) > 0 {
		return bundle.Role{Name: name, Privilege: bundle.PrivilegeScoped, Reasons: p.notes}
	}
	level, reasons := iam.Rate(p.policy)
	if level == bundle.PrivilegeScoped {
		reasons = append(reasons, p.notes...)
	}
	return bundle.Role{Name: name, Privilege: level, Reasons: reasons}
}

// samRole rates a SAM function's role: Role when given (SAM then ignores
// Policies), else the role SAM creates: AWSLambdaBasicExecutionRole, the
// Policies, and what event sources and tracing add.
func (b *builder) samRole(r *resource, props *node) bundle.Role {
	if raw := props.get("Role"); raw != nil {
		return b.roleOf(r.id, raw, props.keyLine("Role"))
	}
	var parts roleParts
	parts.policy.Managed = append(parts.policy.Managed, basicExecution)
	if strings.EqualFold(b.str(props.get("Tracing")), "Active") {
		parts.policy.Managed = append(parts.policy.Managed, "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess")
	}
	if raw := props.get("Policies"); raw != nil {
		b.samPolicies(&parts, raw)
	}
	return parts.rate(r.id + "Role")
}

// samPolicies reads Policies: a managed policy name or ARN, an inline
// policy document, or a list of those and of SAM policy templates.
func (b *builder) samPolicies(parts *roleParts, raw *node) {
	items := []*node{raw}
	if raw.kind == kindList {
		items = raw.list
	}
	for _, item := range items {
		switch {
		case item.kind == kindMap && item.intrinsicName() == "":
			if item.get("Statement") != nil {
				b.document(parts, item)
				continue
			}
			if len(item.fields) == 1 {
				b.policyTemplate(parts, item.fields[0].key, item.fields[0].val, item.fields[0].line)
				continue
			}
			b.s.warnf(item.line, "a policy of Policies is a mapping that is neither a policy document nor a policy template")
			parts.unknown("a policy at %s could not be read", b.s.where(item.line))
		default:
			b.managed(parts, item)
		}
	}
}

// managed reads a managed policy reference: a name or ARN, or a Ref to an
// AWS::IAM::ManagedPolicy of the template (whose statements are read).
func (b *builder) managed(parts *roleParts, raw *node) {
	v := b.s.ev.eval(raw)
	if r := b.s.firstRefOfType(v, typeIAMManaged); r != nil {
		b.document(parts, r.props.get("PolicyDocument"))
		return
	}
	switch {
	case v.kind == kindString:
		parts.policy.Managed = append(parts.policy.Managed, v.str)
	case v.kind == kindUnresolved && strings.Contains(v.str, ":policy/"):
		// arn:${AWS::Partition}:iam::aws:policy/X names its policy all the same.
		parts.policy.Managed = append(parts.policy.Managed, v.str)
	case v.kind == kindUnresolved:
		b.warnUnresolved(raw.line, "a managed policy", v)
		parts.unknown("managed policy %s is unresolved (%s)", v.str, b.s.where(raw.line))
	default:
		b.s.warnf(raw.line, "a managed policy is %s, not a name or ARN", v.describe())
		parts.unknown("a managed policy at %s could not be read", b.s.where(raw.line))
	}
}

// document reads a policy document's statements.
func (b *builder) document(parts *roleParts, raw *node) {
	if raw == nil {
		return
	}
	stmts, err := iam.ParseDocument(toAny(b.s.ev.eval(raw), 0))
	if err != nil {
		b.s.warnf(raw.line, "policy document: %s", lowerFirst(err.Error()))
		parts.unknown("a policy document at %s could not be read", b.s.where(raw.line))
		return
	}
	parts.policy.Statements = append(parts.policy.Statements, stmts...)
}

// toAny converts an evaluated value to the decoded-JSON form package iam
// reads. An unresolved value becomes its rendering, which is never "*";
// an unresolved Fn::If becomes both of its branches, so that the rating
// reads the wider.
func toAny(v *node, depth int) any {
	if v == nil || depth > maxDepth {
		return nil
	}
	switch v.kind {
	case kindString:
		return v.str
	case kindList:
		out := make([]any, 0, len(v.list))
		for _, item := range v.list {
			out = append(out, toAny(item, depth+1))
		}
		return out
	case kindMap:
		out := make(map[string]any, len(v.fields))
		for _, f := range v.fields {
			out[f.key] = toAny(f.val, depth+1)
		}
		return out
	case kindUnresolved:
		if len(v.list) > 0 {
			return toAny(&node{kind: kindList, list: v.list}, depth+1)
		}
		return "(unresolved " + v.str + ")"
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// roleOf rates the role a function names with Role: an AWS::IAM::Role of
// the template (GetAtt/Ref/Sub), else an ARN of a role defined elsewhere
// (unknown).
func (b *builder) roleOf(fnID string, raw *node, line int) bundle.Role {
	if raw == nil {
		b.s.warnf(line, "%s has no Role", fnID)
		return bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{"the function has no Role"}}
	}
	v := b.s.ev.eval(raw)
	if r := b.s.firstRefOfType(v, typeIAMRole); r != nil {
		if role, ok := b.roles[r.id]; ok {
			return role
		}
		role := b.iamRole(r)
		b.roles[r.id] = role
		return role
	}
	if v.kind == kindUnresolved {
		b.warnUnresolved(line, "Role of "+fnID, v)
		return bundle.Role{Name: v.str, Privilege: bundle.PrivilegeUnknown,
			Reasons: []string{fmt.Sprintf("role %s is unresolved (%s)", v.str, b.s.where(line))}}
	}
	name := display(v)
	if _, after, ok := strings.Cut(name, ":role/"); ok {
		name = after
	}
	return bundle.Role{Name: name, Privilege: bundle.PrivilegeUnknown,
		Reasons: []string{"role " + display(v) + " is not defined in this template"}}
}

// iamRole rates an AWS::IAM::Role: its inline Policies, its
// ManagedPolicyArns, and the policies attached to it by other resources.
// AssumeRolePolicyDocument says who may assume the role, not what it may
// do: it is not read.
func (b *builder) iamRole(r *resource) bundle.Role {
	var parts roleParts
	if pols := b.s.ev.eval(r.props.get("Policies")); pols != nil && pols.kind == kindList {
		for _, p := range pols.list {
			if doc := p.get("PolicyDocument"); doc != nil {
				b.document(&parts, doc)
			}
		}
	}
	if arns := r.props.get("ManagedPolicyArns"); arns != nil {
		v := b.s.ev.eval(arns)
		if v.kind == kindList {
			for _, item := range v.list {
				b.managed(&parts, item)
			}
		} else {
			b.warnUnresolved(arns.line, "ManagedPolicyArns of "+r.id, v)
			parts.unknown("the managed policies of %s are unresolved", r.id)
		}
	}
	for _, p := range b.attached[r.id] {
		b.document(&parts, p.props.get("PolicyDocument"))
	}
	return parts.rate(r.id)
}

// indexAttachments finds the AWS::IAM::Policy, ManagedPolicy and
// RolePolicy resources attached to roles of the template (Roles: [Ref
// role] or RoleName).
func (b *builder) indexAttachments() {
	b.attached = map[string][]*resource{}
	b.roleNames = map[string][]string{}
	for _, r := range b.s.order {
		if r.typ != typeIAMRole {
			continue
		}
		if name := b.str(r.props.get("RoleName")); name != "" {
			b.roleNames[name] = append(b.roleNames[name], r.id)
		}
	}
	for _, p := range b.s.order {
		var refs []string
		switch p.typ {
		case typeIAMPolicy, typeIAMManaged:
			refs = refsOf(b.s.ev.eval(p.props.get("Roles")), 0)
			refs = append(refs, b.rolesByName(b.s.ev.eval(p.props.get("Roles")))...)
		case typeIAMRolePolicy:
			v := b.s.ev.eval(p.props.get("RoleName"))
			refs = append(refsOf(v, 0), b.rolesByName(v)...)
		default:
			continue
		}
		for _, id := range refs {
			if b.s.typeOf(id) == typeIAMRole && !slices.Contains(b.attached[id], p) {
				b.attached[id] = append(b.attached[id], p)
			}
		}
	}
}

// rolesByName returns the roles whose literal RoleName is one of the
// strings of v.
func (b *builder) rolesByName(v *node) []string {
	var names []string
	if v != nil && v.kind == kindString {
		names = append(names, v.str)
	}
	if v != nil {
		for _, item := range v.list {
			if item.kind == kindString && len(item.refs) == 0 {
				names = append(names, item.str)
			}
		}
	}
	var out []string
	for _, n := range names {
		out = append(out, b.roleNames[n]...)
	}
	return out
}
