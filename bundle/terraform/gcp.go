package terraform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
)

// authGCP is the auth of a trigger a GCP service fires.
const authGCP = "gcp"

// gen2 says whether a resource is a 2nd generation Cloud Function.
func gen2(r *resource) bool { return r.typ == "google_cloudfunctions2_function" }

// gcpFunction reads a google_cloudfunctions_function (1st gen) or
// google_cloudfunctions2_function (2nd gen).
func (p *plan) gcpFunction(r *resource) *function {
	name, st := p.str(r, "name")
	if name == "" {
		if st == unknown {
			p.warn(r, "name is only known after apply: the function is named after its address")
		}
		name = r.addr
	}
	f := &function{res: r, name: name, fn: &bundle.Function{
		Name: name, PackageType: "zip", Source: bundle.Location{File: p.file, Line: r.line},
	}}
	f.arn, _ = p.str(r, "id")
	build := []step{}
	if gen2(r) {
		build = []step{"build_config", 0}
	}
	f.fn.Runtime, _ = p.str(r, append(build, "runtime")...)
	f.fn.Handler, _ = p.str(r, append(build, "entry_point")...)
	f.fn.Artifacts = []bundle.Artifact{p.gcpSource(r, name)}
	return f
}

// gcpSource is a Cloud Function's source archive: the local file a
// google_storage_bucket_object of the plan uploads, or a Problem.
func (p *plan) gcpSource(r *resource, name string) bundle.Artifact {
	a := bundle.Artifact{Role: bundle.RoleCode, Name: name, Mount: "/workspace"}
	bucketPath, objectPath, repoPath := []step{"source_archive_bucket"}, []step{"source_archive_object"}, []step{"source_repository", 0, "url"}
	if gen2(r) {
		src := []step{"build_config", 0, "source", 0}
		bucketPath = append(append([]step{}, src...), "storage_source", 0, "bucket")
		objectPath = append(append([]step{}, src...), "storage_source", 0, "object")
		repoPath = append(append([]step{}, src...), "repo_source", 0, "repo_name")
	}
	bucket, _ := p.str(r, bucketPath...)
	object, objectState := p.str(r, objectPath...)
	if obj := p.bucketObject(r, objectPath, bucket, object); obj != nil {
		if src, _ := p.str(obj, "source"); src != "" {
			a.Path = p.localPath(obj, "source", src)
			return a
		}
		a.Problem = fmt.Sprintf("the source archive %s has no local source file in the plan: scan the zip it uploads", obj.addr)
		return a
	}
	repo, _ := p.str(r, repoPath...)
	switch {
	case bucket != "" || object != "" || objectState == unknown:
		a.Path = "gs://" + orUnknown(bucket) + "/" + orUnknown(object)
		a.Problem = fmt.Sprintf("the code is in Cloud Storage (%s), not on disk: download it (gcloud storage cp %s .) and scan the zip",
			a.Path, a.Path)
	case repo != "":
		a.Problem = fmt.Sprintf("the code is built from a source repository (%s): zip the function's folder as deployed and scan the zip", repo)
	default:
		a.Problem = "the plan names no source archive for it"
	}
	return a
}

// orUnknown returns s, or "?" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// bucketObject finds the google_storage_bucket_object a function's source
// archive is: by reference, else by object name (and bucket when known).
func (p *plan) bucketObject(r *resource, objectPath []step, bucket, object string) *resource {
	if objs := p.typed(p.refsOf(r, objectPath...), "google_storage_bucket_object"); len(objs) > 0 {
		return objs[0]
	}
	if object == "" {
		return nil
	}
	for _, o := range p.withAttr("google_storage_bucket_object", "name", object) {
		if b, _ := p.str(o, "bucket"); bucket == "" || b == "" || b == bucket {
			return o
		}
	}
	return nil
}

// gcpTriggers reads a Cloud Function's trigger: an event trigger is
// internal; an HTTP function is public when allUsers (or
// allAuthenticatedUsers, anyone with a Google account) may invoke it,
// authenticated otherwise, internal when its ingress is internal only.
func (p *plan) gcpTriggers(f *function) {
	r := f.res
	if p.blocks(r, "event_trigger") > 0 {
		event, _ := p.str(r, "event_trigger", 0, "event_type")
		on := p.valueOrRef(r, "event_trigger", 0, "resource")
		if gen2(r) {
			on = p.valueOrRef(r, "event_trigger", 0, "pubsub_topic")
		}
		p.attach([]*function{f}, p.trigger(r, eventType(event), strings.TrimSpace(event+" "+on), authGCP, bundle.ExposureInternal))
		return
	}
	if !gen2(r) {
		httpTrigger, st := p.boolean(r, "trigger_http")
		url, _ := p.str(r, "https_trigger_url")
		if !httpTrigger && st != unknown && url == "" {
			return
		}
	}
	p.attach([]*function{f}, p.gcpHTTP(f))
}

