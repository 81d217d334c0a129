package terraform

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/bundle/iam"
)

// roleRef is an execution role a function names: a resource of the plan
// (an aws_iam_role, or a data.aws_iam_role read from the account) or only
// an ARN.
type roleRef struct {
	res  *resource
	name string
	arn  string
}

// awsRole rates the execution role of a Lambda function. Roles are rated
// once and shared through cache.
func (p *plan) awsRole(f *function, cache map[string]bundle.Role) bundle.Role {
	ref, ok := p.roleOf(f.res)
	if !ok {
		return bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{"the role is only known after apply"}}
	}
	key := ref.name + "|" + ref.arn
	if ref.res != nil {
		key = ref.res.addr
	}
	if role, ok := cache[key]; ok {
		return role
	}
	pol := p.rolePolicy(ref)
	priv, reasons := iam.Rate(pol)
	role := bundle.Role{Name: ref.name, Privilege: priv, Reasons: reasons}
	cache[key] = role
	return role
}

// roleOf finds the role attribute of a function: through its reference, or
// by ARN or name.
func (p *plan) roleOf(r *resource) (roleRef, bool) {
	arn, st := p.str(r, "role")
	roles := p.typed(p.refsOf(r, "role"), "aws_iam_role")
	if len(roles) == 0 && arn != "" {
		roles = p.withAttr("aws_iam_role", "arn", arn)
		if len(roles) == 0 {
			roles = p.withAttr("aws_iam_role", "name", roleName(arn))
		}
	}
	if len(roles) > 0 {
		ref := roleRef{res: roles[0], arn: arn}
		ref.name, _ = p.str(roles[0], "name")
		if ref.name == "" {
			ref.name = roles[0].addr
		}
		return ref, true
	}
	if arn != "" {
		return roleRef{name: roleName(arn), arn: arn}, true
	}
	if role := p.onlyRole(r); role != nil && st == unknown {
		p.warn(r, "role is only known after apply and no configuration reference resolves it (a local value?): taken to be %s, the only role of its module", role.addr)
		ref := roleRef{res: role}
		ref.name = p.nameOr(role, "name")
		return ref, true
	}
	if st == unknown {
		p.warn(r, "role is only known after apply and no configuration reference names an aws_iam_role: privilege unknown")
	} else {
		p.warn(r, "the function names no role: privilege unknown")
	}
	return roleRef{}, false
}

// roleName returns the role name of a role ARN (arn:aws:iam::1:role/path/NAME).
func roleName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":role/"); ok {
		return path.Base(rest)
	}
	return arn
}

// rolePolicy gathers what a role is made of: its inline policies and
// managed policy ARNs, and the aws_iam_role_policy,
// aws_iam_role_policy_attachment and aws_iam_policy_attachment resources of
// the plan that name it.
func (p *plan) rolePolicy(ref roleRef) iam.Policy {
	var pol iam.Policy
	var unknowns []string
	add := func(stmts []iam.Statement, why string) {
		pol.Statements = append(pol.Statements, stmts...)
		if why != "" {
			unknowns = append(unknowns, why)
		}
	}
	switch {
	case ref.res == nil:
		unknowns = append(unknowns, fmt.Sprintf("role %s is not defined in the plan", ref.arn))
	case ref.res.mode == "data":
		unknowns = append(unknowns, fmt.Sprintf("role %s is read from the account (%s), its policies are not in the plan", ref.name, ref.res.addr))
	default:
		for i := range p.blocks(ref.res, "inline_policy") {
			add(p.document(ref.res, "inline_policy", i, "policy"))
		}
		p.managedARNs(ref.res, &pol, add)
	}
	for _, g := range p.grantsOf(ref) {
		if g.typ == "aws_iam_role_policy" {
			add(p.document(g, "policy"))
			continue
		}
		p.attachedPolicy(g, "policy_arn", &pol, add)
	}
	if len(unknowns) > 0 {
		pol.Unknown = strings.Join(unknowns, "; ")
	}
	return pol
}

// grantIndex maps roles to the resources that give them policies
// (aws_iam_role_policy, aws_iam_role_policy_attachment,
// aws_iam_policy_attachment): by reference to the role resource, and by role
// name.
type grantIndex struct {
	byRole map[*resource][]*resource
	byName map[string][]*resource
}

