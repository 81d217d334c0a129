package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/fnaudit/fnaudit/reports"
)

// RescanSchema identifies the JSON of a rescan of several applications.
const RescanSchema = "fnaudit/rescan/v1"

// rescanDocument is the JSON of a rescan of several applications: one
// fnaudit/report/v1 report per application.
type rescanDocument struct {
	Schema  string            `json:"schema"`
	Reports []*reports.Report `json:"reports"`
}

// writeRescanOutputs writes a rescan's reports. One application's report is
// written exactly as a scan's; several are combined where the format
// allows (json: a rescan/v1 document; table and markdown: one after the
// other) and otherwise written once per application, to FILE with
// "-<application>" before its extension.
func writeRescanOutputs(outs []output, rs []*reports.Report, stdout io.Writer) error {
	if len(rs) == 1 {
		return writeOutputs(outs, rs[0], stdout)
	}
	for _, o := range outs {
		if err := writeCombined(o, rs, stdout); err != nil {
			return err
		}
	}
	return nil
}

func writeCombined(o output, rs []*reports.Report, stdout io.Writer) error {
	var write func(io.Writer) error
	switch o.format.Name {
	case "json":
		write = func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(rescanDocument{Schema: RescanSchema, Reports: rs})
		}
	case "table", "markdown":
		write = func(w io.Writer) error {
			for i, r := range rs {
				if i > 0 {
					fmt.Fprintln(w)
				}
				if err := o.format.Encode(w, r); err != nil {
					return err
				}
			}
			return nil
		}
	default:
		return writePerApplication(o, rs)
	}
	if o.file == "" {
		if err := write(stdout); err != nil {
			return fmt.Errorf("writing %s to stdout: %w", o.format.Name, err)
		}
		return nil
	}
	if err := writeFile(o.file, write); err != nil {
		return fmt.Errorf("writing %s report to %s: %w", o.format.Name, o.file, err)
	}
	return nil
}

// writePerApplication writes one output per application.
func writePerApplication(o output, rs []*reports.Report) error {
	if o.file == "" {
		return fmt.Errorf("--format %s: a rescan of %d applications writes one document per application: give a FILE (%s=FILE)", o.format.Name, len(rs), o.format.Name)
	}
	for _, r := range rs {
		one := o
		one.file = perApplication(o.file, r.Application.Name)
		if err := writeOutputs([]output{one}, r, io.Discard); err != nil {
			return err
		}
	}
	return nil
}

// perApplication inserts "-<application>" before the extension of file
// ("out/report.html" → "out/report-orders-api.html"), with the name made
// safe for a file name.
func perApplication(file, app string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return r
		}
		return '_'
	}, app)
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "-" + safe + ext
}
