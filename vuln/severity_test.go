package vuln

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
)

// TestRateRecord checks where a record's severity comes from.
func TestRateRecord(t *testing.T) {
	const (
		v31      = "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"                    // 7.2
		v30      = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"                    // 9.8
		v40      = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N" // 6.9
		v2       = "AV:N/AC:L/Au:N/C:P/I:P/A:P"                                      // 7.5
		v3Low    = "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"                    // 1.6
		v3None   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"                    // 0.0
		badV3    = "CVSS:3.1/AV:X/AC:L"
		badV4    = "CVSS:4.0/garbage"
		moderate = "MODERATE"
	)
	sev := func(typ osvpb.Severity_Type, score string) *osvpb.Severity {
		return &osvpb.Severity{Type: typ, Score: score}
	}
	tests := []struct {
		name     string
		sevs     []*osvpb.Severity
		affected []*osvpb.Severity
		db       string
		want     rating
	}{
		{"v3.1", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, v31)}, nil, "", rating{SeverityHigh, 7.2, v31}},
		{"v3.0", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, v30)}, nil, "", rating{SeverityCritical, 9.8, v30}},
		{"v3 preferred over v4", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V4, v40), sev(osvpb.Severity_CVSS_V3, v31)}, nil, "", rating{SeverityHigh, 7.2, v31}},
		{"v4 alone", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V4, v40)}, nil, "", rating{SeverityMedium, 6.9, v40}},
		{"v4 preferred over v2", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V2, v2), sev(osvpb.Severity_CVSS_V4, v40)}, nil, "", rating{SeverityMedium, 6.9, v40}},
		{"v2 alone, no critical in v2", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V2, v2)}, nil, "", rating{SeverityHigh, 7.5, v2}},
		{"low", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, v3Low)}, nil, "", rating{SeverityLow, 1.6, v3Low}},
		{"zero score is low", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, v3None)}, nil, "", rating{SeverityLow, 0, v3None}},
		{"affected-level vector", nil, []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, v30)}, "", rating{SeverityCritical, 9.8, v30}},
		{"malformed v3 falls back to v4", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, badV3), sev(osvpb.Severity_CVSS_V4, v40)}, nil, "", rating{SeverityMedium, 6.9, v40}},
		{"malformed vectors fall back to the source's rating", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V3, badV3), sev(osvpb.Severity_CVSS_V4, badV4), sev(osvpb.Severity_CVSS_V2, "nonsense")}, nil, moderate, rating{severity: SeverityMedium}},
		{"v3 vector under the wrong type", []*osvpb.Severity{sev(osvpb.Severity_CVSS_V2, v31)}, nil, "", rating{severity: SeverityUnknown}},
		{"database_specific CRITICAL", nil, nil, "CRITICAL", rating{severity: SeverityCritical}},
		{"database_specific HIGH", nil, nil, "HIGH", rating{severity: SeverityHigh}},
		{"database_specific MODERATE", nil, nil, moderate, rating{severity: SeverityMedium}},
		{"database_specific LOW", nil, nil, "LOW", rating{severity: SeverityLow}},
		{"database_specific other", nil, nil, "SEVERE", rating{severity: SeverityUnknown}},
		{"nothing", nil, nil, "", rating{severity: SeverityUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := `{"id": "X-1"`
			if tt.db != "" {
				raw += `, "database_specific": {"severity": "` + tt.db + `"}`
			}
			v, err := DecodeRecord([]byte(raw + "}"))
			if err != nil {
				t.Fatal(err)
			}
			v.Severity = tt.sevs
			got := rateRecord(v, []*osvpb.Affected{{Severity: tt.affected}})
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rating{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSeverityRank checks the order of severities.
func TestSeverityRank(t *testing.T) {
	order := []Severity{SeverityUnknown, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
	for i, s := range order {
		if s.Rank() != i {
			t.Errorf("%s.Rank() = %d, want %d", s, s.Rank(), i)
		}
	}
	if Severity("bogus").Rank() != 0 {
		t.Error("unknown strings should rank 0")
	}
}

// TestMatchSeverityReal checks severities of real records: GHSA vectors,
// GHSA without vector (database_specific), PyPI CVSS v4 only, Go (none).
func TestMatchSeverityReal(t *testing.T) {
	db := openTestDB(t)
	tests := []struct {
		eco, pkg, version, id string
		want                  Severity
		wantCVSS              float64
	}{
		{"npm", "handlebars", "4.5.2", "GHSA-q2c6-c6pm-g3gh", SeverityHigh, 0},   // no vector: database_specific HIGH
		{"npm", "cookie", "0.6.0", "GHSA-pxg6-pf52-xh8x", SeverityLow, 0},        // no vector: database_specific LOW
		{"npm", "lodash", "4.17.15", "GHSA-35jh-r3h4-6jhm", SeverityHigh, 7.2},   // CVSS v3.1
		{"PyPI", "Jinja2", "3.1.2", "PYSEC-2026-1471", SeverityMedium, 5.4},      // CVSS v4 only
		{"Go", "golang.org/x/text", "0.3.5", "GO-2021-0113", SeverityUnknown, 0}, // Go records carry no severity
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, _ := matchOne(t, db, tt.eco, tt.pkg, tt.version)
			for _, f := range got {
				if f.ID == tt.id {
					if f.Severity != tt.want || f.CVSS != tt.wantCVSS {
						t.Errorf("severity %s cvss %v, want %s %v", f.Severity, f.CVSS, tt.want, tt.wantCVSS)
					}
					return
				}
			}
			t.Errorf("%s not found in %v", tt.id, findingIDs(got))
		})
	}
}
