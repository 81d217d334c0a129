package sarif

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
)

// buildResult makes the result of one finding of one function.
func buildResult(r *reports.Report, o occurrence, ruleIndex int) *gosarif.Result {
	res := gosarif.NewRuleResult(o.f.ID).
		WithRuleIndex(ruleIndex).
		WithLevel(levelOf(o.f.Risk)).
		WithMessage(gosarif.NewTextMessage(resultMessage(o))).
		WithLocations([]*gosarif.Location{findingLocation(r, o)}).
		WithPartialFingerprints(map[string]string{FingerprintKey: fingerprint(r.Application.Name, o)}).
		WithProperties(resultProperties(o))
	if o.f.Suppressed {
		res.AddSuppression(suppression(o.f))
	}
	return res
}

// fingerprint identifies a finding across runs: the hex SHA-256 of the
// application, function, ecosystem, package, version and advisory ID, each
// followed by a NUL byte. Lines, paths and digests are left out, so editing
// the manifest or rebuilding an image keeps it.
func fingerprint(app string, o occurrence) string {
	h := sha256.New()
	for _, s := range []string{app, o.fn.Name, o.f.Ecosystem, o.f.Package, o.f.Version, o.f.ID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// resultMessage says what was found where, how bad it is in this function
// and what became of any policy exception, in words.
func resultMessage(o occurrence) string {
	f, fn := o.f, o.fn
	s := fmt.Sprintf("%s@%s", f.Package, f.Version)
	if label := artifactLabel(fn, f.Artifact); label != "" {
		s += " (" + label + ")"
	}
	s += fmt.Sprintf(" in function %s has %s (%s)", fn.Name, f.ID, ratingShort(&f.Finding))
	if sum := oneLine(f.Summary); sum != "" {
		s += ": " + strings.TrimSuffix(sum, ".")
	}
	s += ". " + capitalize(fixedText(f.Fixed)) + ". "
	s += exposureClause(fn) + ", and " + privilegeClause(fn) + ". "
	s += "Risk: " + string(f.Risk) + "."
	if x := exceptionSentence(f); x != "" {
		s += " " + x
	}
	return s
}

// ratingShort is "high, CVSS 7.2", "high" or "severity unknown".
func ratingShort(f *vuln.Finding) string {
	s := "severity unknown"
	if name := severityName(f); name != string(vuln.SeverityUnknown) {
		s = name
	}
	if f.CVSS > 0 {
		s += ", CVSS " + formatScore(f.CVSS)
	}
	return s
}

// artifactLabel names the artifact a package came from: "layer commonLibs",
// "function code", "image thumbnail:1.0"; the bare name when the function
// does not list it.
func artifactLabel(fn *reports.Function, name string) string {
	for _, a := range fn.Artifacts {
		if a.Name != name {
			continue
		}
		switch a.Role {
		case bundle.RoleLayer:
			return "layer " + name
		case bundle.RoleCode:
			return "function code"
		case bundle.RoleImage:
			return strings.TrimSpace("image " + a.Ref)
		}
		return string(a.Role) + " " + name
	}
	return name
}

// artifactOf returns the function's artifact of that name.
func artifactOf(fn *reports.Function, name string) (bundle.Artifact, bool) {
	for _, a := range fn.Artifacts {
		if a.Name == name {
			return a, true
		}
	}
	return bundle.Artifact{}, false
}

// exposureClause says how the function can be reached, naming the triggers
// that make it so.
func exposureClause(fn *reports.Function) string {
	via := triggersOf(fn, fn.Exposure)
	switch fn.Exposure {
	case bundle.ExposurePublic:
		return "The function is reachable from the internet without authentication via " + via
	case bundle.ExposureAuthenticated:
		return "The function is internet-facing behind authentication via " + via
	case bundle.ExposureInternal:
		if via == "" {
			return "The function is internal: no trigger makes it reachable from the internet"
		}
		return "The function is internal, invoked only via " + via
	}
	if via == "" {
		return "The function's exposure is unknown: nothing says how it is invoked"
	}
	return "The function's exposure is unknown: it is invoked via " + via
}

// triggersOf lists the function's triggers of one exposure: "http GET
// /orders (httpApi)", with the authentication for internet-facing ones that
// have some.
func triggersOf(fn *reports.Function, e bundle.Exposure) string {
	var out []string
	for _, t := range fn.Triggers {
		if t.Exposure != e {
			continue
		}
		s := strings.TrimSpace(t.Type + " " + t.Detail)
		if e == bundle.ExposureAuthenticated || e == bundle.ExposureUnknown {
			s += " (auth " + t.Auth + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// privilegeClause says what the function's role may do.
func privilegeClause(fn *reports.Function) string {
	switch fn.Privilege {
	case bundle.PrivilegeAdmin, bundle.PrivilegeBroad:
		if len(fn.PrivilegeReasons) == 0 {
			return "its role is " + string(fn.Privilege)
		}
		return fmt.Sprintf("its role is %s (%s)", fn.Privilege, strings.Join(fn.PrivilegeReasons, "; "))
	case bundle.PrivilegeScoped:
		return "its role is scoped"
	}
	return "its role's privileges are unknown"
}

// exceptionSentence says which policy exception suppresses the finding, or
// that the one that matched it has expired.
func exceptionSentence(f *reports.Finding) string {
	x := f.Exception
	switch {
	case f.Suppressed && x != nil:
		return "Suppressed by a policy exception" + sourceSuffix(x.Source) + ": " + justification(x) + "."
	case f.Suppressed:
		return "Suppressed by a policy exception."
	case x != nil && x.Status == reports.ExceptionExpired:
		return fmt.Sprintf("A policy exception%s expired on %s and no longer suppresses it.", sourceSuffix(x.Source), x.Expires)
	}
	return ""
}

// sourceSuffix is " (fnaudit.yaml:6)", or "" when the place is unknown.
func sourceSuffix(l bundle.Location) string {
	switch {
	case l.File == "":
		return ""
	case l.Line > 0:
		return fmt.Sprintf(" (%s:%d)", l.File, l.Line)
	}
	return " (" + l.File + ")"
}

// justification is the exception's reason, owner and expiry in one line.
func justification(x *reports.Exception) string {
	var extra []string
	if x.Owner != "" {
		extra = append(extra, "owner "+x.Owner)
	}
	if x.Expires != "" {
		extra = append(extra, "expires "+x.Expires)
	}
	s := strings.TrimSuffix(oneLine(x.Reason), ".")
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return strings.TrimSpace(s)
}

// capitalize upper-cases the first letter of an ASCII sentence.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
