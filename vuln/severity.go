package vuln

import (
	"strings"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Severity is a finding's qualitative severity: "critical", "high",
// "medium", "low" or "unknown".
type Severity string

// The severities, from the CVSS qualitative rating scale.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityUnknown  Severity = "unknown"
)

// Rank orders severities: critical 4, high 3, medium 2, low 1, anything else
// (unknown) 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// rating is a record's severity and, when it came from a CVSS vector, the
// base score and the vector.
type rating struct {
	severity Severity
	score    float64
	vector   string
}

// cvssPreference lists the CVSS versions in the order they are preferred.
var cvssPreference = []osvpb.Severity_Type{
	osvpb.Severity_CVSS_V3, osvpb.Severity_CVSS_V4, osvpb.Severity_CVSS_V2,
}

// rateRecord rates a record from its CVSS vectors (top-level severity first,
// then the severity of the affected entries given), else from the source's
// own rating in database_specific.severity, else unknown. A vector that does
// not parse is skipped.
func rateRecord(v *osvpb.Vulnerability, affected []*osvpb.Affected) rating {
	sevs := append([]*osvpb.Severity(nil), v.GetSeverity()...)
	for _, a := range affected {
		sevs = append(sevs, a.GetSeverity()...)
	}
	for _, typ := range cvssPreference {
		for _, s := range sevs {
			if s.GetType() != typ {
				continue
			}
			if r, ok := rateVector(typ, strings.TrimSpace(s.GetScore())); ok {
				return r
			}
		}
	}
	return rating{severity: databaseSeverity(v)}
}

// rateVector computes the base score of a CVSS vector and its rating.
func rateVector(typ osvpb.Severity_Type, vector string) (rating, bool) {
	var score float64
	switch typ {
	case osvpb.Severity_CVSS_V3:
		s, ok := cvss3Score(vector)
		if !ok {
			return rating{}, false
		}
		score = s
	case osvpb.Severity_CVSS_V4:
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return rating{}, false
		}
		score = c.Score()
	case osvpb.Severity_CVSS_V2:
		c, err := gocvss20.ParseVector(cvss2Body(vector))
		if err != nil {
			return rating{}, false
		}
		return rating{severity: cvss2Rating(c.BaseScore()), score: c.BaseScore(), vector: vector}, true
	default:
		return rating{}, false
	}
	return rating{severity: cvss3Rating(score), score: score, vector: vector}, true
}

// cvss3Score parses a CVSS v3.0 or v3.1 vector and returns its base score.
func cvss3Score(vector string) (float64, bool) {
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	}
	return 0, false
}

// cvss2Body strips the optional "CVSS:2.0/" prefix and parentheses some
// sources put around a v2 vector.
func cvss2Body(vector string) string {
	vector = strings.TrimPrefix(vector, "CVSS:2.0/")
	return strings.TrimSuffix(strings.TrimPrefix(vector, "("), ")")
}

// cvss3Rating is the qualitative rating of CVSS v3.x and v4.0 scores. A
// score of 0.0 ("none" in the specification) is rated low: fnaudit's
// vocabulary has no "none" and the record still names a flaw.
func cvss3Rating(score float64) Severity {
	switch {
	case score >= 9.0:
		return SeverityCritical
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	}
	return SeverityLow
}

// cvss2Rating is the NVD rating of CVSS v2 scores (v2 has no "critical").
func cvss2Rating(score float64) Severity {
	switch {
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	}
	return SeverityLow
}

// databaseSeverity reads the source's own rating (GHSA and others put it in
// database_specific.severity: CRITICAL, HIGH, MODERATE, LOW).
func databaseSeverity(v *osvpb.Vulnerability) Severity {
	f, ok := v.GetDatabaseSpecific().GetFields()["severity"]
	if !ok {
		return SeverityUnknown
	}
	switch strings.ToUpper(strings.TrimSpace(f.GetStringValue())) {
	case "CRITICAL":
		return SeverityCritical
	case "HIGH":
		return SeverityHigh
	case "MODERATE", "MEDIUM":
		return SeverityMedium
	case "LOW":
		return SeverityLow
	}
	return SeverityUnknown
}
