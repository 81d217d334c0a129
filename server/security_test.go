package server

import (
	"context"
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/store"
)

// TestHostileNames sends traversal attempts, control characters, long
// names and bad ids in every position a name or id takes: each is refused
// (400) before any lookup, unknown ones are 404, and no answer echoes a
// raw control character.
func TestHostileNames(t *testing.T) {
	f := newFixture(t, nil)
	e := f.record(t, sample(), nil)
	other := f.record(t, awkwardSample(), nil)
	long := strings.Repeat("a", 513)
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/applications/..%2F..%2Fetc%2Fpasswd", 400},
		{"/api/v1/applications/..%2F..%2Fetc%2Fpasswd/cyclonedx", 400},
		{"/api/v1/applications/orders-api/functions/..%2F..%2Fx/cyclonedx", 400},
		{"/api/v1/applications/orders-api/functions/..%5C..%5Cx/cyclonedx", 400},
		{"/api/v1/applications/orders-api/functions/%2E%2E/cyclonedx", 400},
		{"/apps/..%2F..%2Fetc", 400},
		{"/apps/orders-api/functions/..%2Fx", 400},
		{"/apps/orders%00api", 400},
		{"/api/v1/applications/orders%0Aapi", 400},
		{"/api/v1/applications/orders%1B%5B31mapi", 400},
		{"/api/v1/applications/orders%7Fapi", 400},
		{"/api/v1/applications/orders%C2%85api", 400},
		{"/api/v1/applications/orders%FFapi", 400},
		{"/api/v1/applications/" + long, 400},
		{"/api/v1/applications/orders-api/functions/" + long + "/cyclonedx", 400},
		{"/apps/orders-api/functions/listOrders/findings/GHSA%0A", 400},
		{"/api/v1/scans/abc", 400},
		{"/api/v1/scans/-1", 400},
		{"/api/v1/scans/0", 400},
		{"/api/v1/scans/1e3", 400},
		{"/api/v1/scans/99999999999999999999", 400},
		{"/api/v1/applications/orders-api?scan=x", 400},
		{"/findings?application=..%2Fx", 400},
		{"/api/v1/scans?label=%3Dx", 400},
		{"/api/v1/applications/nope", 404},
		{"/api/v1/applications/orders-api/functions/nope/cyclonedx", 404},
		{"/apps/orders-api/functions/listOrders/findings/GHSA-none", 404},
		{"/api/v1/scans/999", 404},
		{"/api/v1/scans/999/sarif", 404},
		{"/api/v1/applications/orders-api?scan=999", 404},
		{"/api/v1/applications/orders-api/cyclonedx?scan=" + itoa(other.ID), 404}, // another application's scan
		{"/api/v1/applications/orders-api/cyclonedx?scan=" + itoa(e.ID), 200},
	} {
		res := f.get(t, tc.path)
		if res.code != tc.code {
			t.Errorf("GET %s: %d, want %d: %s", tc.path, res.code, tc.code, res.body)
		}
		if tc.code != 200 && strings.ContainsFunc(string(res.body), func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) {
			t.Errorf("GET %s: the answer holds a control character: %q", tc.path, res.body)
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestCheckName is the name rule itself.
func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"orders-api": true, "Stack/My Fn": true, "a..b": true, ".hidden": true, "ünïcode": true,
		"": false, ".": false, "..": false, "../x": false, "x/..": false, "a/./b": false, `..\x`: false, "/": false,
		"a\x00b": false, "a\tb": false, "a\u0085b": false, "\xff": false, strings.Repeat("x", 513): false,
	} {
		if err := checkName("test", name); (err == nil) != ok {
			t.Errorf("checkName(%q): %v, want ok %v", name, err, ok)
		}
	}
	if got := safeFileName(".x", "..", "a/b"); got != "_.._a_b.x" {
		t.Errorf("safeFileName: %q", got)
	}
	if got := safeFileName(".x", strings.Repeat("é", 200)); len(got) != 202 || strings.ContainsFunc(got, func(r rune) bool { return r > 0x7e }) {
		t.Errorf("safeFileName of a long name: %q", got)
	}
}

// TestSecurityHeaders: every answer says nosniff and no framing; pages
// carry the strict CSP and reference only their own pinned assets.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	f.record(t, sample(), nil)
	for _, path := range []string{"/", "/apps/orders-api", "/api/v1/applications", "/nope"} {
		res := f.get(t, path)
		h := res.header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
			strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("GET %s: headers %v", path, h)
		}
	}
	page := f.get(t, "/apps/orders-api").String()
	for _, bad := range []string{"<script>", " onclick=", " onload=", " style=", "http://", "//cdn"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, name := range staticFiles {
		a := f.srv.statics[name]
		if !strings.Contains(html.UnescapeString(page), `integrity="`+a.Integrity+`"`) {
			t.Errorf("the page does not pin %s", name)
		}
		res := f.get(t, a.URL)
		if res.code != http.StatusOK || res.header.Get("Content-Type") != a.ctype {
			t.Errorf("GET %s: %d %s", a.URL, res.code, res.header.Get("Content-Type"))
		}
	}
	if res := f.get(t, "/static/..%2Fdoc.go"); res.code != http.StatusNotFound {
		t.Errorf("static traversal: %d", res.code)
	}
}

// failingStore fails every read with an error that must not reach clients.
type failingStore struct{ store.Store }

var errSecret = errors.New("dial postgres://fnaudit:hunter2@db.internal: connection refused")

func (failingStore) Latest(context.Context, store.Query) ([]store.Entry, error) {
	return nil, errSecret
}
func (failingStore) Entries(context.Context, store.Query) ([]store.Entry, error) {
	return nil, errSecret
}

// TestInternalErrorsStayInside: a store failure is logged with the
// request id and answered 500 with a plain message naming that id.
func TestInternalErrorsStayInside(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.cfg.Store = failingStore{f.st}
	for _, path := range []string{"/", "/api/v1/applications/orders-api", "/api/v1/scans"} {
		res := f.get(t, path)
		id := res.header.Get("X-Request-Id")
		if res.code != http.StatusInternalServerError || strings.Contains(res.String(), "hunter2") || !strings.Contains(res.String(), id) {
			t.Errorf("GET %s: %d %s", path, res.code, res.body)
		}
		if !strings.Contains(f.logs.String(), "request="+id) {
			t.Errorf("GET %s: the error is not logged with request %s", path, id)
		}
	}
}

// TestMethods: another method on a known path is 405 with Allow, not 404.
func TestMethods(t *testing.T) {
	f := newFixture(t, nil)
	f.record(t, sample(), nil)
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodDelete, "/api/v1/applications/orders-api", "GET"},
		{http.MethodPut, "/api/v1/scans", "POST"},
		{http.MethodPost, "/healthz", "GET"},
		{http.MethodPost, "/apps/orders-api", "GET"},
	} {
		res := f.do(t, tc.method, tc.path, nil, nil)
		if res.code != http.StatusMethodNotAllowed || !strings.Contains(res.header.Get("Allow"), tc.allow) {
			t.Errorf("%s %s: %d, Allow %q; want 405 allowing %s", tc.method, tc.path, res.code, res.header.Get("Allow"), tc.allow)
		}
	}
	if res := f.get(t, "/api/v1/nothing"); res.code != http.StatusNotFound {
		t.Errorf("GET of an unknown endpoint: %d, want 404", res.code)
	}
}
