package server

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// findingRow is one finding of a function in an application's entry, with
// what makes it dangerous there.
type findingRow struct {
	Application string           `json:"application"`
	Entry       int64            `json:"entry"`
	Function    string           `json:"function"`
	Exposure    bundle.Exposure  `json:"exposure"`
	Privilege   bundle.Privilege `json:"privilege"`
	// Trigger is the trigger that gives the function its exposure.
	Trigger string `json:"trigger,omitempty"`
	reports.Finding
}

// filter selects findings: each list given allows any of its values; an
// empty list allows all.
type filter struct {
	Application string
	Risks       []reports.Level
	Exposures   []bundle.Exposure
	// NewOnly keeps the findings the newest rescan marked new.
	NewOnly bool
}

var (
	riskWords     = []string{"critical", "high", "medium", "low", "none"}
	exposureWords = []string{"public", "authenticated", "internal", "unknown"}
)

// parseFilter reads a filter from query parameters: application=NAME,
// risk=LEVEL and exposure=EXPOSURE (repeatable), new=1. Unknown values are
// an error; other parameters are ignored.
func parseFilter(q url.Values) (filter, error) {
	f := filter{Application: q.Get("application")}
	if f.Application != "" {
		if err := checkName("application", f.Application); err != nil {
			return f, err
		}
	}
	for _, v := range q["risk"] {
		if !slices.Contains(riskWords, v) {
			return f, errBadRequest(fmt.Sprintf("risk %q: use %s", clip(v), strings.Join(riskWords, ", ")))
		}
		f.Risks = append(f.Risks, reports.Level(v))
	}
	for _, v := range q["exposure"] {
		if !slices.Contains(exposureWords, v) {
			return f, errBadRequest(fmt.Sprintf("exposure %q: use %s", clip(v), strings.Join(exposureWords, ", ")))
		}
		f.Exposures = append(f.Exposures, bundle.Exposure(v))
	}
	switch v := q.Get("new"); v {
	case "", "0", "false":
	case "1", "true", "on":
		f.NewOnly = true
	default:
		return f, errBadRequest(fmt.Sprintf("new %q: use 1 or 0", clip(v)))
	}
	return f, nil
}

// query writes f back as query parameters (for links).
func (f filter) query() url.Values {
	q := url.Values{}
	if f.Application != "" {
		q.Set("application", f.Application)
	}
	for _, r := range f.Risks {
		q.Add("risk", string(r))
	}
	for _, e := range f.Exposures {
		q.Add("exposure", string(e))
	}
	if f.NewOnly {
		q.Set("new", "1")
	}
	return q
}

func (f filter) keeps(row findingRow) bool {
	return (len(f.Risks) == 0 || slices.Contains(f.Risks, row.Risk)) &&
		(len(f.Exposures) == 0 || slices.Contains(f.Exposures, row.Exposure)) &&
		(!f.NewOnly || row.Change == reports.ChangeNew)
}

// collectFindings lists the findings of the entries ls that f keeps,
// riskiest first. Findings a rescan marked fixed are no longer findings
// and are left out.
func collectFindings(ls []loaded, f filter) []findingRow {
	var out []findingRow
	for _, l := range ls {
		for _, fn := range l.Report.Functions {
			for _, fd := range fn.Findings {
				if fd.Change == reports.ChangeFixed {
					continue
				}
				row := findingRow{Application: l.Report.Application.Name, Entry: l.Entry.ID, Function: fn.Name,
					Exposure: fn.Exposure, Privilege: fn.Privilege, Trigger: widestTrigger(&fn), Finding: fd}
				if f.keeps(row) {
					out = append(out, row)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b findingRow) int {
		return cmp.Or(-cmp.Compare(a.Risk.Rank(), b.Risk.Rank()), cmp.Compare(a.Application, b.Application),
			cmp.Compare(a.Function, b.Function), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Package, b.Package))
	})
	return out
}

// widestTrigger describes the trigger that gives fn its exposure.
func widestTrigger(fn *reports.Function) string {
	for _, t := range fn.Triggers {
		if t.Exposure == fn.Exposure {
			return strings.TrimSpace(t.Type + " " + t.Detail)
		}
	}
	return ""
}

// counts are a function's or an entry's findings by risk, without fixed
// ones, and how many the newest rescan marked new.
type counts struct {
	ByRisk map[reports.Level]int
	Total  int
	New    int
	Fixed  int
}

func countFindings(fns ...reports.Function) counts {
	c := counts{ByRisk: map[reports.Level]int{}}
	for _, fn := range fns {
		for _, f := range fn.Findings {
			switch f.Change {
			case reports.ChangeFixed:
				c.Fixed++
				continue
			case reports.ChangeNew:
				c.New++
			}
			c.ByRisk[f.Risk]++
			c.Total++
		}
	}
	return c
}
