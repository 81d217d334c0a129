package server

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// link is a labelled address.
type link struct {
	Label, URL string
}

// appRow is an application on the home page.
type appRow struct {
	Name, URL string
	Kind      bundle.Kind
	Entry     store.Entry
	Counts    counts
	Worst     reports.Level
	Public    int // functions reachable from the internet without credentials
}

// GET /: the applications, each with its newest entry.
func (s *Server) appsPage(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.latestAll(r.Context(), "")
	if err != nil {
		return err
	}
	view := struct {
		frame
		Apps []appRow
	}{frame: s.frame("Applications", "apps")}
	for _, l := range ls {
		row := appRow{Name: l.Report.Application.Name, URL: appURL(l.Report.Application.Name, 0),
			Kind: l.Report.Application.Kind, Entry: l.Entry, Counts: countFindings(l.Report.Functions...), Worst: reports.LevelNone}
		for _, fn := range l.Report.Functions {
			if fn.Risk.Level.Rank() > row.Worst.Rank() {
				row.Worst = fn.Risk.Level
			}
			if fn.Exposure == bundle.ExposurePublic {
				row.Public++
			}
		}
		view.Apps = append(view.Apps, row)
	}
	return s.render(w, http.StatusOK, "apps", view)
}

// functionRow is a function in an application's table.
type functionRow struct {
	*reports.Function
	URL    string
	Widest string
	Counts counts
	Layers []string
}

// entryRow is an entry in an application's history.
type entryRow struct {
	store.Entry
	URL     string
	Current bool
}

// GET /apps/{app}[?scan=ID]: an application's entry: functions, layer
// fixes, downloads, history.
func (s *Server) appPage(w http.ResponseWriter, r *http.Request) error {
	l, entries, err := s.appEntry(r.Context(), r.PathValue("app"), r)
	if err != nil {
		return err
	}
	app := l.Report.Application.Name
	pin := pinned(r, l.Entry.ID)
	view := struct {
		frame
		L           loaded
		Pinned      bool
		NewestURL   string
		Counts      counts
		Functions   []functionRow
		Chart       chart
		History     []entryRow
		LayerFixes  []layerFixView
		Downloads   []link
		FindingsURL string
	}{frame: s.frame(app, "apps"), L: l, Pinned: pin > 0, NewestURL: appURL(app, 0),
		Counts: countFindings(l.Report.Functions...), Chart: historyChart(entries, l.Entry.ID),
		FindingsURL: "/findings?application=" + url.QueryEscape(app)}
	for i := range l.Report.Functions {
		fn := &l.Report.Functions[i]
		view.Functions = append(view.Functions, functionRow{Function: fn, URL: functionURL(app, fn.Name, pin),
			Widest: widestTrigger(fn), Counts: countFindings(*fn), Layers: layerNames(fn)})
	}
	sortFunctionRows(view.Functions)
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		view.History = append(view.History, entryRow{Entry: e, URL: appURL(app, e.ID), Current: e.ID == l.Entry.ID})
	}
	view.LayerFixes = layerFixViews(l.Report.LayerFixes)
	view.Downloads = appDownloads(app, l.Entry.ID)
	return s.render(w, http.StatusOK, "app", view)
}

// pinned is the entry to keep in links: id when the request named it.
func pinned(r *http.Request, id int64) int64 {
	if r.URL.Query().Get("scan") != "" {
		return id
	}
	return 0
}

// sortFunctionRows puts the riskiest functions first.
func sortFunctionRows(rows []functionRow) {
	slices.SortStableFunc(rows, func(a, b functionRow) int {
		return cmp.Or(-cmp.Compare(a.Risk.Score, b.Risk.Score), -cmp.Compare(a.Exposure.Rank(), b.Exposure.Rank()),
			cmp.Compare(a.Name, b.Name))
	})
}

func layerNames(fn *reports.Function) []string {
	var out []string
	for _, a := range fn.Artifacts {
		if a.Role == bundle.RoleLayer {
			out = append(out, a.Name)
		}
	}
	return out
}

func appDownloads(app string, id int64) []link {
	scan := "?scan=" + strconv.FormatInt(id, 10)
	sid := strconv.FormatInt(id, 10)
	return []link{
		{"CycloneDX JSON", apiAppURL(app) + "/cyclonedx" + scan},
		{"CycloneDX XML", apiAppURL(app) + "/cyclonedx" + scan + "&format=xml"},
		{"SARIF", "/api/v1/scans/" + sid + "/sarif"},
		{"Report JSON", "/api/v1/scans/" + sid + "/report"},
	}
}

// artifactRow is an artifact in load order.
type artifactRow struct {
	bundle.Artifact
	N int
}

// findingLink is a finding with its page.
type findingLink struct {
	reports.Finding
	URL string
}

// GET /apps/{app}/functions/{function}[?scan=ID]
func (s *Server) functionPage(w http.ResponseWriter, r *http.Request) error {
	l, fn, err := s.functionEntry(r)
	if err != nil {
		return err
	}
	app := l.Report.Application.Name
	pin := pinned(r, l.Entry.ID)
	view := struct {
		frame
		L         loaded
		Fn        *reports.Function
		AppURL    string
		Counts    counts
		Artifacts []artifactRow
		Findings  []findingLink
		Fixed     []findingLink
		Downloads []link
	}{frame: s.frame(fn.Name+" · "+app, "apps"), L: l, Fn: fn, AppURL: appURL(app, pin), Counts: countFindings(*fn)}
	for i, a := range fn.Artifacts {
		view.Artifacts = append(view.Artifacts, artifactRow{Artifact: a, N: i + 1})
	}
	for _, f := range fn.Findings {
		fl := findingLink{Finding: f, URL: findingURL(app, fn.Name, f.ID, pin)}
		if f.Change == reports.ChangeFixed {
			view.Fixed = append(view.Fixed, fl)
		} else {
			view.Findings = append(view.Findings, fl)
		}
	}
	scan := "?scan=" + strconv.FormatInt(l.Entry.ID, 10)
	view.Downloads = []link{
		{"CycloneDX JSON", apiFunctionURL(app, fn.Name) + "/cyclonedx" + scan},
		{"CycloneDX XML", apiFunctionURL(app, fn.Name) + "/cyclonedx" + scan + "&format=xml"},
	}
	return s.render(w, http.StatusOK, "function", view)
}

