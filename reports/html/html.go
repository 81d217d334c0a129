package html

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the stylesheet, the script and the page template
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
)

var (
	//go:embed assets/report.html.tmpl
	pageTemplate string
	//go:embed assets/style.css
	styleCSS string
	//go:embed assets/sort.js
	sortJS string
)

// page is the parsed template, built once.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"badge":    badge,
	"rank":     rank,
	"join":     func(s []string, sep string) string { return strings.Join(s, sep) },
	"short":    short,
	"oneLine":  oneLine,
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"location": location,
	"assets":   func() assets { return pageAssets },
}).Parse(pageTemplate))

// assets are the page's own stylesheet and script, inlined, and the
// Content-Security-Policy that lets exactly them run.
type assets struct {
	CSS template.CSS
	JS  template.JS
	CSP string
}

var pageAssets = assets{
	CSS: template.CSS(styleCSS),
	JS:  template.JS(sortJS),
	CSP: "default-src 'none'; style-src '" + hash(styleCSS) + "'; script-src '" + hash(sortJS) +
		"'; base-uri 'none'; form-action 'none'",
}

// hash is a CSP source expression for an inline element's exact text.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Encode writes r as one self-contained HTML page.
func Encode(w io.Writer, r *reports.Report) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newView(r)); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// vocabulary lists the values a kind of badge knows, from the highest rank
// down; anything else is drawn as "other".
func vocabulary(kind string) []string {
	switch kind {
	case "risk":
		return []string{"critical", "high", "medium", "low", "none"}
	case "severity":
		return []string{"critical", "high", "medium", "low", "unknown"}
	case "exposure":
		return []string{"public", "unknown", "authenticated", "internal"}
	case "privilege":
		return []string{"admin", "broad", "unknown", "scoped"}
	case "status":
		return []string{"incomplete", "ok"}
	}
	return nil
}

// badge is the class of a badge for a value of a vocabulary: a fixed set of
// names, whatever the report holds.
func badge(kind string, value any) string {
	s := fmt.Sprint(value)
	if slices.Contains(vocabulary(kind), s) {
		return "badge " + kind + "-" + s
	}
	return "badge other"
}

// rank orders a value of a vocabulary for sorting: the highest first value
// gets the largest number, an unknown value 0.
func rank(kind string, value any) int {
	words := vocabulary(kind)
	if i := slices.Index(words, fmt.Sprint(value)); i >= 0 {
		return len(words) - i
	}
	return 0
}

// short cuts a hex digest for display; the full one is in the title.
func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// oneLine says whether s is short enough to be kept on one line (an
// advisory ID, a date, a manifest location) without pushing a table past
// the page; longer values may wrap anywhere.
func oneLine(s string) bool { return utf8.RuneCountInString(s) <= 32 }

// location is "file:line", or the file alone when the line is unknown.
func location(l bundle.Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}
