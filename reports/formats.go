package reports

import "io"

// Encoder writes a report in one format.
type Encoder interface {
	Encode(w io.Writer, r *Report) error
}

// EncoderFunc adapts a function to [Encoder].
type EncoderFunc func(w io.Writer, r *Report) error

// Encode calls f.
func (f EncoderFunc) Encode(w io.Writer, r *Report) error { return f(w, r) }

// WriteTable writes the human-readable table: one block per function, then
// the summary and the gate verdict.
func WriteTable(w io.Writer, r *Report) error { return writeTable(w, r) }

// WriteJSON writes the fnaudit/report/v1 JSON document.
func WriteJSON(w io.Writer, r *Report) error { return writeJSON(w, r) }
