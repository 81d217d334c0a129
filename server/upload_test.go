package server

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/store"
)

// TestUpload: a pipeline with an upload token records a scan, which the
// API and the UI then show; its documents are the ones it sent.
func TestUpload(t *testing.T) {
	f := newFixture(t, nil)
	r := sample()
	body := uploadBody(t, r, map[string]string{"commit": "4f2a9c1"})
	res := f.do(t, http.MethodPost, "/api/v1/scans", bytes.NewReader(body), bearer(uploadToken))
	if res.code != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.code, res.body)
	}
	var answer struct {
		Scan apiEntry `json:"scan"`
	}
	if err := json.Unmarshal(res.body, &answer); err != nil {
		t.Fatal(err)
	}
	if answer.Scan.Application != r.Application.Name || answer.Scan.Kind != store.KindScan ||
		answer.Scan.Functions != len(r.Functions) || answer.Scan.Labels["commit"] != "4f2a9c1" {
		t.Errorf("upload answer: %+v", answer.Scan)
	}
	if loc := res.header.Get("Location"); loc != "/api/v1/scans/"+itoa(answer.Scan.ID) {
		t.Errorf("Location %q", loc)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "scan uploaded") || !strings.Contains(logs, "token=ci") || strings.Contains(logs, uploadToken) {
		t.Errorf("the upload's log line names the token's name, never the token:\n%s", logs)
	}

	latest, err := f.st.Latest(t.Context(), store.Query{Application: r.Application.Name})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 || latest[0].ID != answer.Scan.ID {
		t.Errorf("the store's newest entries are %+v, the upload said %d", latest, answer.Scan.ID)
	}
	up, err := NewUpload(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	fn := r.Functions[0].Name
	dl := f.get(t, "/api/v1/applications/"+r.Application.Name+"/functions/"+fn+"/cyclonedx")
	if dl.code != http.StatusOK {
		t.Fatalf("download: %d %s", dl.code, dl.body)
	}
	if !json.Valid(dl.body) || !bytes.Contains(dl.body, []byte(`"specVersion": "1.6"`)) && !bytes.Contains(dl.body, []byte(`"specVersion":"1.6"`)) {
		t.Errorf("the downloaded document is not a CycloneDX 1.6 JSON document:\n%.300s", dl.body)
	}
	var sent, got map[string]any
	if err := json.Unmarshal(up.SBOMs[fn], &sent); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(dl.body, &got); err != nil {
		t.Fatal(err)
	}
	if sent["serialNumber"] != got["serialNumber"] {
		t.Errorf("the download is not the uploaded document: serial %v, sent %v", got["serialNumber"], sent["serialNumber"])
	}
	page := f.get(t, "/apps/"+r.Application.Name)
	if page.code != http.StatusOK || !strings.Contains(page.String(), fn) {
		t.Errorf("the application page does not show the uploaded scan's function %s: %d", fn, page.code)
	}
}

// TestUploadGzipAndBasic: pipelines may compress the body and browsers'
// Basic auth carries the token as the password.
func TestUploadGzipAndBasic(t *testing.T) {
	f := newFixture(t, nil)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(uploadBody(t, sample(), nil))
	zw.Close()
	h := map[string]string{
		"Content-Type":     "application/json",
		"Content-Encoding": "gzip",
		"Authorization":    "Basic " + base64.StdEncoding.EncodeToString([]byte("anyone:"+uploadToken)),
	}
	if res := f.do(t, http.MethodPost, "/api/v1/scans", &buf, h); res.code != http.StatusCreated {
		t.Fatalf("gzip upload with Basic auth: %d %s", res.code, res.body)
	}
}

