package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fnaudit/fnaudit/internal/schematest"
	"github.com/fnaudit/fnaudit/reports"
)

// chromiumPath is the Debian package's browser.
const chromiumPath = "/usr/bin/chromium"

// screenshotsEnv names a directory to keep the browser test's screenshots
// in (else they go to a temporary directory).
const screenshotsEnv = "FNAUDIT_SCREENSHOTS"

// TestBrowser walks the UI in headless Chromium as an auditor does:
// applications → an application (history chart of two scans) → a function
// (triggers, exposure, risk, findings; its CycloneDX JSON download, checked
// against the 1.6 schema) → a finding; then the findings, layer fixes and
// scans pages, the findings filter (the page's script under the CSP) and an
// application and a function whose names need escaping. Every page must
// load nothing from another origin and log no error (CSP violations,
// failed loads, exceptions); a probe page that breaks the CSP on purpose
// shows that such errors are seen. Each page is kept as a full-page
// screenshot.
func TestBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath)

	f := newFixture(t, nil)
	older := sample()
	older.Functions[2].Findings = nil // the image's findings come with the newer scan
	reports.Assess(older, reports.Policy{FailOn: reports.LevelHigh})
	first := f.record(t, older, map[string]string{"env": "prod"})
	newest := f.record(t, sample(), map[string]string{"env": "prod"})
	f.record(t, awkwardSample(), nil)
	want := sample()
	fn := want.Functions[0] // listOrders: public, with layer findings
	finding := fn.Findings[0]
	if fn.Name != "listOrders" || finding.ID != "GHSA-35jh-r3h4-6jhm" {
		t.Fatalf("the sample changed: %s %s", fn.Name, finding.ID)
	}

	// The UI's handler, and a probe page that breaks its CSP on purpose.
	mux := http.NewServeMux()
	mux.Handle("/", f.srv.Handler())
	mux.HandleFunc("GET /csp-probe", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><title>probe</title>`+
			`<script>document.title = "inline script ran";</script></head>`+
			`<body><p id="probe">probe</p><img alt="" src="http://192.0.2.1/pixel.png"></body></html>`)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	shots := os.Getenv(screenshotsEnv)
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	chromeOut := &logBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("no-proxy-server", true),
		chromedp.CombinedOutput(chromeOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	mon := &pageMonitor{origin: ts.URL}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(mon.event))
	defer cancelTab()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to the test's timeout
		t.Fatalf("starting %s: %v\n%s", chromium, err, chromeOut)
	}

	b := &browserWalk{t: t, ctx: ctx, base: ts.URL, shots: shots, mon: mon}

	// The probe: an inline script and an image from elsewhere, both
	// refused by the CSP, must be seen as errors, or the checks below
	// prove nothing.
	b.navigate("/csp-probe")
	b.do("probe", chromedp.WaitVisible(chromedp.CSS("#probe")))
	if title := run(b, "probe title", chromedp.Title()); title == "inline script ran" {
		t.Error("the CSP let an inline script run")
	}
	if problems := mon.take(b); !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "Content Security Policy") }) {
		t.Fatalf("the probe page broke the CSP and no violation was seen (%q): the console checks do not work", problems)
	} else {
		t.Logf("the probe's problems, as expected: %q", problems)
	}

	// Applications.
	b.navigate("/")
	b.page("applications", "Applications")
	apps := run(b, "applications rows", rowsOf("table.apps"))
	if len(apps) != 2 {
		t.Fatalf("applications: %q, want 2 rows", apps)
	}
	orders := rowWith(apps, "orders-api")
	if len(orders) != 8 || !strings.Contains(orders[2], "critical") || !strings.Contains(orders[7], "#"+itoa(newest.ID)) {
		t.Errorf("orders-api's row %q: want its worst risk (critical) and its newest scan #%d", orders, newest.ID)
	}
	if rowWith(apps, "billing sync") == nil {
		t.Errorf("applications: no billing sync in %q", apps)
	}

	// An application.
	b.click("application link", `table.apps a[href="/apps/orders-api"]`, "/apps/orders-api")
	b.page("application", "orders-api")
	b.do("chart", chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	bars := run(b, "chart bars", chromedp.Nodes(chromedp.CSSAll("figure.chart g.bar")))
	if len(bars) != 2 {
		t.Errorf("the history chart has %d bars, want one per scan (2)", len(bars))
	} else if cls := bars[1].AttributeValue("class"); !strings.Contains(cls, "current") {
		t.Errorf("the newest bar is not marked current: class %q", cls)
	}
	if segs := run(b, "chart segments", chromedp.Nodes(chromedp.CSSAll("figure.chart rect.seg"))); len(segs) < 4 {
		t.Errorf("the chart has %d risk segments, want at least 4", len(segs))
	}
	if box := run(b, "chart size", chromedp.Evaluate[[]float64](
		`(() => { const r = document.querySelector("figure.chart svg").getBoundingClientRect(); return [r.width, r.height]; })()`)); len(box) != 2 || box[0] < 400 || box[1] < 100 {
		t.Errorf("the chart is drawn %v px: too small to read", box)
	}
	functions := run(b, "functions rows", rowsOf("table.functions"))
	if len(functions) != len(want.Functions) {
		t.Fatalf("functions: %q, want %d rows", functions, len(want.Functions))
	}
	row := rowWith(functions, fn.Name)
	if row == nil {
		t.Fatalf("functions: no %s in %q", fn.Name, functions)
	}
	if !strings.Contains(row[1], string(fn.Risk.Level)) || !strings.Contains(row[2], string(fn.Exposure)) ||
		!strings.Contains(row[2], "GET /orders (httpApi)") || !strings.Contains(row[3], string(fn.Privilege)) {
		t.Errorf("%s's row %q: want risk %s, exposure %s by GET /orders (httpApi), privilege %s",
			fn.Name, row, fn.Risk.Level, fn.Exposure, fn.Privilege)
	}
	history := run(b, "history rows", rowsOf("table.entries"))
	if len(history) != 2 || history[0][0] != itoa(newest.ID) || history[1][0] != itoa(first.ID) {
		t.Errorf("scans and rescans: %q, want #%d then #%d", history, newest.ID, first.ID)
	}

	// A function.
	fnPath := "/apps/orders-api/functions/" + fn.Name
	b.click("function link", `table.functions a[href="`+fnPath+`"]`, fnPath)
	b.page("function", fn.Name)
	h1 := run(b, "function heading", chromedp.Text(chromedp.CSS("h1")))
	for _, s := range []string{"risk " + string(fn.Risk.Level), string(fn.Exposure), string(fn.Privilege) + " role"} {
		if !strings.Contains(h1, s) {
			t.Errorf("function heading %q: no %q", h1, s)
		}
	}
	triggers := run(b, "triggers rows", rowsOf("table.triggers"))
	if len(triggers) != len(fn.Triggers) {
		t.Errorf("triggers: %q, want %d", triggers, len(fn.Triggers))
	}
	for _, tr := range fn.Triggers {
		if r := rowWith(triggers, tr.Detail); r == nil || r[0] != tr.Type || r[2] != tr.Auth || r[3] != string(tr.Exposure) {
			t.Errorf("trigger %s %q: row %q, want auth %s, exposure %s", tr.Type, tr.Detail, r, tr.Auth, tr.Exposure)
		}
	}
	reasons := run(b, "risk reasons", chromedp.Text(chromedp.CSS("section[aria-labelledby=risk-title]")))
	for _, r := range fn.Risk.Reasons {
		if !strings.Contains(reasons, r) {
			t.Errorf("the risk's reasons %q lack %q", reasons, r)
		}
	}
	findings := run(b, "findings rows", rowsOf("table.findings"))
	for _, fd := range fn.Findings {
		if r := rowWith(findings, fd.ID); r == nil || !strings.Contains(r[0], string(fd.Risk)) || !strings.Contains(r[3], fd.Package+"@"+fd.Version) {
			t.Errorf("finding %s: row %q, want risk %s, package %s@%s", fd.ID, r, fd.Risk, fd.Package, fd.Version)
		}
	}

	// A package@version is read as one token: never broken over two lines.
	if broken := run(b, "package cells", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.findings td code"))
		.filter(c => c.getClientRects().length > 1)
		.map(c => c.textContent)`)); len(broken) > 0 {
		t.Errorf("package versions broken over lines in the findings table: %q", broken)
	}

	// Its CycloneDX JSON download, through the browser's download.
	bom, name := b.download(downloads, `ul.downloads a.button[href$="/cyclonedx?scan=`+itoa(newest.ID)+`"]`)
	for _, p := range mon.take(b) {
		t.Errorf("downloading: %s", p)
	}
	if wantName := "orders-api_listOrders_scan" + itoa(newest.ID) + ".cdx.json"; name != wantName {
		t.Errorf("the download is named %q, want %q", name, wantName)
	}
	var doc struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Components  []struct {
			PURL string `json:"purl"`
		} `json:"components"`
	}
	if err := json.Unmarshal(bom, &doc); err != nil {
		t.Fatalf("the download is not JSON: %v\n%.300s", err, bom)
	}
	if doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.6" {
		t.Errorf("the download is bomFormat %q specVersion %q, want CycloneDX 1.6", doc.BOMFormat, doc.SpecVersion)
	}
	if !slices.ContainsFunc(doc.Components, func(c struct {
		PURL string `json:"purl"`
	}) bool {
		return c.PURL == "pkg:npm/lodash@4.17.15"
	}) {
		t.Errorf("the download lists no pkg:npm/lodash@4.17.15 component")
	}
	if err := schematest.Validate(schematest.CycloneDX(t), bom); err != nil {
		t.Errorf("the download is not valid CycloneDX 1.6: %v", err)
	}

	// A finding.
	findingPath := fnPath + "/findings/" + finding.ID
	b.click("finding link", `table.findings a[href="`+findingPath+`"]`, findingPath)
	b.page("finding", finding.ID)
	h1 = run(b, "finding heading", chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(h1, "risk "+string(finding.Risk)) || !strings.Contains(h1, string(finding.Severity)) {
		t.Errorf("finding heading %q: want risk %s, severity %s", h1, finding.Risk, finding.Severity)
	}
	crumbs := run(b, "breadcrumb", chromedp.Text(chromedp.CSS("nav.crumbs")))
	if !strings.Contains(crumbs, "orders-api") || !strings.Contains(crumbs, fn.Name) || !strings.Contains(crumbs, finding.ID) {
		t.Errorf("breadcrumb %q", crumbs)
	}
	occ := run(b, "occurrences", rowsOf("table.occurrences"))
	if len(occ) != 1 || !strings.Contains(occ[0][0], "lodash@4.17.15") || !strings.Contains(occ[0][3], "4.17.21") {
		t.Errorf("where it is: %q, want lodash@4.17.15 fixed in 4.17.21", occ)
	}

	// The other sections, through the site's navigation.
	b.click("findings section", `header.site a[href="/findings"]`, "/findings")
	b.page("findings", "Findings")
	all := run(b, "findings page rows", rowsOf("table.findings"))
	// The findings filter submits itself when a box is ticked: the page's
	// script runs under the CSP.
	b.click("risk filter", `form.filters input[name=risk][value=critical]`, "/findings?risk=critical")
	b.page("findings-critical", "Findings")
	critical := run(b, "critical rows", rowsOf("table.findings"))
	if len(critical) == 0 || len(critical) >= len(all) {
		t.Errorf("filtering on critical shows %d of %d findings", len(critical), len(all))
	}
	for _, r := range critical {
		if !strings.HasPrefix(r[0], "critical") {
			t.Errorf("filtered on critical, a row is %q", r)
		}
	}
	b.click("layers section", `header.site a[href="/layers"]`, "/layers")
	b.page("layers", "Layer fixes")
	if fixes := run(b, "layer fixes", rowsOf("table.layer-fixes")); rowWith(fixes, "commonLibs") == nil {
		t.Errorf("layer fixes: no commonLibs in %q", fixes)
	}
	b.click("scans section", `header.site a[href="/scans"]`, "/scans")
	b.page("scans", "Scans")
	if entries := run(b, "scans rows", rowsOf("table.entries")); len(entries) != 3 {
		t.Errorf("scans: %q, want 3", entries)
	}

	// Names that need escaping, from the applications page down.
	b.click("home", `header.site a.brand`, "/")
	awkwardApp := "/apps/" + url.PathEscape("billing sync")
	awkwardFn := awkwardApp + "/functions/" + url.PathEscape("Stack/Pay Fn")
	b.click("awkward application", `table.apps a[href="`+awkwardApp+`"]`, awkwardApp)
	b.page("awkward-application", "billing sync")
	b.click("awkward function", `table.functions a[href="`+awkwardFn+`"]`, awkwardFn)
	b.page("awkward-function", "Stack/Pay Fn")
	// Its audit is incomplete: no finding must not read as a clean bill.
	if text := run(b, "incomplete findings", chromedp.Text(chromedp.CSS("section[aria-labelledby=findings-title]"))); !strings.Contains(text, "incomplete") {
		t.Errorf("an incomplete function's findings say %q", text)
	}
}