// grantsOf returns the resources that give a role policies, in address
// order, each once.
func (p *plan) grantsOf(ref roleRef) []*resource {
	if p.grants == nil {
		p.grants = p.indexGrants()
	}
	var list []*resource
	if ref.res != nil {
		list = append(list, p.grants.byRole[ref.res]...)
	}
	for _, n := range []string{ref.name, roleName(ref.arn)} {
		if n != "" {
			list = append(list, p.grants.byName[n]...)
		}
	}
	slices.SortFunc(list, func(a, b *resource) int { return strings.Compare(a.addr, b.addr) })
	return slices.Compact(list)
}

// indexGrants builds the grant index.
func (p *plan) indexGrants() *grantIndex {
	g := &grantIndex{byRole: map[*resource][]*resource{}, byName: map[string][]*resource{}}
	for _, typ := range []string{"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"} {
		for _, r := range p.byType[typ] {
			if r.mode != "managed" {
				continue
			}
			attr := "role"
			if typ == "aws_iam_policy_attachment" {
				attr = "roles"
			}
			for _, role := range p.typed(p.refsOf(r, attr), "aws_iam_role") {
				g.byRole[role] = append(g.byRole[role], r)
			}
			v, _ := r.get(attr)
			names := stringsOf(v)
			if s, ok := v.(string); ok {
				names = []string{s}
			}
			for _, n := range names {
				if n != "" {
					g.byName[roleName(n)] = append(g.byName[roleName(n)], r)
				}
			}
			if typ != "aws_iam_policy_attachment" {
				if role := p.impliedRole(r, attr); role != nil {
					g.byRole[role] = append(g.byRole[role], r)
				}
			}
		}
	}
	return g
}

// impliedRole returns the role a policy resource that does not say which
// role it is for (role not set, or only known after apply through no
// reference that resolves, such as a local value) is taken to belong to:
// the only aws_iam_role of its module, else the one with the policy
// resource's name. It is nil when the policy says, or when no role fits.
func (p *plan) impliedRole(r *resource, attr string) *resource {
	if _, st := r.get(attr); st == known || len(p.refsOf(r, attr)) > 0 {
		return nil
	}
	role := p.onlyRole(r)
	for _, x := range p.byType["aws_iam_role"] {
		if role == nil && x.mode == "managed" && x.module == r.module && x.name == r.name && x.key == r.key {
			role = x
		}
	}
	const why = "%s is not set, or only known after apply and no configuration reference resolves it"
	if role == nil {
		p.warn(r, why+": the policy is not attributed", attr)
		return nil
	}
	p.warn(r, why+": taken to be %s", attr, role.addr)
	return role
}

// onlyRole returns the aws_iam_role of r's module instance when there is
// exactly one.
func (p *plan) onlyRole(r *resource) *resource {
	var found *resource
	for _, role := range p.byType["aws_iam_role"] {
		if role.mode != "managed" || role.module != r.module {
			continue
		}
		if found != nil {
			return nil
		}
		found = role
	}
	return found
}

// managedARNs reads a role's managed_policy_arns.
func (p *plan) managedARNs(role *resource, pol *iam.Policy, add func([]iam.Statement, string)) {
	arns, st := p.strs(role, "managed_policy_arns")
	for _, arn := range arns {
		p.policyByARN(role, arn, pol, add)
	}
	if st != unknown || !role.hasExpr("managed_policy_arns") {
		return
	}
	refs := p.typed(p.refsOf(role, "managed_policy_arns"), "aws_iam_policy")
	for _, t := range refs {
		add(p.document(t, "policy"))
	}
	if len(refs) == 0 {
		p.warn(role, "managed_policy_arns is only known after apply")
		add(nil, fmt.Sprintf("managed policies of %s are only known after apply", role.addr))
	}
}