// TestUploadRefused: every way an upload is refused, with its status, and
// nothing recorded for any of them.
func TestUploadRefused(t *testing.T) {
	good := func(t *testing.T) []byte { return uploadBody(t, sample(), nil) }
	gzipped := func(data []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		return buf.Bytes()
	}
	edit := func(t *testing.T, fn func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good(t), &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		name   string
		config func(*Config)
		body   func(t *testing.T) []byte
		header map[string]string
		code   int
		want   string
	}{
		{name: "no token", body: good, header: map[string]string{"Content-Type": "application/json"}, code: 401, want: "token"},
		{name: "wrong token", body: good, header: bearer("not-the-token-0123456789"), code: 401, want: "token"},
		{name: "read token", config: func(c *Config) { c.ReadTokens = mustTokens(t, readToken) },
			body: good, header: bearer(readToken), code: 403, want: "may read, not upload"},
		{name: "read-only replica", config: func(c *Config) { c.ReadOnly, c.Tokens = true, nil },
			body: good, header: bearer(uploadToken), code: 405, want: "read-only"},
		{name: "no upload tokens", config: func(c *Config) { c.Tokens = nil },
			body: good, header: bearer(uploadToken), code: 403, want: "--tokens"},
		{name: "too large", config: func(c *Config) { c.MaxUploadBytes = 1000 },
			body: good, header: bearer(uploadToken), code: 413, want: "larger"},
		{name: "gzip bomb", config: func(c *Config) { c.MaxUploadBytes = 64 << 10 },
			body: func(*testing.T) []byte {
				return gzipped([]byte(`{"schema":"fnaudit/upload/v1","labels":{"x":"` + strings.Repeat("A", 8<<20) + `"}}`))
			},
			header: map[string]string{"Authorization": "Bearer " + uploadToken, "Content-Type": "application/json", "Content-Encoding": "gzip"},
			code:   413, want: "larger"},
		{name: "not JSON media type", body: good,
			header: map[string]string{"Authorization": "Bearer " + uploadToken, "Content-Type": "text/plain"}, code: 415, want: "application/json"},
		{name: "unknown encoding", body: good,
			header: map[string]string{"Authorization": "Bearer " + uploadToken, "Content-Type": "application/json", "Content-Encoding": "br"}, code: 415, want: "gzip"},
		{name: "not JSON", body: func(*testing.T) []byte { return []byte("{nope") }, header: bearer(uploadToken), code: 400, want: "valid JSON"},
		{name: "unknown schema", body: func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["schema"] = "fnaudit/upload/v9" })
		},
			header: bearer(uploadToken), code: 400, want: "unknown upload schema"},
		{name: "unknown field", body: func(t *testing.T) []byte { return edit(t, func(m map[string]any) { m["extra"] = 1 }) },
			header: bearer(uploadToken), code: 400, want: "unknown field"},
		{name: "unknown report schema", body: func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["report"].(map[string]any)["schema"] = "fnaudit/report/v7" })
		}, header: bearer(uploadToken), code: 400, want: "unknown report schema"},
		{name: "no report", body: func(t *testing.T) []byte { return edit(t, func(m map[string]any) { delete(m, "report") }) },
			header: bearer(uploadToken), code: 400, want: "no report"},
		{name: "missing SBOM", body: func(t *testing.T) []byte { return edit(t, func(m map[string]any) { m["sboms"] = map[string]any{} }) },
			header: bearer(uploadToken), code: 400, want: "not a valid fnaudit scan"},
		{name: "data after the value", body: func(t *testing.T) []byte { return append(good(t), []byte(" {}")...) },
			header: bearer(uploadToken), code: 400, want: "after the JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.config)
			res := f.do(t, http.MethodPost, "/api/v1/scans", bytes.NewReader(tc.body(t)), tc.header)
			if res.code != tc.code || !strings.Contains(res.String(), tc.want) {
				t.Errorf("%d %s, want %d mentioning %q", res.code, res.body, tc.code, tc.want)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q: API errors are JSON", ct)
			}
			if tc.code == 401 && res.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if latest, err := f.st.Latest(t.Context(), store.Query{}); err != nil || len(latest) != 0 {
				t.Errorf("a refused upload was recorded: %v %v", latest, err)
			}
		})
	}
}

// TestFailedAuthLog: failed authentications are logged at most once a
// minute per client with the count they stand for, never with the token.
func TestFailedAuthLog(t *testing.T) {
	f := newFixture(t, nil)
	const wrong = "wrong-token-0123456789abcdef"
	for range 5 {
		if res := f.do(t, http.MethodPost, "/api/v1/scans", strings.NewReader("{}"), bearer(wrong)); res.code != 401 {
			t.Fatalf("wrong token: %d", res.code)
		}
	}
	logs := f.logs.String()
	if n := strings.Count(logs, "authentication failed"); n != 1 {
		t.Errorf("%d log lines for 5 failures within a minute, want 1:\n%s", n, logs)
	}
	if strings.Contains(logs, wrong) {
		t.Error("the presented token was logged")
	}
	f.clock.Advance(61e9)
	f.do(t, http.MethodPost, "/api/v1/scans", strings.NewReader("{}"), bearer(wrong))
	logs = f.logs.String()
	if n := strings.Count(logs, "authentication failed"); n != 2 || !strings.Contains(logs, "failures=5") {
		t.Errorf("a minute later the next failure is logged with the 5 it stands for (got %d lines):\n%s", n, logs)
	}
	if got := f.srv.auth.Failures(); got != 6 {
		t.Errorf("Failures() = %d, want 6", got)
	}
}

// TestReadTokens: with read tokens, every page and endpoint but the health
// checks needs a read or an upload token; browsers are asked for Basic auth.
func TestReadTokens(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ReadTokens = mustTokens(t, "auditors:"+readToken) })
	f.record(t, sample(), nil)
	for _, path := range []string{"/", "/apps/orders-api", "/findings", "/api/v1/applications", "/api/v1/scans", "/api/v1/applications/orders-api/cyclonedx"} {
		res := f.get(t, path)
		if res.code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d, want 401", path, res.code)
		}
		wantAuth := "Bearer"
		if !strings.HasPrefix(path, "/api/") {
			wantAuth = "Basic"
		}
		if h := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, wantAuth) {
			t.Errorf("GET %s: WWW-Authenticate %q, want %s", path, h, wantAuth)
		}
		for _, tok := range []string{readToken, uploadToken} {
			if res := f.do(t, http.MethodGet, path, nil, bearer(tok)); res.code != http.StatusOK {
				t.Errorf("GET %s with a token: %d %s", path, res.code, res.body)
			}
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if res := f.get(t, path); res.code != http.StatusOK {
			t.Errorf("GET %s needs no token: %d", path, res.code)
		}
	}
}
