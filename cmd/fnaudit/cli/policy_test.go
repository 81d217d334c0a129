package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanPolicy: an exposure rule, a live exception and an expired one
// change the exit code and the outputs as docs/policy.md says.
func TestScanPolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The demo function has no manifest: its exposure is unknown, gated as
	// public. Its high findings: lodash (2), jsonwebtoken, moment (2), axios.
	accept := func(expires string) string {
		var b strings.Builder
		b.WriteString("fail_on:\n  public: high\nexceptions:\n")
		for _, id := range []string{"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw", "GHSA-8cf7-32gw-wr33", "GHSA-8hfj-j24r-96c4", "GHSA-wc69-rhjr-hc9g", "GHSA-cph5-m8f7-6c5x"} {
			b.WriteString("  - id: " + id + "\n    reason: not reachable from the handler\n    owner: team@example.com\n    expires: " + expires + "\n")
		}
		b.WriteString("  - package: left-pad\n    reason: removed last sprint\n")
		return b.String()
	}
	tests := []struct {
		name, policy string
		want         int
		wantStatus   string // status of the first exception
	}{
		{"a critical rule for public lets high findings pass", "fail_on:\n  public: critical\n", 0, ""},
		{"live exceptions accept every high finding", accept("2099-12-31"), 0, "active"},
		{"expired exceptions no longer do", accept("2020-01-01"), 1, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			r := run(t, "scan", "--db", testDB, "--policy", write("p.yaml", tt.policy), "--format", "json="+out, "--format", "table", demoZip)
			if r.code != tt.want {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.want, r.stdout, r.stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Policy struct {
					Exceptions []struct{ Status string } `json:"exceptions"`
				} `json:"policy"`
				Functions []struct {
					Findings []struct {
						ID         string `json:"id"`
						Suppressed bool   `json:"suppressed"`
					} `json:"findings"`
				} `json:"functions"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus == "" {
				return
			}
			ex := doc.Policy.Exceptions
			if len(ex) != 7 || ex[0].Status != tt.wantStatus || ex[6].Status != "stale" {
				t.Errorf("exceptions %+v: want %s ... stale", ex, tt.wantStatus)
			}
			suppressed := 0
			for _, f := range doc.Functions[0].Findings {
				if f.Suppressed {
					suppressed++
				}
			}
			if want := map[string]int{"active": 6, "expired": 0}[tt.wantStatus]; suppressed != want {
				t.Errorf("%d findings suppressed, want %d", suppressed, want)
			}
			if tt.wantStatus == "active" && !strings.Contains(r.stdout, "(suppressed)") {
				t.Errorf("the table does not mark suppressed findings:\n%s", r.stdout)
			}
		})
	}
	r := run(t, "scan", "--db", testDB, "--policy", write("bad.yaml", "fail_on:\n  pubic: high\n"), demoZip)
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:2: unknown key \"pubic\"") {
		t.Errorf("bad policy: exit %d, stderr %q", r.code, r.stderr)
	}
}
