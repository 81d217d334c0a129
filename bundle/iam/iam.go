// Package iam rates what an AWS execution role may do, from its policy
// statements and managed policies, as fnaudit's privilege levels:
//
//   - admin: any action on any resource ("*" on "*", Allow NotAction on "*"),
//     the AdministratorAccess or IAMFullAccess managed policies, or IAM
//     actions that grant permissions (iam:CreateRole, iam:PutRolePolicy,
//     iam:AttachRolePolicy, iam:PassRole, ...) on any resource: a compromised
//     function with those can make itself admin;
//   - broad: a whole service ("s3:*", "dynamodb:*") on any resource, write
//     actions on "*", or a *FullAccess / PowerUserAccess managed policy;
//   - scoped: everything else that is known;
//   - unknown: nothing is known of the role (an imported role ARN, no
//     statements at all).
//
// Deny statements are ignored: the rating is what the Allow statements make
// possible, erring towards the wider reading.
//
// Input: statements already decoded from JSON or YAML policy documents (see
// [ParseDocument]) and managed policy names or ARNs. The manifest loaders turn
// their own role syntax into these.
package iam

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// Statement is one IAM policy statement.
type Statement struct {
	Effect     string
	Actions    []string
	NotActions []string
	Resources  []string
	// NotResources, when set, means every resource but these: for the
	// rating it is as wide as "*".
	NotResources []string
}

// Policy is what a role is made of.
type Policy struct {
	Statements []Statement
	// Managed are managed policy names or ARNs
	// ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "AdministratorAccess").
	Managed []string
	// Unknown is set when part of the role cannot be read locally (an
	// imported role ARN, an unresolved policy reference); it is the reason.
	Unknown string
}

// escalation are IAM and STS actions that let their holder grant itself
// more: on "*" they are as good as admin.
var escalation = []string{
	"iam:attachgrouppolicy", "iam:attachrolepolicy", "iam:attachuserpolicy",
	"iam:createaccesskey", "iam:createloginprofile", "iam:createpolicy", "iam:createpolicyversion",
	"iam:createrole", "iam:createuser", "iam:passrole", "iam:putgrouppolicy", "iam:putrolepolicy",
	"iam:putuserpolicy", "iam:setdefaultpolicyversion", "iam:updateassumerolepolicy",
	"iam:updateloginprofile", "iam:addusertogroup", "sts:assumerole",
}

// adminManaged and broadManaged are AWS managed policies by name.
var (
	adminManaged = []string{"administratoraccess", "iamfullaccess", "administratoraccess-amplify"}
	broadManaged = []string{"poweruseraccess", "readonlyaccess"}
)

// operational are actions every function needs on "*" to run at all
// (writing its logs and traces, VPC network interfaces): granting them on
// any resource does not widen what a compromised function can reach.
var operational = []string{
	"logs:createloggroup", "logs:createlogstream", "logs:putlogevents", "logs:describelogstreams",
	"xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules", "xray:getsamplingtargets",
	"cloudwatch:putmetricdata",
	"ec2:createnetworkinterface", "ec2:deletenetworkinterface", "ec2:describenetworkinterfaces",
	"ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
}

// readPrefixes are action name prefixes that only read.
var readPrefixes = []string{"get", "list", "describe", "batchget", "query", "scan", "head", "lookup", "search", "select", "view", "check", "test"}

