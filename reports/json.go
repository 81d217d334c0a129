package reports

import (
	"encoding/json"
	"io"
)

// writeJSON writes the report JSON contract, indented, with a final newline.
// Map keys are sorted by encoding/json, slices by [Report.Normalize], so the
// bytes depend only on the content.
func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
