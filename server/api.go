package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// The JSON shapes of the API (docs/api.md).

// apiEntry is a recorded scan or rescan.
type apiEntry struct {
	ID          int64             `json:"id"`
	Application string            `json:"application"`
	Kind        store.Kind        `json:"kind"`
	Base        int64             `json:"base,omitempty"`
	RecordedAt  time.Time         `json:"recorded_at"`
	ToolVersion string            `json:"tool_version"`
	Labels      map[string]string `json:"labels"`
	Functions   int               `json:"functions"`
	Incomplete  int               `json:"incomplete"`
	Findings    int               `json:"findings"`
	ByRisk      map[string]int    `json:"by_risk"`
	// Changes are a rescan's findings by change.
	Changes  *reports.Changes  `json:"changes,omitempty"`
	ExitCode int               `json:"exit_code"`
	Links    map[string]string `json:"links"`
}

func newAPIEntry(e store.Entry) apiEntry {
	a := apiEntry{ID: e.ID, Application: e.Application, Kind: e.Kind, Base: e.Base, RecordedAt: e.RecordedAt.UTC(),
		ToolVersion: e.ToolVersion, Labels: e.Labels, Functions: e.Counts.Functions, Incomplete: e.Counts.Incomplete,
		Findings: e.Counts.Findings, ByRisk: map[string]int{}, ExitCode: e.Counts.ExitCode, Links: entryLinks(e)}
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	for _, l := range []reports.Level{reports.LevelCritical, reports.LevelHigh, reports.LevelMedium, reports.LevelLow} {
		a.ByRisk[string(l)] = e.Counts.ByRisk[l]
	}
	if e.Kind == store.KindRescan {
		a.Changes = &reports.Changes{New: e.Counts.New, Unchanged: e.Counts.Unchanged, Fixed: e.Counts.Fixed}
	}
	return a
}

func entryLinks(e store.Entry) map[string]string {
	id := strconv.FormatInt(e.ID, 10)
	return map[string]string{
		"self":            "/api/v1/scans/" + id,
		"report":          "/api/v1/scans/" + id + "/report",
		"sarif":           "/api/v1/scans/" + id + "/sarif",
		"cyclonedx":       "/api/v1/scans/" + id + "/cyclonedx",
		"cyclonedx_xml":   "/api/v1/scans/" + id + "/cyclonedx?format=xml",
		"application":     "/api/v1/applications/" + url.PathEscape(e.Application) + "?scan=" + id,
		"application_web": appURL(e.Application, e.ID),
	}
}

// apiFunction is a function of an entry without its packages and findings
// (counted), as GET /api/v1/applications/{app} lists it.
type apiFunction struct {
	Name             string               `json:"name"`
	Runtime          string               `json:"runtime"`
	Handler          string               `json:"handler"`
	PackageType      string               `json:"package_type"`
	Source           bundle.Location      `json:"source"`
	Status           string               `json:"status"`
	Errors           []string             `json:"errors"`
	Triggers         []bundle.Trigger     `json:"triggers"`
	Exposure         bundle.Exposure      `json:"exposure"`
	Privilege        bundle.Privilege     `json:"privilege"`
	PrivilegeReasons []string             `json:"privilege_reasons"`
	Risk             reports.FunctionRisk `json:"risk"`
	Artifacts        []bundle.Artifact    `json:"artifacts"`
	Packages         int                  `json:"packages"`
	Findings         int                  `json:"findings"`
	ByRisk           map[string]int       `json:"by_risk"`
	New              int                  `json:"new"`
	Links            map[string]string    `json:"links"`
}

func newAPIFunction(app string, entry int64, fn *reports.Function) apiFunction {
	c := countFindings(*fn)
	a := apiFunction{Name: fn.Name, Runtime: fn.Runtime, Handler: fn.Handler, PackageType: fn.PackageType,
		Source: fn.Source, Status: fn.Status, Errors: fn.Errors, Triggers: fn.Triggers, Exposure: fn.Exposure,
		Privilege: fn.Privilege, PrivilegeReasons: fn.PrivilegeReasons, Risk: fn.Risk, Artifacts: fn.Artifacts,
		Packages: len(fn.Packages), Findings: c.Total, ByRisk: map[string]int{}, New: c.New}
	for _, l := range []reports.Level{reports.LevelCritical, reports.LevelHigh, reports.LevelMedium, reports.LevelLow} {
		a.ByRisk[string(l)] = c.ByRisk[l]
	}
	base := "/api/v1/applications/" + url.PathEscape(app) + "/functions/" + url.PathEscape(fn.Name)
	scan := "?scan=" + strconv.FormatInt(entry, 10)
	a.Links = map[string]string{"self": base + scan, "cyclonedx": base + "/cyclonedx" + scan,
		"cyclonedx_xml": base + "/cyclonedx" + scan + "&format=xml", "web": functionURL(app, fn.Name, entry)}
	return a
}

// writeJSON answers v as indented JSON.
func writeJSON(w http.ResponseWriter, code int, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the answer: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	_, err = w.Write(append(data, '\n'))
	return err
}

// writeJSONError answers an API error as {"error": "...", "problems": [...]}.
func writeJSONError(w http.ResponseWriter, he *httpError) {
	body := map[string]any{"error": he.msg}
	if len(he.problems) > 0 {
		body["problems"] = he.problems
	}
	_ = writeJSON(w, he.code, body)
}

