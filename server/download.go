package server

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/cyclonedx"
	"github.com/fnaudit/fnaudit/reports/sarif"
)

// Content types of the downloads.
const (
	typeCycloneDXJSON = "application/vnd.cyclonedx+json; version=1.6"
	typeCycloneDXXML  = "application/vnd.cyclonedx+xml; version=1.6"
	typeSARIF         = "application/sarif+json"
	typeJSON          = "application/json"
)

// bomFormat reads ?format=json|xml (default json).
func bomFormat(r *http.Request) (cdx.BOMFileFormat, string, string, error) {
	switch r.URL.Query().Get("format") {
	case "", "json":
		return cdx.BOMFileFormatJSON, typeCycloneDXJSON, ".cdx.json", nil
	case "xml":
		return cdx.BOMFileFormatXML, typeCycloneDXXML, ".cdx.xml", nil
	}
	return 0, "", "", errBadRequest("format: use json or xml")
}

// GET /api/v1/applications/{app}/functions/{function}/cyclonedx[?format=xml][&scan=ID]
func (s *Server) downloadFunctionBOM(w http.ResponseWriter, r *http.Request) error {
	format, ctype, ext, err := bomFormat(r)
	if err != nil {
		return err
	}
	l, fn, err := s.functionEntry(r)
	if err != nil {
		return err
	}
	name := safeFileName(ext, l.Report.Application.Name, fn.Name, scanPart(l.Entry.ID))
	return sendBOM(w, cyclonedx.FunctionBOM(l.Report, fn), format, ctype, name)
}

// GET /api/v1/applications/{app}/cyclonedx[?format=xml][&scan=ID]
func (s *Server) downloadApplicationBOM(w http.ResponseWriter, r *http.Request) error {
	format, ctype, ext, err := bomFormat(r)
	if err != nil {
		return err
	}
	l, _, err := s.appEntry(r.Context(), r.PathValue("app"), r)
	if err != nil {
		return err
	}
	return sendApplicationBOM(w, l, format, ctype, ext)
}

// GET /api/v1/scans/{id}/cyclonedx[?format=xml]
func (s *Server) downloadScanBOM(w http.ResponseWriter, r *http.Request) error {
	format, ctype, ext, err := bomFormat(r)
	if err != nil {
		return err
	}
	l, err := s.entryByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return sendApplicationBOM(w, l, format, ctype, ext)
}

func sendApplicationBOM(w http.ResponseWriter, l loaded, format cdx.BOMFileFormat, ctype, ext string) error {
	name := safeFileName(ext, l.Report.Application.Name, scanPart(l.Entry.ID))
	return sendBOM(w, cyclonedx.ApplicationBOM(l.Report), format, ctype, name)
}

// sendBOM encodes a document with cyclonedx.EncodeBOM (never
// cyclonedx-go's EncodeVersion, which drops false booleans).
func sendBOM(w http.ResponseWriter, b *cdx.BOM, format cdx.BOMFileFormat, ctype, name string) error {
	var buf bytes.Buffer
	if err := cyclonedx.EncodeBOM(&buf, b, format); err != nil {
		return err
	}
	return send(w, buf.Bytes(), ctype, name)
}

// GET /api/v1/scans/{id}/sarif
func (s *Server) downloadSARIF(w http.ResponseWriter, r *http.Request) error {
	return s.downloadEntry(w, r, typeSARIF, ".sarif", sarif.Encode)
}

// GET /api/v1/scans/{id}/report: the report JSON (fnaudit/report/v1).
func (s *Server) downloadReport(w http.ResponseWriter, r *http.Request) error {
	return s.downloadEntry(w, r, typeJSON, ".fnaudit.json", reports.WriteJSON)
}

func (s *Server) downloadEntry(w http.ResponseWriter, r *http.Request, ctype, ext string,
	encode func(io.Writer, *reports.Report) error) error {
	l, err := s.entryByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := encode(&buf, l.Report); err != nil {
		return err
	}
	return send(w, buf.Bytes(), ctype, safeFileName(ext, l.Report.Application.Name, scanPart(l.Entry.ID)))
}

// send answers a download: its type, an attachment file name, its bytes.
func send(w http.ResponseWriter, data []byte, ctype, name string) error {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`) // name is [A-Za-z0-9._-] only
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "no-cache")
	_, err := w.Write(data)
	return err
}

func scanPart(id int64) string { return "scan" + strconv.FormatInt(id, 10) }
