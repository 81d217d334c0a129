package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/internal/schematest"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/cyclonedx"
)

// TestDownloads fetches every download of the newest and of an older
// entry: media type, attachment file name (made safe), and a valid
// document (CycloneDX JSON against the 1.6 schema, XML against the XSD
// when xmllint is there, SARIF against 2.1.0, the report as stored).
func TestDownloads(t *testing.T) {
	f := newFixture(t, nil)
	old := f.record(t, awkwardSample(), nil)
	changed := awkwardSample()
	for i := range changed.Functions {
		changed.Functions[i].Findings = nil
	}
	reports.Assess(changed, reports.Policy{FailOn: reports.LevelHigh})
	newest := f.record(t, changed, nil)
	cdxSchema, sarifSchema := schematest.CycloneDX(t), schematest.SARIF(t)
	app := "/api/v1/applications/" + url.PathEscape("billing sync")
	fn := app + "/functions/" + url.PathEscape("Stack/Pay Fn")
	scan := func(id int64) string { return strconv.FormatInt(id, 10) }

	for _, tc := range []struct {
		path, ctype, file string
		check             func(t *testing.T, body []byte)
	}{
		{fn + "/cyclonedx", typeCycloneDXJSON, "billing_sync_Stack_Pay_Fn_scan" + scan(newest.ID) + ".cdx.json", validJSON(cdxSchema)},
		{fn + "/cyclonedx?format=xml", typeCycloneDXXML, "billing_sync_Stack_Pay_Fn_scan" + scan(newest.ID) + ".cdx.xml", validXML},
		{fn + "/cyclonedx?scan=" + scan(old.ID), typeCycloneDXJSON, "billing_sync_Stack_Pay_Fn_scan" + scan(old.ID) + ".cdx.json", validJSON(cdxSchema)},
		{app + "/cyclonedx", typeCycloneDXJSON, "billing_sync_scan" + scan(newest.ID) + ".cdx.json", validJSON(cdxSchema)},
		{app + "/cyclonedx?format=xml&scan=" + scan(old.ID), typeCycloneDXXML, "billing_sync_scan" + scan(old.ID) + ".cdx.xml", validXML},
		{"/api/v1/scans/" + scan(old.ID) + "/cyclonedx", typeCycloneDXJSON, "billing_sync_scan" + scan(old.ID) + ".cdx.json", validJSON(cdxSchema)},
		{"/api/v1/scans/" + scan(old.ID) + "/sarif", typeSARIF, "billing_sync_scan" + scan(old.ID) + ".sarif", validJSON(sarifSchema)},
		{"/api/v1/scans/" + scan(newest.ID) + "/report", typeJSON, "billing_sync_scan" + scan(newest.ID) + ".fnaudit.json", sameReport(t, changed)},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := f.get(t, tc.path)
			if res.code != http.StatusOK {
				t.Fatalf("%d %s", res.code, res.body)
			}
			if got := res.header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if got, want := res.header.Get("Content-Disposition"), `attachment; filename="`+tc.file+`"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			tc.check(t, res.body)
		})
	}
}

// TestDownloadIsTheEntrys checks that a download of an older entry is that
// entry's document, byte for byte what the CLI writes for its report.
func TestDownloadIsTheEntrys(t *testing.T) {
	f := newFixture(t, nil)
	r := sample()
	old := f.record(t, r, nil)
	f.record(t, awkwardSample(), nil)
	newer := sample()
	newer.Functions[0].Findings = nil
	reports.Assess(newer, reports.Policy{FailOn: reports.LevelHigh})
	f.record(t, newer, nil)

	stored, err := f.st.Report(t.Context(), old.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := cyclonedx.EncodeBOM(&want, cyclonedx.FunctionBOM(stored, &stored.Functions[0]), cdx.BOMFileFormatJSON); err != nil {
		t.Fatal(err)
	}
	res := f.get(t, "/api/v1/applications/orders-api/functions/listOrders/cyclonedx?scan="+strconv.FormatInt(old.ID, 10))
	if !bytes.Equal(res.body, want.Bytes()) {
		t.Errorf("the download of entry %d is not its document", old.ID)
	}
	latest := f.get(t, "/api/v1/applications/orders-api/functions/listOrders/cyclonedx")
	if bytes.Equal(latest.body, want.Bytes()) || !strings.Contains(string(res.body), `"authenticated": false`) {
		t.Errorf("the newest download is the older entry's, or lost a false boolean")
	}
	if res := f.get(t, "/api/v1/applications/orders-api/cyclonedx?format=yaml"); res.code != http.StatusBadRequest {
		t.Errorf("format=yaml: %d", res.code)
	}
}

func validJSON(sch interface{ Validate(any) error }) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("schema: %v", err)
		}
	}
}

// validXML parses the document and, with xmllint, validates it against the
// CycloneDX 1.6 XSD kept in reports/cyclonedx/testdata.
func validXML(t *testing.T, body []byte) {
	t.Helper()
	var doc struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(body, &doc); err != nil || doc.XMLName.Space != "http://cyclonedx.org/schema/bom/1.6" {
		t.Fatalf("not a CycloneDX 1.6 XML document: %v %v", err, doc.XMLName)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv(requireToolsEnv) == "1" {
			t.Fatalf("xmllint is required (%s=1)", requireToolsEnv)
		}
		t.Log("xmllint not installed: the XML is parsed, not validated against the XSD")
		return
	}
	_, self, _, _ := runtime.Caller(0)
	xsd := filepath.Join(filepath.Dir(self), "..", "reports", "cyclonedx", "testdata", "schema", "bom-1.6.xsd")
	file := filepath.Join(t.TempDir(), "bom.xml")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(t.Context(), xmllint, "--nonet", "--noout", "--schema", xsd, file).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}

// sameReport checks a report download against the report recorded: the
// same JSON as reports.WriteJSON writes for it.
func sameReport(t *testing.T, want *reports.Report) func(*testing.T, []byte) {
	var buf bytes.Buffer
	if err := reports.WriteJSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, body []byte) {
		t.Helper()
		if diff := cmp.Diff(buf.String(), string(body)); diff != "" {
			t.Errorf("report download (-recorded +downloaded):\n%s", diff)
		}
	}
}