// GET /apps/{app}/functions/{function}/findings/{id}[?scan=ID]: one
// advisory in one function: every package occurrence it affects there,
// why it is rated as it is, the layer fix, and the other functions of the
// application it affects.
func (s *Server) findingPage(w http.ResponseWriter, r *http.Request) error {
	l, fn, err := s.functionEntry(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkName("advisory", id); err != nil {
		return err
	}
	var occ []reports.Finding
	for _, f := range fn.Findings {
		if f.ID == id {
			occ = append(occ, f)
		}
	}
	if len(occ) == 0 {
		return errNotFound("function " + clip(fn.Name) + " has no finding " + clip(id))
	}
	app := l.Report.Application.Name
	pin := pinned(r, l.Entry.ID)
	view := struct {
		frame
		L           loaded
		Fn          *reports.Function
		F           reports.Finding
		Occurrences []reports.Finding
		AppURL      string
		FnURL       string
		Others      []link
		LayerFixes  []layerFixView
	}{frame: s.frame(id+" · "+fn.Name, "apps"), L: l, Fn: fn, F: occ[0], Occurrences: occ,
		AppURL: appURL(app, pin), FnURL: functionURL(app, fn.Name, pin)}
	for _, other := range l.Report.Functions {
		if other.Name != fn.Name && slices.ContainsFunc(other.Findings, func(f reports.Finding) bool { return f.ID == id }) {
			view.Others = append(view.Others, link{other.Name, findingURL(app, other.Name, id, pin)})
		}
	}
	for _, lf := range layerFixViews(l.Report.LayerFixes) {
		if slices.Contains(lf.Advisories, id) && slices.ContainsFunc(occ, func(f reports.Finding) bool { return f.Package == lf.Package }) {
			view.LayerFixes = append(view.LayerFixes, lf)
		}
	}
	return s.render(w, http.StatusOK, "finding", view)
}

// option is a choice of a filter form.
type option struct {
	Value   string
	Checked bool
}

// maxShown bounds the findings one page lists.
const maxShown = 500

// GET /findings[?application=][&risk=...][&exposure=...][&new=1]: the
// findings of every application's newest entry, filtered.
func (s *Server) findingsPage(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := s.findings(r.Context(), f)
	if err != nil {
		return err
	}
	apps, err := s.cfg.Store.Applications(r.Context())
	if err != nil {
		return err
	}
	view := struct {
		frame
		Filter    filter
		Apps      []option
		Risks     []option
		Exposures []option
		Rows      []findingView
		Total     int
		JSONURL   string
	}{frame: s.frame("Findings", "findings"), Filter: f, Total: len(rows),
		JSONURL: "/api/v1/findings?" + f.query().Encode()}
	for _, a := range apps {
		view.Apps = append(view.Apps, option{a.Name, a.Name == f.Application})
	}
	for _, v := range riskWords[:4] {
		view.Risks = append(view.Risks, option{v, slices.Contains(f.Risks, reports.Level(v))})
	}
	for _, v := range exposureWords {
		view.Exposures = append(view.Exposures, option{v, slices.Contains(f.Exposures, bundle.Exposure(v))})
	}
	for _, row := range rows[:min(len(rows), maxShown)] {
		view.Rows = append(view.Rows, newFindingView(row))
	}
	return s.render(w, http.StatusOK, "findings", view)
}

// findingView is a row of the findings page.
type findingView struct {
	findingRow
	AppURL, FunctionURL, FindingURL string
}

func newFindingView(row findingRow) findingView {
	return findingView{findingRow: row, AppURL: appURL(row.Application, 0),
		FunctionURL: functionURL(row.Application, row.Function, 0),
		FindingURL:  findingURL(row.Application, row.Function, row.ID, 0)}
}

// GET /layers: the layer fixes of every application's newest entry.
func (s *Server) layersPage(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.latestAll(r.Context(), "")
	if err != nil {
		return err
	}
	view := struct {
		frame
		Fixes []layerFixView
	}{frame: s.frame("Layer fixes", "layers"), Fixes: layerFixViews(mergeLayerFixes(ls))}
	return s.render(w, http.StatusOK, "layers", view)
}

// GET /scans[?application=][&label=K=V]: every entry, newest first.
func (s *Server) scansPage(w http.ResponseWriter, r *http.Request) error {
	q, err := entryQuery(r.URL.Query())
	if err != nil {
		return err
	}
	entries, err := s.cfg.Store.Entries(r.Context(), q)
	if err != nil {
		return err
	}
	view := struct {
		frame
		Entries []entryRow
	}{frame: s.frame("Scans", "scans")}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		view.Entries = append(view.Entries, entryRow{Entry: e, URL: appURL(e.Application, e.ID)})
	}
	return s.render(w, http.StatusOK, "scans", view)
}
