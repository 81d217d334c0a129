package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// UploadSchema identifies the body of POST /api/v1/scans.
const UploadSchema = "fnaudit/upload/v1"

// Upload is what a pipeline POSTs to /api/v1/scans (`fnaudit scan --push`):
// the report JSON of `fnaudit scan --format json` and each function's
// CycloneDX document, by function name, with the scan's labels.
type Upload struct {
	Schema string          `json:"schema"`
	Report *reports.Report `json:"report"`
	// SBOMs are the functions' CycloneDX 1.6 JSON documents
	// (reports/cyclonedx.FunctionBOM), one per function of Report, by name.
	SBOMs  map[string]json.RawMessage `json:"sboms"`
	Labels map[string]string          `json:"labels,omitempty"`
}

// NewUpload builds the upload of a scan's report: every function's
// CycloneDX document is encoded as `scan --store` records it.
func NewUpload(r *reports.Report, labels map[string]string) (*Upload, error) {
	docs, err := audit.FunctionDocuments(r)
	if err != nil {
		return nil, err
	}
	u := &Upload{Schema: UploadSchema, Report: r, SBOMs: map[string]json.RawMessage{}, Labels: labels}
	for i, fn := range r.Functions {
		if _, dup := u.SBOMs[fn.Name]; dup {
			return nil, fmt.Errorf("two functions are called %s: an upload names SBOMs by function", fn.Name)
		}
		u.SBOMs[fn.Name] = docs[i].JSON
	}
	return u, nil
}

// uploadWire is an upload as decoded: the report is checked for its schema
// before it is decoded.
type uploadWire struct {
	Schema string                     `json:"schema"`
	Report json.RawMessage            `json:"report"`
	SBOMs  map[string]json.RawMessage `json:"sboms"`
	Labels map[string]string          `json:"labels"`
}

// POST /api/v1/scans: record an uploaded scan.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	who, err := s.uploader(w, r)
	if err != nil || who == "" {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	rec, err := decodeUpload(body)
	if err != nil {
		return err
	}
	if err := audit.AttributeScanLayers(r.Context(), s.cfg.Store, rec.Report); err != nil {
		return err
	}
	e, err := s.cfg.Store.Save(r.Context(), rec)
	if err != nil {
		return err
	}
	s.log.Info("scan uploaded", "request", requestID(r.Context()), "token", who, "application", e.Application,
		"entry", e.ID, "functions", e.Counts.Functions, "findings", e.Counts.Findings, "client", clientAddr(r))
	w.Header().Set("Location", "/api/v1/scans/"+strconv.FormatInt(e.ID, 10))
	return writeJSON(w, http.StatusCreated, map[string]any{"scan": newAPIEntry(e)})
}

// uploader authenticates an upload and returns the token's name; "" with
// no error means the answer (401) was written.
func (s *Server) uploader(w http.ResponseWriter, r *http.Request) (string, error) {
	switch {
	case s.cfg.ReadOnly:
		w.Header().Set("Allow", "GET, HEAD")
		return "", &httpError{code: http.StatusMethodNotAllowed, msg: "this server is a read-only replica: upload to one that is not"}
	case s.cfg.Tokens == nil:
		return "", &httpError{code: http.StatusForbidden, msg: "uploads are disabled: the server was started without upload tokens (--tokens FILE)"}
	}
	tok := credential(r)
	name, ok := s.cfg.Tokens.match(tok)
	if !ok {
		if _, reader := s.cfg.ReadTokens.match(tok); reader {
			return "", &httpError{code: http.StatusForbidden, msg: "this token may read, not upload: use an upload token (--tokens)"}
		}
		s.unauthorized(w, r, true, tok)
		return "", nil
	}
	return name, nil
}

// readBody reads an upload's JSON body, gzip-encoded or not, refusing
// (413) more than MaxUploadBytes before or after decoding.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := s.cfg.MaxUploadBytes
	tooLarge := &httpError{code: http.StatusRequestEntityTooLarge,
		msg: fmt.Sprintf("the upload is larger than this server accepts (%d bytes)", max)}
	if r.ContentLength > max {
		return nil, tooLarge
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, &httpError{code: http.StatusUnsupportedMediaType, msg: "send the upload as Content-Type: application/json"}
	}
	var in io.Reader = http.MaxBytesReader(w, r.Body, max)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, s.bodyError(err, tooLarge)
		}
		defer zr.Close()
		in = zr
	default:
		return nil, &httpError{code: http.StatusUnsupportedMediaType, msg: "Content-Encoding " + clip(enc) + ": send gzip or nothing"}
	}
	data, err := io.ReadAll(io.LimitReader(in, max+1))
	if err != nil {
		return nil, s.bodyError(err, tooLarge)
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// bodyError says why reading a body failed: too large, or not readable.
func (s *Server) bodyError(err error, tooLarge error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge
	}
	return errBadRequest("the upload could not be read: " + err.Error())
}

// decodeUpload decodes and checks an upload strictly (unknown fields,
// schemas and vocabulary are refused) and makes the store record of it.
func decodeUpload(body []byte) (store.Record, error) {
	var wire uploadWire
	if err := strictJSON(body, &wire); err != nil {
		return store.Record{}, errBadRequest("the upload is not valid JSON of schema " + UploadSchema + ": " + err.Error())
	}
	if wire.Schema != UploadSchema {
		return store.Record{}, errBadRequest(fmt.Sprintf("unknown upload schema %q: this server reads %s", clip(wire.Schema), UploadSchema))
	}
	r, err := decodeReport(wire.Report)
	if err != nil {
		return store.Record{}, err
	}
	if problems := checkUpload(r, wire.SBOMs, wire.Labels); len(problems) > 0 {
		return store.Record{}, &httpError{code: http.StatusBadRequest, msg: "the upload is not a valid fnaudit scan", problems: problems}
	}
	r.Normalize()
	docs := make([]store.Document, len(r.Functions))
	for i, fn := range r.Functions {
		docs[i] = store.Document{JSON: bytes.Clone(wire.SBOMs[fn.Name])}
	}
	return store.Record{Kind: store.KindScan, Report: r, Documents: docs, Labels: wire.Labels}, nil
}

// decodeReport decodes the report after checking its schema, so that a
// report of an unknown version is refused as such.
func decodeReport(raw json.RawMessage) (*reports.Report, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errBadRequest("the upload has no report")
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, errBadRequest("report: " + err.Error())
	}
	if head.Schema != reports.SchemaV1 {
		return nil, errBadRequest(fmt.Sprintf("unknown report schema %q: this server reads %s", clip(head.Schema), reports.SchemaV1))
	}
	var r reports.Report
	if err := strictJSON(raw, &r); err != nil {
		return nil, errBadRequest("report: " + err.Error() + " (a report written by a newer fnaudit? upgrade the server)")
	}
	return &r, nil
}

// strictJSON decodes exactly one JSON value, refusing unknown fields.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
