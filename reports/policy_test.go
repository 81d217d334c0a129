package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/vuln"
)

func writePolicyFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fnaudit.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const samplePolicy = `# gate per exposure, and accepted findings
fail_on:
  public: high
  internal: critical
exceptions:
  - id: CVE-2021-23337          # an alias of GHSA-35jh-r3h4-6jhm
    function: "list*"
    reason: template() is never given user input
    owner: orders-team@example.com
    expires: 2099-12-31
    justification: code_not_reachable
    response: [will_not_fix]
  - id: GHSA-29mw-wpgm-hmr9
    reason: accepted until the lodash upgrade
    owner: orders-team@example.com
    expires: 2024-06-30
  - package: left-pad
    reason: never used
`

func TestLoadPolicy(t *testing.T) {
	p, err := LoadPolicy(writePolicyFile(t, samplePolicy), LevelMedium, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	wantRules := map[bundle.Exposure]Level{bundle.ExposurePublic: LevelHigh, bundle.ExposureInternal: LevelCritical}
	if diff := cmp.Diff(wantRules, p.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	for e, want := range map[bundle.Exposure]Level{
		bundle.ExposurePublic: LevelHigh, bundle.ExposureInternal: LevelCritical,
		bundle.ExposureAuthenticated: LevelMedium, // not in the file: --fail-on
		bundle.ExposureUnknown:       LevelHigh,   // treated as public
	} {
		if got := p.Threshold(e); got != want {
			t.Errorf("threshold(%s) = %s, want %s", e, got, want)
		}
	}
	if len(p.Exceptions) != 3 || p.Exceptions[0].State != "not_affected" || p.Exceptions[0].Source.Line != 6 ||
		!cmp.Equal(p.Exceptions[0].Response, []string{"will_not_fix"}) {
		t.Errorf("exceptions = %+v", p.Exceptions)
	}
}

func TestLoadPolicyErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown key", "fail_on: high\nexeptions: []\n", `:2: unknown key "exeptions"`},
		{"unknown exposure", "fail_on:\n  pubic: high\n", `:2: unknown key "pubic"`},
		{"bad level", "fail_on:\n  public: severe\n", ":2: fail_on.public"},
		{"bad date", "exceptions:\n  - id: X\n    reason: r\n    expires: next week\n", `:4: expires "next week"`},
		{"no reason", "exceptions:\n  - id: X\n", ":2: an exception needs a reason"},
		{"nothing to match", "exceptions:\n  - reason: r\n", ":2: an exception needs an id"},
		{"bad state", "exceptions:\n  - id: X\n    reason: r\n    state: fine\n", `:4: "fine": want one of`},
		{"bad response", "exceptions:\n  - id: X\n    reason: r\n    response: [ignore]\n", `:4: response "ignore"`},
		{"unknown exception key", "exceptions:\n  - id: X\n    reason: r\n    until: 2025-01-01\n", `:4: unknown key "until"`},
		{"not yaml", "fail_on: [high\n", "fnaudit.yaml"},
		{"not a mapping", "- high\n", "a policy is a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadPolicy(writePolicyFile(t, tt.text), LevelNone, "2026-11-26")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "fnaudit.yaml") {
				t.Errorf("err = %v, want it to name the file and contain %q", err, tt.want)
			}
		})
	}
}

// TestPolicyApply: a live exception (matched through an alias) suppresses,
// an expired one is reported and does not, one matching nothing is stale;
// thresholds follow the function's exposure.
func TestPolicyApply(t *testing.T) {
	p, err := LoadPolicy(writePolicyFile(t, samplePolicy), LevelNone, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	r := sampleReport() // listOrders: public, lodash GHSA-35jh (high) and GHSA-29mw (medium)
	for i, f := range r.Functions[1].Findings {
		if f.ID == "GHSA-35jh-r3h4-6jhm" {
			r.Functions[1].Findings[i].Aliases = []string{"CVE-2021-23337"}
		}
	}
	Assess(r, p)
	list := r.Functions[0]
	byID := map[string]Finding{}
	for _, f := range list.Findings {
		byID[f.ID] = f
	}
	if f := byID["GHSA-35jh-r3h4-6jhm"]; !f.Suppressed || f.Exception == nil || f.Exception.Status != ExceptionActive {
		t.Errorf("GHSA-35jh: suppressed %v, exception %+v; want suppressed by the active exception", f.Suppressed, f.Exception)
	}
	if f := byID["GHSA-29mw-wpgm-hmr9"]; f.Suppressed || f.Exception == nil || f.Exception.Status != ExceptionExpired {
		t.Errorf("GHSA-29mw: suppressed %v, exception %+v; want the expired exception, not suppressed", f.Suppressed, f.Exception)
	}
	var statuses []string
	for _, ex := range r.Policy.Exceptions {
		statuses = append(statuses, ex.Status)
	}
	if diff := cmp.Diff([]string{ExceptionActive, ExceptionExpired, ExceptionStale}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// GHSA-29mw is high risk on a public function, threshold high: the
	// expired exception no longer saves the gate.
	if r.Summary.Gate.ExitCode != ExitIncomplete || r.Summary.Gate.Passed {
		t.Errorf("gate = %+v", r.Summary.Gate)
	}

	// The same findings on an internal function pass (threshold critical).
	r = &Report{Functions: []Function{{Name: "worker", Exposure: bundle.ExposureInternal, Findings: []Finding{
		{Finding: vuln.Finding{ID: "GHSA-x", Package: "p", Severity: vuln.SeverityHigh, CVSS: 8.8}},
	}}}}
	Assess(r, p)
	if r.Summary.Gate.ExitCode != ExitPassed {
		t.Errorf("internal high finding under an internal: critical rule: gate %+v", r.Summary.Gate)
	}
	r.Functions[0].Exposure = bundle.ExposureUnknown
	Assess(r, p)
	if r.Summary.Gate.ExitCode != ExitFailed {
		t.Errorf("unknown exposure must be gated like public: gate %+v", r.Summary.Gate)
	}
}