// Rate rates a role.
func Rate(p Policy) (bundle.Privilege, []string) {
	level, reasons := bundle.PrivilegeScoped, []string(nil)
	raise := func(l bundle.Privilege, reason string) {
		if rank(l) > rank(level) {
			level, reasons = l, nil
		}
		if l == level && !slices.Contains(reasons, reason) {
			reasons = append(reasons, reason)
		}
	}
	for _, m := range p.Managed {
		name := strings.ToLower(path.Base(m))
		switch {
		case slices.Contains(adminManaged, name):
			raise(bundle.PrivilegeAdmin, "managed policy "+path.Base(m))
		case strings.HasSuffix(name, "fullaccess") || slices.Contains(broadManaged, name):
			raise(bundle.PrivilegeBroad, "managed policy "+path.Base(m))
		}
	}
	for _, s := range p.Statements {
		if !strings.EqualFold(s.Effect, "Allow") && s.Effect != "" {
			continue
		}
		l, reason := rateStatement(s)
		if l != bundle.PrivilegeScoped {
			raise(l, reason)
		}
	}
	if level == bundle.PrivilegeScoped && len(p.Statements) == 0 && len(p.Managed) == 0 {
		if p.Unknown != "" {
			return bundle.PrivilegeUnknown, []string{p.Unknown}
		}
		return bundle.PrivilegeUnknown, nil
	}
	if level == bundle.PrivilegeScoped && p.Unknown != "" {
		// What is known is scoped, but part of the role could not be read.
		return bundle.PrivilegeUnknown, []string{p.Unknown}
	}
	return level, reasons
}

func rank(p bundle.Privilege) int {
	switch p {
	case bundle.PrivilegeAdmin:
		return 3
	case bundle.PrivilegeBroad:
		return 2
	case bundle.PrivilegeScoped:
		return 1
	}
	return 0
}

// rateStatement rates one Allow statement.
func rateStatement(s Statement) (bundle.Privilege, string) {
	anyResource := len(s.NotResources) > 0 ||
		slices.ContainsFunc(s.Resources, func(r string) bool { return r == "*" || r == "arn:aws:*:*:*:*" })
	on := "on " + strings.Join(s.Resources, ", ")
	if len(s.NotResources) > 0 {
		on = "on every resource except " + strings.Join(s.NotResources, ", ")
	}
	if len(s.NotActions) > 0 {
		if anyResource {
			return bundle.PrivilegeAdmin, fmt.Sprintf("every action except %s on *", strings.Join(s.NotActions, ", "))
		}
		return bundle.PrivilegeBroad, fmt.Sprintf("every action except %s %s", strings.Join(s.NotActions, ", "), on)
	}
	level, why := bundle.PrivilegeScoped, ""
	for _, a := range s.Actions {
		l := rateAction(strings.ToLower(a), anyResource)
		if rank(l) > rank(level) {
			level, why = l, a
		}
	}
	if level == bundle.PrivilegeScoped {
		return level, ""
	}
	return level, fmt.Sprintf("%s %s", why, on)
}

// rateAction rates one action pattern given whether the statement applies
// to any resource.
func rateAction(a string, anyResource bool) bundle.Privilege {
	if a == "*" || a == "*:*" {
		if anyResource {
			return bundle.PrivilegeAdmin
		}
		return bundle.PrivilegeBroad
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok {
		return bundle.PrivilegeScoped
	}
	if anyResource && (service == "iam" || service == "sts") && grantsEscalation(a) {
		return bundle.PrivilegeAdmin
	}
	if name == "*" {
		return bundle.PrivilegeBroad
	}
	if anyResource && !readOnly(name) && !slices.Contains(operational, a) {
		return bundle.PrivilegeBroad
	}
	return bundle.PrivilegeScoped
}

// grantsEscalation says whether an action pattern (possibly with
// wildcards, "iam:*", "iam:Put*") covers an escalation action.
func grantsEscalation(pattern string) bool {
	for _, e := range escalation {
		if ok, _ := path.Match(pattern, e); ok {
			return true
		}
	}
	return false
}

// readOnly says whether an action name (possibly a pattern) only reads.
func readOnly(name string) bool {
	for _, p := range readPrefixes {
		if strings.HasPrefix(name, p) && !strings.Contains(name, "*") {
			return true
		}
		if strings.HasPrefix(name, p) && strings.HasSuffix(name, "*") && len(name) > len(p) {
			return true // "get*", "list*"
		}
	}
	return false
}