// browserWalk drives one tab through the UI.
type browserWalk struct {
	t     *testing.T
	ctx   context.Context // the tab's
	base  string          // the server's origin
	shots string
	mon   *pageMonitor
	n     int // screenshots taken
}

// stepTimeout bounds one step, so that a missing element fails with its
// name rather than the whole test's timeout.
const stepTimeout = 20 * time.Second

// run runs an action that returns a value; it fails the test on an error.
func run[T any](b *browserWalk, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (b *browserWalk) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, what, chromedp.Steps(steps...))
}

// navigate loads a page of the server.
func (b *browserWalk) navigate(path string) {
	b.t.Helper()
	resp := run(b, "navigating to "+path, chromedp.NavigateResponse(b.base+path))
	b.checkResponse(path, resp)
}

// click clicks the element sel, waits for the page it leads to and
// checks that it is path.
func (b *browserWalk) click(what, sel, path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("clicking the %s (%s): %v", what, sel, err)
	}
	b.checkResponse(path, resp)
	if loc := run(b, "location", chromedp.Location()); !sameTarget(loc, b.base+path) {
		b.t.Fatalf("the %s led to %s, want %s", what, loc, b.base+path)
	}
}

// sameTarget compares two addresses, ignoring empty query parameters (a
// GET form sends its unset fields).
func sameTarget(got, want string) bool {
	g, err1 := url.Parse(got)
	w, err2 := url.Parse(want)
	if err1 != nil || err2 != nil {
		return false
	}
	q := g.Query()
	for k, v := range q {
		if len(v) == 1 && v[0] == "" {
			q.Del(k)
		}
	}
	return g.Scheme == w.Scheme && g.Host == w.Host && g.EscapedPath() == w.EscapedPath() && q.Encode() == w.Query().Encode()
}