// eventType names a GCP event type as a trigger type.
func eventType(event string) string {
	switch {
	case strings.Contains(event, "pubsub"):
		return "pubsub"
	case strings.Contains(event, "storage"):
		return "storage"
	case strings.Contains(event, "firestore"):
		return "firestore"
	case strings.Contains(event, "scheduler"):
		return "schedule"
	}
	return "event"
}

// gcpHTTP rates an HTTP Cloud Function by its invokers and ingress.
func (p *plan) gcpHTTP(f *function) bundle.Trigger {
	r := f.res
	detail := "HTTP trigger (cloudfunctions gen1)"
	ingressPath := []step{"ingress_settings"}
	if gen2(r) {
		detail = "HTTP trigger (cloudfunctions gen2)"
		ingressPath = []step{"service_config", 0, "ingress_settings"}
	}
	t := p.trigger(r, "http", detail, authIAM, bundle.ExposureAuthenticated)
	members, resolved := p.invokers(f)
	switch {
	case slices.Contains(members, "allUsers"):
		t.Auth, t.Exposure, t.Detail = authNone, bundle.ExposurePublic, detail+", invoker allUsers"
	case slices.Contains(members, "allAuthenticatedUsers"):
		t.Exposure, t.Detail = bundle.ExposurePublic, detail+", invoker allAuthenticatedUsers (any Google account)"
	case !resolved:
		t.Auth, t.Exposure = authUnresolved, bundle.ExposureUnknown
	}
	if ingress, _ := p.str(r, ingressPath...); ingress == "ALLOW_INTERNAL_ONLY" && t.Exposure != bundle.ExposureUnknown {
		t.Exposure, t.Detail = bundle.ExposureInternal, t.Detail+", ingress internal only"
	}
	return t
}

// invokerTypes are the IAM resources that grant a role on a function (1st
// gen) or on the Cloud Run service of a 2nd gen function, with the
// attribute that names it and whether they apply to 2nd gen functions.
func invokerTypes() map[string]invokerType {
	out := map[string]invokerType{}
	for _, kind := range []string{"member", "binding", "policy"} {
		out["google_cloudfunctions_function_iam_"+kind] = invokerType{"cloud_function", false}
		out["google_cloudfunctions2_function_iam_"+kind] = invokerType{"cloud_function", true}
		out["google_cloud_run_service_iam_"+kind] = invokerType{"service", true}
		out["google_cloud_run_v2_service_iam_"+kind] = invokerType{"name", true}
	}
	return out
}

// invokerType says which attribute of an IAM resource names the function
// or service, and which generation of functions it applies to.
type invokerType struct {
	attr   string
	second bool
}

// invokers returns the members that may invoke an HTTP function; resolved
// is false when a member or role of a grant on it is only known after
// apply.
func (p *plan) invokers(f *function) (members []string, resolved bool) {
	if p.invokerIndex == nil {
		p.indexInvokers()
	}
	resolved = true
	for _, g := range p.invokerIndex[f] {
		got, ok := p.grantMembers(g)
		members = append(members, got...)
		resolved = resolved && ok
	}
	return members, resolved
}

// indexInvokers maps each Cloud Function to the IAM resources that grant
// roles on it.
func (p *plan) indexInvokers() {
	p.invokerIndex = map[*function][]*resource{}
	byService := map[string][]*function{}
	for _, f := range p.fns {
		if svc, _ := p.str(f.res, "service_config", 0, "service"); gen2(f.res) && svc != "" {
			byService[lastSegment(svc)] = append(byService[lastSegment(svc)], f)
		}
	}
	types := invokerTypes()
	for _, typ := range sortedKeys(types) {
		for _, g := range p.byType[typ] {
			for _, f := range p.grantTargets(g, types[typ].attr, byService) {
				if gen2(f.res) == types[typ].second && !slices.Contains(p.invokerIndex[f], g) {
					p.invokerIndex[f] = append(p.invokerIndex[f], g)
				}
			}
		}
	}
}

// grantTargets returns the Cloud Functions attr of an IAM resource names:
// by reference, by function name, or by Cloud Run service name.
func (p *plan) grantTargets(g *resource, attr string, byService map[string][]*function) []*function {
	if fs := p.fnsOf(p.refsOf(g, attr), 1); len(fs) > 0 {
		return fs
	}
	v, st := p.str(g, attr)
	if st != known || v == "" {
		return nil
	}
	name := lastSegment(v)
	var out []*function
	for _, f := range p.fnByName[name] {
		if strings.HasPrefix(f.res.typ, "google_") {
			out = append(out, f)
		}
	}
	if len(out) > maxSameName {
		return nil
	}
	return append(out, byService[name]...)
}

// lastSegment returns what follows the last slash of a resource name
// (projects/p/locations/l/functions/NAME).
func lastSegment(v string) string {
	return v[strings.LastIndex(v, "/")+1:]
}

