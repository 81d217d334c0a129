package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

// assets are the UI's templates, stylesheet and script, embedded: the UI
// loads nothing from anywhere else.
//
//go:embed assets
var assets embed.FS

// pageFiles are the page templates; each defines "content" and is parsed
// with layout.html.tmpl.
var pageFiles = []string{"apps", "app", "function", "finding", "findings", "layers", "scans", "error"}

// staticFiles are served under /static/ with a version parameter, and
// pinned in pages by their SHA-256 (subresource integrity).
var staticFiles = []string{"style.css", "app.js"}

// staticAsset is one file of /static/.
type staticAsset struct {
	data []byte
	// URL is its address with a content version; Integrity its SRI hash.
	URL, Integrity string
	ctype          string
}

// statics are read once at start; they never change.
type statics map[string]staticAsset

func loadStatics() (statics, error) {
	out := statics{}
	for _, name := range staticFiles {
		data, err := assets.ReadFile("assets/" + name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		ctype := "text/css; charset=utf-8"
		if strings.HasSuffix(name, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		out[name] = staticAsset{data: data, ctype: ctype,
			URL:       "/static/" + name + "?v=" + hex.EncodeToString(sum[:6]),
			Integrity: "sha256-" + base64.StdEncoding.EncodeToString(sum[:])}
	}
	return out, nil
}

// parsePages parses every page with the layout.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, p := range pageFiles {
		t, err := template.New(p).Funcs(funcs).ParseFS(assets, "assets/layout.html.tmpl", "assets/"+p+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("parsing the %s page: %w", p, err)
		}
		pages[p] = t
	}
	return pages, nil
}

// funcs are the templates' helpers. Badge classes come from fixed lists,
// whatever the data says.
var funcs = template.FuncMap{
	"badge": badge,
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"day":      func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"join":     strings.Join,
	"location": location,
	"osv":      func(id string) string { return "https://osv.dev/vulnerability/" + url.PathEscape(id) },
	"n":        func(m map[reports.Level]int, l reports.Level) int { return m[l] },
	"total": func(m map[reports.Level]int) int {
		return m[reports.LevelCritical] + m[reports.LevelHigh] + m[reports.LevelMedium] + m[reports.LevelLow]
	},
	"levels": func() []reports.Level { return chartLevels },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

// vocabularies are the values each badge kind knows.
var vocabularies = map[string][]string{
	"risk":      riskWords,
	"severity":  severityWords,
	"exposure":  exposureWords,
	"privilege": privilegeWords,
	"status":    statusWords,
	"change":    {"new", "unchanged", "fixed"},
	"kind":      {"scan", "rescan"},
}

// badge is the class of a badge for a value of a vocabulary.
func badge(kind string, value any) string {
	s := fmt.Sprint(value)
	if slices.Contains(vocabularies[kind], s) {
		return "badge " + kind + "-" + s
	}
	return "badge other"
}

func location(l bundle.Location) string {
	if l.Line > 0 {
		return l.File + ":" + strconv.Itoa(l.Line)
	}
	return l.File
}

// frame is what every page shows around its content.
type frame struct {
	Title   string
	Active  string // the navigation entry to mark
	CSS, JS staticAsset
	Version string
}

func (s *Server) frame(title, active string) frame {
	return frame{Title: title, Active: active, CSS: s.statics["style.css"], JS: s.statics["app.js"], Version: s.cfg.ToolVersion}
}

// render writes a page; it is rendered in memory first, so that a failed
// render writes nothing.
func (s *Server) render(w http.ResponseWriter, code int, page string, view any) error {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", view); err != nil {
		return fmt.Errorf("rendering the %s page: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	_, err := buf.WriteTo(w)
	return err
}

// errorPage answers an error as a page (plain text if even that fails).
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, he *httpError) {
	view := struct {
		frame
		Code    int
		Status  string
		Message string
	}{s.frame(http.StatusText(he.code), ""), he.code, http.StatusText(he.code), he.msg}
	if err := s.render(w, he.code, "error", view); err != nil {
		s.log.Error("rendering an error page", "request", requestID(r.Context()), "error", err)
		http.Error(w, he.msg, he.code)
	}
}

// GET /static/{file}
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	a, ok := s.statics[path.Base(r.PathValue("file"))]
	if !ok || r.PathValue("file") != path.Base(r.PathValue("file")) {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.data)
}

// The UI's addresses. scan 0 means the newest entry (no ?scan=).

func appURL(app string, scan int64) string {
	return withScan("/apps/"+url.PathEscape(app), scan)
}

func functionURL(app, fn string, scan int64) string {
	return withScan("/apps/"+url.PathEscape(app)+"/functions/"+url.PathEscape(fn), scan)
}

func findingURL(app, fn, id string, scan int64) string {
	return withScan("/apps/"+url.PathEscape(app)+"/functions/"+url.PathEscape(fn)+"/findings/"+url.PathEscape(id), scan)
}

func apiAppURL(app string) string { return "/api/v1/applications/" + url.PathEscape(app) }

func apiFunctionURL(app, fn string) string {
	return apiAppURL(app) + "/functions/" + url.PathEscape(fn)
}

func withScan(u string, scan int64) string {
	if scan > 0 {
		return u + "?scan=" + strconv.FormatInt(scan, 10)
	}
	return u
}
