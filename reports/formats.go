package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Encoder writes a report in one format.
type Encoder interface {
	Encode(w io.Writer, r *Report) error
}

// EncoderFunc adapts a function to [Encoder].
type EncoderFunc func(w io.Writer, r *Report) error

// Encode calls f.
func (f EncoderFunc) Encode(w io.Writer, r *Report) error { return f(w, r) }

// Format is one entry of the output format table.
type Format struct {
	// Name is what --format takes.
	Name string
	// Description is shown in --help.
	Description string
	// Encoder writes the format.
	Encoder Encoder
}

// formats is the one table of output formats: --format validation and help
// text are built from it.
var formats = []Format{
	{Name: "table", Description: "human-readable table, one block per function (default, to stdout)", Encoder: EncoderFunc(writeTable)},
	{Name: "json", Description: "the fnaudit/report/v1 JSON document (docs/report-json.md)", Encoder: EncoderFunc(writeJSON)},
}

// Formats returns the output format table, in help order.
func Formats() []Format { return slices.Clone(formats) }

// LookupFormat finds a format by name.
func LookupFormat(name string) (Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q: use one of %s", name, FormatNames())
}

// FormatNames lists the format names, comma separated.
func FormatNames() string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