// GET /api/v1/applications
func (s *Server) apiApplications(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.cfg.Store.Applications(r.Context())
	if err != nil {
		return err
	}
	latest, err := s.cfg.Store.Latest(r.Context(), store.Query{})
	if err != nil {
		return err
	}
	byName := map[string]store.Entry{}
	for _, e := range latest {
		byName[e.Application] = e
	}
	type application struct {
		Name    string   `json:"name"`
		Entries int      `json:"entries"`
		Latest  apiEntry `json:"latest"`
	}
	out := []application{}
	for _, a := range apps {
		out = append(out, application{Name: a.Name, Entries: a.Entries, Latest: newAPIEntry(byName[a.Name])})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"applications": out})
}

// GET /api/v1/applications/{app}[?scan=ID]
func (s *Server) apiApplication(w http.ResponseWriter, r *http.Request) error {
	l, _, err := s.appEntry(r.Context(), r.PathValue("app"), r)
	if err != nil {
		return err
	}
	fns := []apiFunction{}
	for i := range l.Report.Functions {
		fns = append(fns, newAPIFunction(l.Report.Application.Name, l.Entry.ID, &l.Report.Functions[i]))
	}
	fixes := l.Report.LayerFixes
	if fixes == nil {
		fixes = []reports.LayerFix{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"application": l.Report.Application, "entry": newAPIEntry(l.Entry), "database": l.Report.Database,
		"summary": l.Report.Summary, "functions": fns, "layer_fixes": fixes,
	})
}

// GET /api/v1/applications/{app}/functions/{function}[?scan=ID]: the whole
// function as the report has it.
func (s *Server) apiFunction(w http.ResponseWriter, r *http.Request) error {
	l, fn, err := s.functionEntry(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"application": l.Report.Application.Name, "entry": newAPIEntry(l.Entry), "function": fn,
		"links": newAPIFunction(l.Report.Application.Name, l.Entry.ID, fn).Links,
	})
}

// GET /api/v1/scans[?application=NAME][&label=KEY=VALUE...][&limit=][&offset=]:
// oldest first.
func (s *Server) apiScans(w http.ResponseWriter, r *http.Request) error {
	q, err := entryQuery(r.URL.Query())
	if err != nil {
		return err
	}
	limit, offset, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	entries, err := s.cfg.Store.Entries(r.Context(), q)
	if err != nil {
		return err
	}
	total := len(entries)
	start := min(offset, total)
	entries = entries[start : start+min(limit, total-start)]
	out := make([]apiEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, newAPIEntry(e))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": total, "offset": offset, "limit": limit, "scans": out})
}

// entryQuery reads ?application= and ?label=KEY=VALUE.
func entryQuery(v url.Values) (store.Query, error) {
	q := store.Query{Application: v.Get("application"), Labels: map[string]string{}}
	if q.Application != "" {
		if err := checkName("application", q.Application); err != nil {
			return q, err
		}
	}
	for _, l := range v["label"] {
		k, val, ok := cutLabel(l)
		if !ok {
			return q, errBadRequest(fmt.Sprintf("label %q: write KEY=VALUE", clip(l)))
		}
		q.Labels[k] = val
	}
	return q, nil
}

// GET /api/v1/scans/{id}
func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) error {
	l, err := s.entryByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	fns := []apiFunction{}
	for i := range l.Report.Functions {
		fns = append(fns, newAPIFunction(l.Report.Application.Name, l.Entry.ID, &l.Report.Functions[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"scan": newAPIEntry(l.Entry), "rescan_of": l.Report.Rescan,
		"database": l.Report.Database, "summary": l.Report.Summary, "functions": fns})
}

// GET /api/v1/findings[?application=][&risk=][&exposure=][&new=1][&limit=][&offset=]:
// the findings of every application's newest entry.
func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	limit, offset, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := s.findings(r.Context(), f)
	if err != nil {
		return err
	}
	total := len(rows)
	start := min(offset, total)
	rows = rows[start : start+min(limit, total-start)]
	if rows == nil {
		rows = []findingRow{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": total, "offset": offset, "limit": limit, "findings": rows})
}

// findings collects the findings f keeps from the newest entries.
func (s *Server) findings(ctx context.Context, f filter) ([]findingRow, error) {
	ls, err := s.latestAll(ctx, f.Application)
	if err != nil {
		return nil, err
	}
	return collectFindings(ls, f), nil
}

// page reads ?limit= (default 1000, at most 10000) and ?offset=.
func page(q url.Values) (limit, offset int, err error) {
	limit, offset = 1000, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 10000 {
			return 0, 0, errBadRequest("limit: a number from 1 to 10000")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, errBadRequest("offset: a number from 0")
		}
	}
	return limit, offset, nil
}

// GET /api/v1/layer-fixes: the layer fixes of every application's newest
// entry, one per layer digest and package.
func (s *Server) apiLayerFixes(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.latestAll(r.Context(), "")
	if err != nil {
		return err
	}
	fixes := mergeLayerFixes(ls)
	if fixes == nil {
		fixes = []reports.LayerFix{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"layer_fixes": fixes})
}