// grantMembers returns the members an IAM member, binding or policy
// resource grants an invoking role.
func (p *plan) grantMembers(g *resource) ([]string, bool) {
	if strings.HasSuffix(g.typ, "_iam_policy") {
		return p.policyMembers(g)
	}
	role, roleState := p.str(g, "role")
	if roleState == known && !invokerRole(role) {
		return nil, true
	}
	var members []string
	var st state
	if strings.HasSuffix(g.typ, "_iam_member") {
		var m string
		m, st = p.str(g, "member")
		if m != "" {
			members = []string{m}
		}
	} else {
		members, st = p.strs(g, "members")
	}
	if st == unknown || roleState == unknown {
		p.warn(g, "its role or members are only known after apply: exposure unknown")
		return members, false
	}
	return members, true
}

// invokerRole says whether a role lets its members invoke a function.
func invokerRole(role string) bool {
	return strings.HasSuffix(role, ".invoker") || strings.HasSuffix(role, ".servicesInvoker") ||
		strings.HasSuffix(role, ".admin") || strings.HasSuffix(role, ".developer") ||
		role == "roles/owner" || role == "roles/editor"
}

// policyMembers reads the invoking members of an IAM policy resource's
// policy_data ({"bindings": [{"role": ..., "members": [...]}]}).
func (p *plan) policyMembers(g *resource) ([]string, bool) {
	data, st := p.str(g, "policy_data")
	if st != known {
		for _, t := range p.refsOf(g, "policy_data") {
			if v, _ := p.str(t, "policy_data"); v != "" {
				data, st = v, known
				break
			}
		}
	}
	if st != known || data == "" {
		p.warn(g, "policy_data is only known after apply: exposure unknown")
		return nil, false
	}
	var doc struct {
		Bindings []struct {
			Role    string   `json:"role"`
			Members []string `json:"members"`
		} `json:"bindings"`
	}
	if err := json.Unmarshal([]byte(data), &doc); err != nil {
		p.warn(g, "policy_data is not an IAM policy: %v", err)
		return nil, false
	}
	var members []string
	for _, b := range doc.Bindings {
		if invokerRole(b.Role) {
			members = append(members, b.Members...)
		}
	}
	return members, true
}

// gcpRole rates a Cloud Function's service account. Only project-level
// roles/owner (admin) and roles/editor (broad) are rated; anything else is
// unknown, with the reason.
func (p *plan) gcpRole(f *function) bundle.Role {
	r := f.res
	saPath := []step{"service_account_email"}
	if gen2(r) {
		saPath = []step{"service_config", 0, "service_account_email"}
	}
	email, _ := p.str(r, saPath...)
	accounts := p.typed(p.refsOf(r, saPath...), "google_service_account")
	if email == "" && len(accounts) > 0 {
		email = p.nameOr(accounts[0], "email")
	}
	if email == "" {
		return bundle.Role{Privilege: bundle.PrivilegeUnknown, Reasons: []string{
			"runs as the project's default service account, whose roles are not in the plan (by default roles/editor)"}}
	}
	role := bundle.Role{Name: email, Privilege: bundle.PrivilegeUnknown}
	for _, g := range p.accountGrants(email, accounts) {
		switch grant, _ := p.str(g, "role"); grant {
		case "roles/owner":
			role.Privilege, role.Reasons = bundle.PrivilegeAdmin, []string{"roles/owner granted by " + g.addr}
			return role
		case "roles/editor":
			role.Privilege, role.Reasons = bundle.PrivilegeBroad, []string{"roles/editor granted by " + g.addr}
		}
	}
	if role.Privilege == bundle.PrivilegeUnknown {
		role.Reasons = []string{"service account " + email + ": only roles/owner and roles/editor are rated for GCP"}
	}
	return role
}

// accountGrants returns the project, folder and organization IAM member and
// binding resources that name a service account, by email or by reference
// to its google_service_account.
func (p *plan) accountGrants(email string, accounts []*resource) []*resource {
	if p.saGrants == nil {
		p.indexAccountGrants()
	}
	list := append([]*resource(nil), p.saGrants["email:"+email]...)
	for _, a := range accounts {
		list = append(list, p.saGrants["ref:"+a.addr]...)
	}
	slices.SortFunc(list, func(a, b *resource) int { return strings.Compare(a.addr, b.addr) })
	return slices.Compact(list)
}

// indexAccountGrants maps service accounts to the IAM resources naming
// them.
func (p *plan) indexAccountGrants() {
	p.saGrants = map[string][]*resource{}
	for _, scope := range []string{"project", "folder", "organization"} {
		for _, kind := range []string{"member", "binding"} {
			attr := "members"
			if kind == "member" {
				attr = "member"
			}
			for _, g := range p.byType["google_"+scope+"_iam_"+kind] {
				for _, t := range p.typed(p.refsOf(g, attr), "google_service_account") {
					p.saGrants["ref:"+t.addr] = append(p.saGrants["ref:"+t.addr], g)
				}
				members, _ := p.strs(g, attr)
				for _, m := range members {
					if email, ok := strings.CutPrefix(m, "serviceAccount:"); ok {
						p.saGrants["email:"+email] = append(p.saGrants["email:"+email], g)
					}
				}
			}
		}
	}
}
