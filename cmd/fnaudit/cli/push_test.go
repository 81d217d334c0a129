package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/server"
	"github.com/fnaudit/fnaudit/store"
)

const pushToken = "pipeline-token-0123456789"

// pushServer is a fnaudit server on loopback over a fresh SQLite store that
// accepts uploads with pushToken.
func pushServer(t *testing.T) (string, store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := server.DefaultConfig()
	cfg.Store, cfg.ToolVersion = st, Version
	if cfg.Tokens, err = server.ParseTokens(strings.NewReader("ci:"+pushToken), "tokens"); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL, st
}

// TestScanPush: `scan --push URL --token T` uploads the scan, labels
// included, after writing the outputs; the server then serves the
// function's CycloneDX document.
func TestScanPush(t *testing.T) {
	url, st := pushServer(t)
	out := filepath.Join(t.TempDir(), "report.json")
	r := run(t, "scan", "--db", testDB, "--format", "json="+out, demoZip, "--push", url, "--token", pushToken, "--label", "commit=4f2a9c1")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "pushed scan of") || strings.Contains(r.stderr, pushToken) {
		t.Errorf("stderr should say the scan was pushed, without the token:\n%s", r.stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the outputs are written too: %v", err)
	}
	entries, err := st.Latest(context.Background(), store.Query{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("the server's store holds %v (%v), want one entry", entries, err)
	}
	e := entries[0]
	if e.Labels["commit"] != "4f2a9c1" || e.Counts.Findings != 11 {
		t.Errorf("pushed entry: labels %v, %d findings (want commit=4f2a9c1, the demo's 11)", e.Labels, e.Counts.Findings)
	}
	fns, err := st.Functions(context.Background(), e.ID)
	if err != nil || len(fns) != 1 {
		t.Fatalf("functions: %v %v", fns, err)
	}
	resp, err := http.Get(url + "/api/v1/applications/" + e.Application + "/functions/" + fns[0].Name + "/cyclonedx")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Components  []struct {
			Name string `json:"name"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&bom); err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %d %v", resp.StatusCode, err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" || len(bom.Components) == 0 {
		t.Errorf("downloaded document: %+v", bom)
	}
}

// TestScanPushFails: a refused or impossible push is exit 2 with the
// server's reason, after the outputs were written; a push without a token
// is refused before anything is audited.
func TestScanPushFails(t *testing.T) {
	url, st := pushServer(t)
	out := filepath.Join(t.TempDir(), "report.json")
	r := run(t, "scan", "--db", testDB, "--format", "json="+out, "--push", url, "--token", "wrong-token-0123456789", demoZip)
	if r.code != 2 || !strings.Contains(r.stderr, "not pushed") || !strings.Contains(r.stderr, "401") || !strings.Contains(r.stderr, "--token") {
		t.Errorf("wrong token: exit %d:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the outputs are written before the push: %v", err)
	}
	if entries, _ := st.Latest(context.Background(), store.Query{}); len(entries) != 0 {
		t.Errorf("a refused push was recorded: %v", entries)
	}

	t.Setenv(tokenEnv, pushToken)
	if r := run(t, "scan", "--db", testDB, "--quiet", "--push", url, demoZip); r.code != 0 {
		t.Errorf("token from $%s: exit %d:\n%s", tokenEnv, r.code, r.stderr)
	}
	t.Setenv(tokenEnv, "")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--push", url}, tokenEnv},
		{[]string{"--token", pushToken}, "--push"},
		{[]string{"--push", "ftp://example.com", "--token", pushToken}, "http"},
		{[]string{"--push", "http://ci:" + pushToken + "@127.0.0.1:1", "--token", pushToken}, "not in the URL"},
	} {
		r := run(t, append([]string{"scan", "--db", testDB, demoZip}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "pushed") {
			t.Errorf("%v: exit %d, want 2 mentioning %q:\n%s", tc.args, r.code, tc.want, r.stderr)
		}
	}
}

// TestServeUsageErrors: serve refuses contradictory flags before listening.
func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("ci:"+pushToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "fnaudit.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "--store"},
		{[]string{"serve", "--store", db, "extra"}, "no PATH"},
		{[]string{"serve", "--store", db}, "record scans there first"},
		{[]string{"serve", "--store", db, "--read-only", "--tokens", tokens}, "read-only"},
		{[]string{"serve", "--store", db, "--notify-webhook", "http://127.0.0.1:1/"}, "--rescan-every"},
		{[]string{"serve", "--store", db, "--log-format", "xml"}, "text or json"},
		{[]string{"serve", "--store", db, "--tokens", filepath.Join(dir, "missing")}, "--tokens"},
	} {
		r := run(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 mentioning %q:\n%s", tc.args, r.code, tc.want, r.stderr)
		}
	}
}

// TestPushEndpoint: the server's base URL, with or without a path prefix
// or trailing slashes, or the endpoint itself, all name the endpoint.
func TestPushEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":                      "http://127.0.0.1:8080/api/v1/scans",
		"http://127.0.0.1:8080/":                     "http://127.0.0.1:8080/api/v1/scans",
		"https://audit.example.com/fnaudit/":         "https://audit.example.com/fnaudit/api/v1/scans",
		"https://audit.example.com/api/v1/scans":     "https://audit.example.com/api/v1/scans",
		"https://audit.example.com/api/v1/scans/":    "https://audit.example.com/api/v1/scans",
		"https://audit.example.com/api/v1/scans?x=1": "https://audit.example.com/api/v1/scans",
	} {
		if got, err := pushEndpoint(in); err != nil || got != want {
			t.Errorf("pushEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