// attachedPolicy reads the policy an attachment attaches.
func (p *plan) attachedPolicy(a *resource, attr string, pol *iam.Policy, add func([]iam.Statement, string)) {
	if arn, st := p.str(a, attr); st == known && arn != "" {
		p.policyByARN(a, arn, pol, add)
		return
	}
	if policies := p.typed(p.refsOf(a, attr), "aws_iam_policy"); len(policies) > 0 {
		t := policies[0] // one policy_arn, one policy
		if arn, _ := p.str(t, "arn"); isAWSManaged(arn) {
			pol.Managed = append(pol.Managed, arn)
			return
		}
		add(p.document(t, "policy"))
		return
	}
	p.warn(a, "%s is only known after apply and no configuration reference names an aws_iam_policy", attr)
	add(nil, fmt.Sprintf("the policy %s attaches is only known after apply", a.addr))
}

// isAWSManaged says whether a policy ARN is an AWS managed policy.
func isAWSManaged(arn string) bool {
	return strings.HasPrefix(arn, "arn:aws") && strings.Contains(arn, ":iam::aws:policy/")
}

// policyByARN adds the policy of an ARN: an AWS managed policy by name, a
// customer policy of the plan by its document, or an unknown part.
func (p *plan) policyByARN(from *resource, arn string, pol *iam.Policy, add func([]iam.Statement, string)) {
	if isAWSManaged(arn) {
		pol.Managed = append(pol.Managed, arn)
		return
	}
	found := p.withAttr("aws_iam_policy", "arn", arn)
	if len(found) == 0 && strings.Contains(arn, ":policy/") {
		found = p.withAttr("aws_iam_policy", "name", path.Base(arn))
	}
	if len(found) == 0 {
		add(nil, fmt.Sprintf("policy %s is not defined in the plan", arn))
		return
	}
	add(p.document(found[0], "policy"))
}

// document reads the policy document at attr of r: a JSON string, or a
// reference to a data.aws_iam_policy_document or an aws_iam_policy. The
// reason is set when the document cannot be read.
func (p *plan) document(r *resource, attr ...step) ([]iam.Statement, string) {
	v, st := p.str(r, attr...)
	if st == known && v != "" {
		stmts, err := iam.ParseDocument(v)
		if err != nil {
			p.warn(r, "%s: %v", describe(attr), err)
			return nil, fmt.Sprintf("the policy of %s cannot be read", r.addr)
		}
		return stmts, ""
	}
	for _, t := range p.refsOf(r, attr...) {
		if stmts, ok := p.documentOf(t); ok {
			return stmts, ""
		}
	}
	if st == unknown {
		p.warn(r, "%s is only known after apply and no configuration reference gives it", describe(attr))
		return nil, fmt.Sprintf("the policy of %s is only known after apply", r.addr)
	}
	return nil, ""
}

// documentOf reads the policy of a resource a policy attribute refers to.
func (p *plan) documentOf(t *resource) ([]iam.Statement, bool) {
	attr := "policy"
	if t.typ == "aws_iam_policy_document" {
		attr = "json"
	}
	if v, st := p.str(t, attr); st == known && v != "" {
		stmts, err := iam.ParseDocument(v)
		if err != nil {
			p.warn(t, "%s: %v", attr, err)
			return nil, false
		}
		return stmts, true
	}
	if t.typ != "aws_iam_policy_document" {
		return nil, false
	}
	return p.statementBlocks(t), true
}

// statementBlocks reads the statement blocks of a data.aws_iam_policy_document
// whose json is only known after apply. Values only known after apply (the
// ARN of a resource being created) are kept as "(unknown)", which is never
// "*".
func (p *plan) statementBlocks(t *resource) []iam.Statement {
	var out []iam.Statement
	for i := range p.blocks(t, "statement") {
		effect, _ := p.str(t, "statement", i, "effect")
		s := iam.Statement{Effect: effect}
		s.Actions = p.listOrUnknown(t, "statement", i, "actions")
		s.NotActions = p.listOrUnknown(t, "statement", i, "not_actions")
		s.Resources = p.listOrUnknown(t, "statement", i, "resources")
		if not, _ := p.strs(t, "statement", i, "not_resources"); len(not) > 0 {
			s.Resources = []string{"*"} // every resource but a few
		}
		out = append(out, s)
	}
	return out
}

// listOrUnknown returns a string list with "(unknown)" standing for the
// elements only known after apply.
func (p *plan) listOrUnknown(r *resource, path ...step) []string {
	list, st := p.strs(r, path...)
	if st == unknown {
		list = append(list, "(unknown)")
	}
	return list
}
