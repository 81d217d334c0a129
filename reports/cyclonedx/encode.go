package cyclonedx

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/reports"
)

// ApplicationFile is the name WriteDir gives the application's document.
const ApplicationFile = "application.cdx.json"

// fileSuffix ends the name of every document WriteDir writes.
const fileSuffix = ".cdx.json"

// maxStem bounds the part of a file name taken from a function name, well
// under the 255 bytes file systems allow.
const maxStem = 200

// Encode writes the application document (JSON, CycloneDX 1.6) to w.
func Encode(w io.Writer, r *reports.Report) error {
	return EncodeBOM(w, ApplicationBOM(r), cdx.BOMFileFormatJSON)
}

// EncodeXML writes the application document as CycloneDX 1.6 XML.
func EncodeXML(w io.Writer, r *reports.Report) error {
	return EncodeBOM(w, ApplicationBOM(r), cdx.BOMFileFormatXML)
}

// EncodeBOM writes a document built by [FunctionBOM] or [ApplicationBOM]
// as indented CycloneDX 1.6 JSON or XML. Use it rather than cyclonedx-go's
// EncodeVersion: in v0.12.0 EncodeVersion deep-copies the BOM through
// encoding/gob, which drops pointers to false, so "authenticated": false and
// "x-trust-boundary": false would vanish. The documents built here are 1.6
// already (spec version, $schema, namespace, and only 1.6 fields), so they
// need no conversion.
func EncodeBOM(w io.Writer, b *cdx.BOM, format cdx.BOMFileFormat) error {
	kind := "JSON"
	if format == cdx.BOMFileFormatXML {
		kind = "XML"
	}
	if err := cdx.NewBOMEncoder(w, format).SetPretty(true).SetEscapeHTML(false).Encode(b); err != nil {
		return fmt.Errorf("encoding CycloneDX %s: %w", kind, err)
	}
	return nil
}

// WriteDir writes one document per function, "<function>.cdx.json", plus
// "application.cdx.json", into dir (created if missing). Function names are
// made safe as file names (see [FileNames]). Each file is written to a
// temporary name in dir and renamed into place, so a reader never sees a
// half-written document; files of other names in dir are left alone.
func WriteDir(dir string, r *reports.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the CycloneDX output folder: %w", err)
	}
	names := FileNames(r)
	for i := range r.Functions {
		if err := writeFile(dir, names[i], FunctionBOM(r, &r.Functions[i])); err != nil {
			return err
		}
	}
	return writeFile(dir, ApplicationFile, ApplicationBOM(r))
}

// writeFile encodes b into dir/name through a temporary file and a rename.
func writeFile(dir, name string, b *cdx.BOM) error {
	var buf bytes.Buffer
	if err := EncodeBOM(&buf, b, cdx.BOMFileFormatJSON); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
	}
	err = writeAndClose(tmp, buf.Bytes())
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// writeAndClose writes data to f, makes it world-readable like any other
// output, flushes it to disk and closes it.
func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// FileNames returns the file name WriteDir gives each function's document,
// by index of r.Functions: the name with every character outside
// [A-Za-z0-9._-] replaced by "_" ("Stack/My Fn" → "Stack_My_Fn.cdx.json"),
// cut to 200 bytes, with a leading "_" when it is empty or starts with ".".
// Names that would collide — with each other, ignoring case (for
// case-insensitive file systems), or with application.cdx.json — get "-2",
// "-3", ... in report order, so the same report always gives the same names.
func FileNames(r *reports.Report) []string {
	taken := map[string]bool{strings.ToLower(strings.TrimSuffix(ApplicationFile, fileSuffix)): true}
	out := make([]string, len(r.Functions))
	for i := range r.Functions {
		stem := safeStem(r.Functions[i].Name)
		name := stem
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-%d", stem, n)
		}
		taken[strings.ToLower(name)] = true
		out[i] = name + fileSuffix
	}
	return out
}

// safeStem makes a function name safe as the start of a file name: every
// character outside [A-Za-z0-9._-] becomes "_", and a name that is empty or
// starts with "." gets a leading "_".
func safeStem(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c < 0x80 && safeByte(byte(c)) {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > maxStem {
		s = s[:maxStem]
	}
	if s == "" || s[0] == '.' {
		s = "_" + s // no hidden files, no "." or ".."
	}
	return s
}

func safeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}
