// Package formats is the one table of fnaudit's output formats. `--format`
// validation and help text are built from it, and a test loops over it so
// that no listed format is unimplemented.
package formats

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/cyclonedx"
	htmlreport "github.com/fnaudit/fnaudit/reports/html"
	"github.com/fnaudit/fnaudit/reports/markdown"
	"github.com/fnaudit/fnaudit/reports/sarif"
)

// Format is one output format.
type Format struct {
	// Name is what --format takes.
	Name string
	// Description is shown in --help.
	Description string
	// Encode writes the format to w (stdout, or the FILE of NAME=FILE).
	Encode func(w io.Writer, r *reports.Report) error
	// Dir, when set, is used instead of Encode when the format is given a
	// destination: FILE is then a directory (CycloneDX writes one document
	// per function there).
	Dir func(dir string, r *reports.Report) error
}

// table lists the formats in help order.
var table = []Format{
	{Name: "table", Description: "human-readable table, one block per function (default, to stdout)", Encode: reports.WriteTable},
	{Name: "json", Description: "the fnaudit/report/v1 JSON document (docs/report-json.md)", Encode: reports.WriteJSON},
	{Name: "cyclonedx", Description: "CycloneDX 1.6 JSON with services and VEX: the application's document, or with =DIR one document per function plus application.cdx.json",
		Encode: cyclonedx.Encode, Dir: cyclonedx.WriteDir},
	{Name: "sarif", Description: "SARIF 2.1.0 for GitHub code scanning, one result per function, package and advisory", Encode: sarif.Encode},
	{Name: "markdown", Description: "GitHub Markdown for a pull-request comment or the job summary: verdict, functions by risk, blocking findings", Encode: markdown.Encode},
	{Name: "html", Description: "one self-contained HTML page for people: functions with exposure and privilege, findings, packages; sortable, printable", Encode: htmlreport.Encode},
}

// All returns the format table, in help order.
func All() []Format { return slices.Clone(table) }

// Lookup finds a format by name.
func Lookup(name string) (Format, error) {
	for _, f := range table {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q: use one of %s", name, Names())
}

// Names lists the format names, comma separated.
func Names() string {
	names := make([]string, len(table))
	for i, f := range table {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
