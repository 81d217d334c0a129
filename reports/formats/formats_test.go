package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/reports/reportstest"
)

// TestEveryFormat writes the sample report in every format of the table,
// twice, and expects the same non-empty bytes: no listed format is
// unimplemented and none depends on anything but the report.
func TestEveryFormat(t *testing.T) {
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := f.Encode(&a, reportstest.Sample()); err != nil {
				t.Fatal(err)
			}
			if err := f.Encode(&b, reportstest.Sample()); err != nil {
				t.Fatal(err)
			}
			if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s: empty or not deterministic", f.Name)
			}
			if f.Dir == nil {
				return
			}
			d1, d2 := t.TempDir(), t.TempDir()
			if err := f.Dir(d1, reportstest.Sample()); err != nil {
				t.Fatal(err)
			}
			if err := f.Dir(d2, reportstest.Sample()); err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(d1)
			if len(entries) == 0 {
				t.Fatalf("%s wrote nothing to its directory", f.Name)
			}
			for _, e := range entries {
				x, _ := os.ReadFile(filepath.Join(d1, e.Name()))
				y, _ := os.ReadFile(filepath.Join(d2, e.Name()))
				if !bytes.Equal(x, y) {
					t.Errorf("%s/%s differs between two runs", f.Name, e.Name())
				}
			}
		})
	}
	if _, err := Lookup("xml"); err == nil {
		t.Error("Lookup(xml) succeeded")
	}
}