func (b *browserWalk) checkResponse(path string, resp *network.Response) {
	b.t.Helper()
	if resp == nil {
		b.t.Fatalf("%s: no response", path)
	}
	if resp.Status != http.StatusOK {
		b.t.Fatalf("%s: status %d", path, resp.Status)
	}
	if path != "/csp-probe" {
		if csp, _ := resp.Headers["Content-Security-Policy"].(string); csp != contentSecurityPolicy {
			b.t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
}

// page checks the page now shown: its heading holds heading, its own
// stylesheet and script are in effect, it loaded nothing from elsewhere and
// logged no error; then it keeps a full-page screenshot as name.png.
func (b *browserWalk) page(name, heading string) {
	b.t.Helper()
	b.do(name+": heading", chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h1 := run(b, name+": heading", chromedp.Text(chromedp.CSS("main h1"))); !strings.Contains(h1, heading) {
		b.t.Errorf("%s: heading %q, want %q in it", name, h1, heading)
	}
	// The stylesheet applies (the header's colour) and the script ran (it
	// marks the document and turns sortable headers into buttons).
	state := run(b, name+": assets", chromedp.Evaluate[map[string]any](`({
		header: getComputedStyle(document.querySelector("header.site")).backgroundColor,
		js: document.documentElement.classList.contains("js"),
		sortable: document.querySelectorAll("table.sortable").length,
		sortButtons: document.querySelectorAll("table.sortable thead th button").length,
		resources: performance.getEntriesByType("resource").map(e => e.name),
		external: Array.from(document.querySelectorAll("[src], link[href]")).map(e => e.src || e.href)
			.filter(u => new URL(u, location.href).origin !== location.origin),
	})`))
	if h, _ := state["header"].(string); h == "" || h == "rgba(0, 0, 0, 0)" {
		b.t.Errorf("%s: the stylesheet is not applied (header background %v)", name, state["header"])
	}
	if state["js"] != true {
		b.t.Errorf("%s: the page's script did not run", name)
	}
	if n, _ := state["sortable"].(float64); n > 0 {
		if m, _ := state["sortButtons"].(float64); m == 0 {
			b.t.Errorf("%s: %v sortable tables and no sort button", name, n)
		}
	}
	if ext, _ := state["external"].([]any); len(ext) > 0 {
		b.t.Errorf("%s: refers to resources elsewhere: %v", name, ext)
	}
	res, _ := state["resources"].([]any)
	for _, r := range res {
		if s, _ := r.(string); !strings.HasPrefix(s, b.base+"/") {
			b.t.Errorf("%s: loaded %v", name, r)
		}
	}
	for _, p := range b.mon.take(b) {
		b.t.Errorf("%s: %s", name, p)
	}
	png := run(b, name+": screenshot", chromedp.FullScreenshot(100))
	b.n++
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// download clicks the download link sel and waits for the browser to save
// the file into dir; it returns its content and the name the server
// suggested.
func (b *browserWalk) download(dir, sel string) ([]byte, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	begin := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	events := true
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events,
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(sel)),
	); err != nil {
		b.t.Fatalf("clicking the download %s: %v", sel, err)
	}
	var name string
	for ev, err := range begin {
		if err != nil {
			b.t.Fatalf("waiting for the download to begin: %v", err)
		}
		if !strings.HasPrefix(ev.URL, b.base+"/") {
			b.t.Errorf("the download comes from %s", ev.URL)
		}
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("waiting for the download %s: %v", name, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCanceled:
			b.t.Fatalf("the download %s was canceled", name)
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return data, name
		}
	}
	b.t.Fatalf("the download %s never completed", name)
	return nil, ""
}

// rowsOf is the visible text of the cells of each body row of the first
// table matching sel.
func rowsOf(sel string) chromedp.Action[[][]string] {
	return chromedp.Evaluate[[][]string](`Array.from(document.querySelector(` + strconv.Quote(sel) + `).tBodies[0].rows)
		.map(r => Array.from(r.cells).map(c => c.innerText.trim()))`)
}

// rowWith is the first row with a cell holding s.
func rowWith(rows [][]string, s string) []string {
	for _, r := range rows {
		if slices.ContainsFunc(r, func(c string) bool { return strings.Contains(c, s) }) {
			return r
		}
	}
	return nil
}

// pageMonitor collects, from the tab's events, what an auditor's page must
// never do: load from another origin, fail a load (a CSP block among
// them), answer an error status, throw, or log an error or a warning.
type pageMonitor struct {
	origin string

	mu       sync.Mutex // guards problems
	problems []string
}

// event runs in the tab's event loop: it only records.
func (m *pageMonitor) event(ev any) {
	var p string
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, m.origin+"/") {
			p = "request to another origin: " + u
		}
	case *network.EventLoadingFailed:
		if ev.Type != network.ResourceTypeDocument || !ev.Canceled { // a download cancels its navigation
			p = fmt.Sprintf("failed load of a %s: %s %s", ev.Type, ev.ErrorText, ev.BlockedReason)
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			p = fmt.Sprintf("%s answered %d", ev.Response.URL, ev.Response.Status)
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			p += " " + ex.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded:
		if e := ev.Entry; e.Level == cdplog.EntryLevelError || e.Level == cdplog.EntryLevelWarning {
			p = fmt.Sprintf("%s %s: %s (%s)", e.Source, e.Level, e.Text, e.URL)
		}
	}
	if p == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.problems = append(m.problems, p)
}

// take returns and forgets the problems seen so far. A round trip to the
// page first lets the events it sent before come in.
func (m *pageMonitor) take(b *browserWalk) []string {
	b.t.Helper()
	run(b, "a round trip", chromedp.Evaluate[chromedp.Void](`0`))
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.problems
	m.problems = nil
	return p
}
