package cyclonedx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// namedReport is the sample with functions renamed to the given names.
func namedReport(names ...string) *reports.Report {
	r := reportstest.Sample()
	base := r.Functions[0]
	r.Functions = nil
	for _, n := range names {
		fn := base
		fn.Name = n
		r.Functions = append(r.Functions, fn)
	}
	return r
}

func TestFileNames(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name      string
		functions []string
		want      []string
	}{
		{"plain", []string{"listOrders", "my-fn_2.x"}, []string{"listOrders.cdx.json", "my-fn_2.x.cdx.json"}},
		{"CDK path", []string{"Stack/My Fn"}, []string{"Stack_My_Fn.cdx.json"}},
		{"collision after replacing", []string{"Stack/My Fn", "Stack_My_Fn", "Stack My/Fn"}, []string{"Stack_My_Fn.cdx.json", "Stack_My_Fn-2.cdx.json", "Stack_My_Fn-3.cdx.json"}},
		{"suffix taken by a real name", []string{"a b", "a_b", "a_b-2"}, []string{"a_b.cdx.json", "a_b-2.cdx.json", "a_b-2-2.cdx.json"}},
		{"case-insensitive collision", []string{"Foo", "foo"}, []string{"Foo.cdx.json", "foo-2.cdx.json"}},
		{"application is taken", []string{"application", "Application"}, []string{"application-2.cdx.json", "Application-3.cdx.json"}},
		{"empty and dots", []string{"", ".", "..", "../etc/passwd"}, []string{"_.cdx.json", "_..cdx.json", "_...cdx.json", "_.._etc_passwd.cdx.json"}},
		{"unicode", []string{"føø"}, []string{"f__.cdx.json"}},
		{"long", []string{long}, []string{strings.Repeat("a", maxStem) + ".cdx.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FileNames(namedReport(tt.functions...))); diff != "" {
				t.Errorf("FileNames(%q) (-want +got):\n%s", tt.functions, diff)
			}
		})
	}
}

// readDir returns the names in dir and, by file name, the name of the
// component each document is about.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var b cdx.BOM
		err = cdx.NewBOMDecoder(f, cdx.BOMFileFormatJSON).Decode(&b)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = b.Metadata.Component.Name
		if info, _ := e.Info(); info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	return out
}

func TestWriteDir(t *testing.T) {
	r := namedReport("Stack/My Fn", "Stack_My_Fn", "application", "listOrders")
	dir := filepath.Join(t.TempDir(), "out", "sboms") // created by WriteDir
	want := map[string]string{
		"Stack_My_Fn.cdx.json":   "Stack/My Fn",
		"Stack_My_Fn-2.cdx.json": "Stack_My_Fn",
		"application-2.cdx.json": "application",
		"listOrders.cdx.json":    "listOrders",
		"application.cdx.json":   "orders-api",
	}
	if err := WriteDir(dir, r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, readDir(t, dir)); diff != "" {
		t.Fatalf("files written (-want +got):\n%s", diff)
	}
	first, err := os.ReadFile(filepath.Join(dir, "listOrders.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, encodeBOM(t, FunctionBOM(r, &r.Functions[3]))) {
		t.Error("listOrders.cdx.json is not the function's document")
	}

	// Again into the same folder: the same files, the same bytes, no
	// temporary files left.
	if err := WriteDir(dir, r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, readDir(t, dir)); diff != "" {
		t.Errorf("files after writing again (-want +got):\n%s", diff)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "listOrders.cdx.json"))
	if !bytes.Equal(first, again) {
		t.Error("writing again changed listOrders.cdx.json")
	}
}

func TestWriteDirErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := t.TempDir() // a folder stands where the application document goes
	if err := os.MkdirAll(filepath.Join(blocked, ApplicationFile, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, mention string }{
		{"destination is a file", file, "creating the CycloneDX output folder"},
		{"destination below a file", filepath.Join(file, "sub"), "creating the CycloneDX output folder"},
		{"a folder in the way", blocked, filepath.Join(blocked, ApplicationFile)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteDir(tt.dir, reportstest.Sample())
			if err == nil {
				t.Fatalf("WriteDir(%s) succeeded", tt.dir)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.mention) {
				t.Errorf("error %q does not mention %q", msg, tt.mention)
			}
			entries, _ := os.ReadDir(tt.dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

// TestEncodeXML checks that the XML document parses with encoding/xml, is
// in the CycloneDX 1.6 namespace, and carries what the JSON one does.
func TestEncodeXML(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeXML(&buf, reportstest.Sample()); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var root xml.Name
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the XML document does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root.Local == "" {
			root = se.Name
		}
	}
	if want := (xml.Name{Space: "http://cyclonedx.org/schema/bom/1.6", Local: "bom"}); root != want {
		t.Errorf("root element %v, want %v", root, want)
	}

	var got cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(buf.Bytes()), cdx.BOMFileFormatXML).Decode(&got); err != nil {
		t.Fatalf("decoding the XML document: %v", err)
	}
	want := ApplicationBOM(reportstest.Sample())
	if got.SerialNumber != want.SerialNumber {
		t.Errorf("serial number %s, want %s", got.SerialNumber, want.SerialNumber)
	}
	gotOutline, wantOutline := outlineOf(&got), outlineOf(want)
	if diff := cmp.Diff(wantOutline, gotOutline); diff != "" {
		t.Errorf("XML document outline (-JSON +XML):\n%s", diff)
	}
	if diff := cmp.Diff(analyses(want), analyses(&got)); diff != "" {
		t.Errorf("XML analyses (-JSON +XML):\n%s", diff)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestEncodersReportWriteErrors(t *testing.T) {
	for name, enc := range map[string]func(io.Writer, *reports.Report) error{"json": Encode, "xml": EncodeXML} {
		t.Run(name, func(t *testing.T) {
			err := enc(failingWriter{}, reportstest.Sample())
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Errorf("error %v, want the writer's error wrapped", err)
			}
		})
	}
}

// TestXMLSchemaValid validates the XML of every document of every fixture
// against the CycloneDX 1.6 XSD with xmllint (from libxml2-utils), offline.
func TestXMLSchemaValid(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("not validating XML: no xmllint (apt-get install libxml2-utils)")
	}
	xsd := filepath.Join("testdata", "schema", "bom-1.6.xsd")
	dir := t.TempDir()
	all := fixtures()
	for _, name := range sortedKeys(all) {
		for _, d := range documents(all[name]()) {
			t.Run(name+"/"+d.file, func(t *testing.T) {
				var buf bytes.Buffer
				if err := EncodeBOM(&buf, d.bom, cdx.BOMFileFormatXML); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(dir, name+"-"+strings.TrimSuffix(d.file, ".json")+".xml")
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.CommandContext(t.Context(), xmllint, "--nonet", "--noout", "--schema", xsd, file).CombinedOutput()
				if err != nil {
					t.Errorf("xmllint: %v\n%s", err, out)
				}
			})
		}
	}
}

// TestNoOccurrenceLines guards the XML encoding without xmllint:
// cyclonedx-go v0.12.0 writes an evidence occurrence's line, offset and
// symbol as XML attributes, which the 1.6 XSD rejects, so none is set.
func TestNoOccurrenceLines(t *testing.T) {
	var check func(cs []cdx.Component)
	check = func(cs []cdx.Component) {
		for _, c := range cs {
			if c.Evidence != nil {
				for _, o := range deref(c.Evidence.Occurrences) {
					if o.Line != nil || o.Offset != nil || o.Symbol != "" || o.AdditionalContext != "" {
						t.Errorf("%s: occurrence %+v has fields cyclonedx-go writes as invalid XML attributes", c.BOMRef, o)
					}
				}
			}
			check(deref(c.Components))
		}
	}
	for _, d := range documents(edgeReport()) {
		check(append([]cdx.Component{*d.bom.Metadata.Component}, deref(d.bom.Components)...))
	}
}
