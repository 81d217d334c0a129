package sarif

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
	"github.com/fnaudit/fnaudit/vuln"
)

func TestLevelOf(t *testing.T) {
	tests := []struct {
		risk reports.Level
		want string
	}{
		{reports.LevelCritical, "error"},
		{reports.LevelHigh, "error"},
		{reports.LevelMedium, "warning"},
		{reports.LevelLow, "note"},
		{reports.LevelNone, "note"},
		{"", "note"},
	}
	for _, tt := range tests {
		t.Run(string(tt.risk), func(t *testing.T) {
			if got := levelOf(tt.risk); got != tt.want {
				t.Errorf("levelOf(%q) = %q, want %q", tt.risk, got, tt.want)
			}
		})
	}
}

func TestSecuritySeverity(t *testing.T) {
	tests := []struct {
		name   string
		cvss   float64
		sev    vuln.Severity
		want   string
		wantOK bool
	}{
		{"CVSS score wins", 7.2, vuln.SeverityHigh, "7.2", true},
		{"whole score keeps a decimal", 9, vuln.SeverityCritical, "9.0", true},
		{"critical without score", 0, vuln.SeverityCritical, "9.5", true},
		{"high without score", 0, vuln.SeverityHigh, "8.0", true},
		{"medium without score", 0, vuln.SeverityMedium, "5.5", true},
		{"low without score", 0, vuln.SeverityLow, "2.0", true},
		{"unknown is left out", 0, vuln.SeverityUnknown, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := securitySeverity(tt.cvss, tt.sev)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("securitySeverity(%v, %s) = %q, %v; want %q, %v", tt.cvss, tt.sev, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// ruleSummary is what a test checks of a rule.
type ruleSummary struct {
	ID, Short, HelpURI, Level, SecuritySeverity string
	Tags                                        []string
}

func summarizeRule(r *gosarif.ReportingDescriptor) ruleSummary {
	s := ruleSummary{ID: *r.ID, Short: *r.ShortDescription.Text, HelpURI: *r.HelpURI, Level: r.DefaultConfiguration.Level, Tags: r.Properties.Tags}
	s.SecuritySeverity, _ = r.Properties.Properties["security-severity"].(string)
	return s
}

func TestRules(t *testing.T) {
	log := decode(t, encode(t, reportstest.Sample()))
	var got []ruleSummary
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		got = append(got, summarizeRule(r))
	}
	npm := []string{"security", "vulnerability", "npm"}
	want := []ruleSummary{
		{"DSA-5000-1", "openssl security update", "https://osv.dev/vulnerability/DSA-5000-1", "warning", "", []string{"security", "vulnerability", "Debian:12"}},
		{"GHSA-29mw-wpgm-hmr9", "Regular Expression Denial of Service (ReDoS) in lodash", "https://osv.dev/vulnerability/GHSA-29mw-wpgm-hmr9", "error", "5.3", npm},
		{"GHSA-2gwj-7jmv-h26r", "sax <script> & <style> prototype issue", "https://osv.dev/vulnerability/GHSA-2gwj-7jmv-h26r", "error", "9.8", npm},
		{"GHSA-35jh-r3h4-6jhm", "Command Injection in lodash", "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm", "error", "7.2", npm},
		{"GHSA-wc69-rhjr-hc9g", "Moment.js vulnerable to Inefficient Regular Expression Complexity", "https://osv.dev/vulnerability/GHSA-wc69-rhjr-hc9g", "error", "7.5", npm},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	for i, res := range log.Runs[0].Results {
		if rule := log.Runs[0].Tool.Driver.Rules[res.RuleIndex]; *rule.ID != *res.RuleID {
			t.Errorf("result %d: ruleIndex %d is rule %s, ruleId is %s", i, res.RuleIndex, *rule.ID, *res.RuleID)
		}
	}
}

// twoFunctionsOneAdvisory has the same advisory in a public and an
// internal function: one rule, two results of different levels.
func twoFunctionsOneAdvisory() *reports.Report {
	f := reports.Finding{Finding: vuln.Finding{ID: "GHSA-aaaa-bbbb-cccc", Ecosystem: "npm", Package: "minimist", Version: "1.2.5", Artifact: "code", Severity: vuln.SeverityMedium, CVSS: 5.6, Summary: "Prototype Pollution in minimist"}}
	fn := func(name string, e bundle.Exposure) reports.Function {
		return reports.Function{Name: name, Status: reports.StatusOK, Exposure: e, Privilege: bundle.PrivilegeScoped,
			Source: bundle.Location{File: "template.yaml", Line: 3}, Findings: []reports.Finding{f}}
	}
	r := &reports.Report{Application: reports.Application{Name: "app"},
		Functions: []reports.Function{fn("api", bundle.ExposurePublic), fn("worker", bundle.ExposureInternal)}}
	reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	return r
}

func TestLevelsOfOneAdvisory(t *testing.T) {
	log := decode(t, encode(t, twoFunctionsOneAdvisory()))
	run := log.Runs[0]
	got := map[string]string{"rule default": run.Tool.Driver.Rules[0].DefaultConfiguration.Level}
	for _, res := range run.Results {
		got[functionName(res)] = res.Level
	}
	want := map[string]string{"rule default": "error", "api": "error", "worker": "warning"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
}

func TestMessages(t *testing.T) {
	log := decode(t, encode(t, reportstest.Sample()))
	tests := []struct {
		fn, rule, pkg string
		want          string
	}{
		{"listOrders", "GHSA-35jh-r3h4-6jhm", "lodash",
			"lodash@4.17.15 (layer commonLibs) in function listOrders has GHSA-35jh-r3h4-6jhm (high, CVSS 7.2): Command Injection in lodash. Fixed in 4.17.21. The function is reachable from the internet without authentication via http GET /orders (httpApi), and its role is broad (s3:* on *). Risk: critical."},
		{"listOrders", "GHSA-wc69-rhjr-hc9g", "moment",
			"moment@2.29.1 (function code) in function listOrders has GHSA-wc69-rhjr-hc9g (high, CVSS 7.5): Moment.js vulnerable to Inefficient Regular Expression Complexity. Fixed in 2.29.4. The function is reachable from the internet without authentication via http GET /orders (httpApi), and its role is broad (s3:* on *). Risk: critical. Suppressed by a policy exception (fnaudit.yaml:6): moment's string parsing is never given user input in this function (owner orders-team@example.com, expires 2099-12-31)."},
		{"thumbnail", "DSA-5000-1", "openssl",
			"openssl@3.0.11-1~deb12u2 (image thumbnail:1.0) in function thumbnail has DSA-5000-1 (severity unknown): openssl security update. No fixed version. The function is internal, invoked only via s3 bucket uploads s3:ObjectCreated:*, and its role is admin (* on *). Risk: medium."},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			res := resultOf(t, log, tt.fn, tt.rule, tt.pkg)
			if diff := cmp.Diff(tt.want, *res.Message.Text); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExposureClause(t *testing.T) {
	tests := []struct {
		name string
		fn   reports.Function
		want string
	}{
		{"authenticated", reports.Function{Exposure: bundle.ExposureAuthenticated, Triggers: []bundle.Trigger{
			{Type: "http", Detail: "POST /pay (api)", Auth: "cognito", Exposure: bundle.ExposureAuthenticated},
			{Type: "sqs", Detail: "queue Q", Auth: "aws", Exposure: bundle.ExposureInternal},
		}}, "The function is internet-facing behind authentication via http POST /pay (api) (auth cognito)"},
		{"internal without triggers", reports.Function{Exposure: bundle.ExposureInternal},
			"The function is internal: no trigger makes it reachable from the internet"},
		{"unknown, standalone", reports.Function{Exposure: bundle.ExposureUnknown},
			"The function's exposure is unknown: nothing says how it is invoked"},
		{"unknown, unresolved trigger", reports.Function{Exposure: bundle.ExposureUnknown, Triggers: []bundle.Trigger{
			{Type: "url", Detail: "function URL", Auth: "unresolved", Exposure: bundle.ExposureUnknown},
		}}, "The function's exposure is unknown: it is invoked via url function URL (auth unresolved)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, exposureClause(&tt.fn)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// fingerprints maps "function rule package" to each result's fingerprint.
func fingerprints(t *testing.T, r *reports.Report) map[string]string {
	t.Helper()
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	out := map[string]string{}
	for _, res := range decode(t, encode(t, r)).Runs[0].Results {
		fp := res.PartialFingerprints[FingerprintKey]
		if !hex64.MatchString(fp) {
			t.Errorf("%s: fingerprint %q is not a hex SHA-256", *res.RuleID, fp)
		}
		out[functionName(res)+" "+*res.RuleID+" "+res.Properties.Properties["package"].(string)] = fp
	}
	return out
}

func TestPartialFingerprintsStable(t *testing.T) {
	first := fingerprints(t, reportstest.Sample())
	moved := reportstest.Sample()
	for i := range moved.Functions {
		moved.Functions[i].Source.Line += 10 // the manifest was edited above the functions
	}
	tests := []struct {
		name   string
		report *reports.Report
	}{
		{"another run", reportstest.Sample()},
		{"manifest lines moved", moved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(first, fingerprints(t, tt.report)); diff != "" {
				t.Errorf("fingerprints changed (-first +this):\n%s", diff)
			}
		})
	}
	seen := map[string]string{}
	for key, fp := range first {
		if other, ok := seen[fp]; ok {
			t.Errorf("%s and %s share fingerprint %s", key, other, fp)
		}
		seen[fp] = key
	}
}

func TestPartialFingerprintFields(t *testing.T) {
	base := func() (string, occurrence) {
		return "orders-api", occurrence{
			fn: &reports.Function{Name: "listOrders", Source: bundle.Location{File: "serverless.yml", Line: 42}},
			f: &reports.Finding{Finding: vuln.Finding{ID: "GHSA-35jh-r3h4-6jhm", Ecosystem: "npm", Package: "lodash",
				Version: "4.17.15", Artifact: "commonLibs", Location: "nodejs/node_modules/lodash/package.json"}, Risk: reports.LevelCritical},
		}
	}
	want := fingerprint(base())
	tests := []struct {
		name     string
		change   func(app *string, o occurrence)
		sameWant bool
	}{
		{"application", func(app *string, o occurrence) { *app = "billing" }, false},
		{"function", func(app *string, o occurrence) { o.fn.Name = "getOrder" }, false},
		{"ecosystem", func(app *string, o occurrence) { o.f.Ecosystem = "Maven" }, false},
		{"package", func(app *string, o occurrence) { o.f.Package = "lodash-es" }, false},
		{"version", func(app *string, o occurrence) { o.f.Version = "4.17.20" }, false},
		{"advisory", func(app *string, o occurrence) { o.f.ID = "GHSA-29mw-wpgm-hmr9" }, false},
		{"fields shifted across the separator", func(app *string, o occurrence) { *app, o.fn.Name = "orders-apil", "istOrders" }, false},
		{"manifest line", func(app *string, o occurrence) { o.fn.Source.Line = 7 }, true},
		{"package location (an image layer digest)", func(app *string, o occurrence) { o.f.Location = "blobs/sha256/ffff!/x" }, true},
		{"risk", func(app *string, o occurrence) { o.f.Risk = reports.LevelLow }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, o := base()
			tt.change(&app, o)
			if same := fingerprint(app, o) == want; same != tt.sameWant {
				t.Errorf("changing the %s: same fingerprint = %v, want %v", tt.name, same, tt.sameWant)
			}
		})
	}
}

// exceptionView is what a test checks of a result's exception handling.
type exceptionView struct {
	Suppressions     []string // kind/status/justification@uri:line
	Status, Expires  string
	MessageMentions  bool
	SuppressedMarker bool
}

func viewException(res *gosarif.Result, mention string) exceptionView {
	v := exceptionView{SuppressedMarker: res.Properties.Properties["suppressed"] == true}
	v.Status, _ = res.Properties.Properties["exceptionStatus"].(string)
	v.Expires, _ = res.Properties.Properties["exceptionExpires"].(string)
	v.MessageMentions = mention != "" && strings.Contains(*res.Message.Text, mention)
	for _, s := range res.Suppressions {
		loc := s.Location.PhysicalLocation
		v.Suppressions = append(v.Suppressions, *s.Kind+"/"+*s.Status+"/"+*s.Justification+"@"+*loc.ArtifactLocation.URI+":"+strconv.Itoa(*loc.Region.StartLine))
	}
	return v
}

func TestExceptions(t *testing.T) {
	tests := []struct {
		name    string
		report  *reports.Report
		pkg, id string
		mention string
		want    exceptionView
	}{
		{"live exception suppresses", reportstest.Sample(), "moment", "GHSA-wc69-rhjr-hc9g", "Suppressed by a policy exception (fnaudit.yaml:6)",
			exceptionView{
				Suppressions: []string{"external/accepted/moment's string parsing is never given user input in this function (owner orders-team@example.com, expires 2099-12-31)@fnaudit.yaml:6"},
				Status:       "active", Expires: "2099-12-31", MessageMentions: true, SuppressedMarker: true,
			}},
		{"expired exception does not", expiredSample(t), "moment", "GHSA-wc69-rhjr-hc9g", "expired on 2024-01-31 and no longer suppresses it",
			exceptionView{Status: "expired", Expires: "2024-01-31", MessageMentions: true}},
		{"no exception", reportstest.Sample(), "lodash", "GHSA-35jh-r3h4-6jhm", "exception", exceptionView{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := resultOf(t, decode(t, encode(t, tt.report)), "listOrders", tt.id, tt.pkg)
			if diff := cmp.Diff(tt.want, viewException(res, tt.mention)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// notificationView is what a test checks of the invocation.
type notificationView struct {
	Successful    bool
	Notifications []string // level: text @uri:line
}

func viewInvocation(t *testing.T, log *gosarif.Report) notificationView {
	t.Helper()
	invs := log.Runs[0].Invocations
	if len(invs) != 1 {
		t.Fatalf("%d invocations, want 1", len(invs))
	}
	inv := invs[0]
	if inv.StartTimeUtc != nil || inv.EndTimeUtc != nil {
		t.Error("the invocation has a start or end time")
	}
	v := notificationView{Successful: inv.ExecutionSuccessful != nil && *inv.ExecutionSuccessful}
	for _, n := range inv.ToolExecutionNotifications {
		s := n.Level + ": " + *n.Message.Text
		for _, l := range n.Locations {
			s += " @" + *l.PhysicalLocation.ArtifactLocation.URI + ":" + strconv.Itoa(*l.PhysicalLocation.Region.StartLine)
		}
		v.Notifications = append(v.Notifications, s)
	}
	return v
}

func TestInvocation(t *testing.T) {
	complete := reportstest.Sample()
	complete.Functions = complete.Functions[:1]
	noErrors := reportstest.Sample()
	noErrors.Functions[1].Errors = nil
	warned := emptyReport()
	warned.Application.Warnings = []string{"serverless.yml:12: unresolved variable ${self:custom.stage}"}
	tests := []struct {
		name   string
		report *reports.Report
		want   notificationView
	}{
		{"incomplete function", reportstest.Sample(), notificationView{false, []string{
			"error: function processPayment could not be audited: unpacking orders-api/.serverless/processPayment.zip: corrupt or truncated archive: zip: not a valid zip file; rebuild or re-download the artifact @orders-api/serverless.yml:61",
		}}},
		{"incomplete function without errors", noErrors, notificationView{false, []string{
			"error: function processPayment could not be audited. @orders-api/serverless.yml:61",
		}}},
		{"all complete", complete, notificationView{Successful: true}},
		{"manifest warning", warned, notificationView{true, []string{
			"warning: serverless.yml:12: unresolved variable ${self:custom.stage}",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, viewInvocation(t, decode(t, encode(t, tt.report)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestArtifactLocation(t *testing.T) {
	tests := []struct {
		path, wantURI, wantBase string
	}{
		{"orders-api/serverless.yml", "orders-api/serverless.yml", SourceRootID},
		{"./template.yaml", "template.yaml", SourceRootID},
		{`infra\cdk.out\App.template.json`, "infra/cdk.out/App.template.json", SourceRootID},
		{"my app/serverless.yml", "my%20app/serverless.yml", SourceRootID},
		{"a:b/template.yaml", "./a:b/template.yaml", SourceRootID},
		{"/srv/app/template.yaml", "file:///srv/app/template.yaml", ""},
		{`C:\work\app\template.yaml`, "file:///C:/work/app/template.yaml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			loc := artifactLocation(tt.path)
			base := ""
			if loc.URIBaseID != nil {
				base = *loc.URIBaseID
			}
			if diff := cmp.Diff([2]string{tt.wantURI, tt.wantBase}, [2]string{*loc.URI, base}); diff != "" {
				t.Errorf("(-want +got uri, uriBaseId):\n%s", diff)
			}
		})
	}
}

func TestFunctionLocation(t *testing.T) {
	tests := []struct {
		name     string
		report   *reports.Report
		fn       string
		wantURI  string
		wantLine int
		wantFQN  string
	}{
		{"manifest line", reportstest.Sample(), "listOrders", "orders-api/serverless.yml", 42, "orders-api/listOrders"},
		{"lone zip: the artifact, line 1", loneZip(), "orders", "orders-api/.serverless/commonLibs.zip", 1, "orders/orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := decode(t, encode(t, tt.report))
			var res *gosarif.Result
			for _, r := range log.Runs[0].Results {
				if functionName(r) == tt.fn && *r.RuleID == "GHSA-35jh-r3h4-6jhm" {
					res = r
				}
			}
			if res == nil {
				t.Fatalf("no lodash result for %s", tt.fn)
			}
			loc := res.Locations[0]
			got := []any{*loc.PhysicalLocation.ArtifactLocation.URI, *loc.PhysicalLocation.Region.StartLine, *loc.LogicalLocations[0].FullyQualifiedName, *loc.LogicalLocations[0].Kind}
			if diff := cmp.Diff([]any{tt.wantURI, tt.wantLine, tt.wantFQN, "function"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
