package terraform

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestLoadGolden loads each fixture plan and compares the application with
// testdata/NAME.golden.json.
func TestLoadGolden(t *testing.T) {
	for _, name := range []string{"aws-modules", "aws-sources", "gcp"} {
		t.Run(name, func(t *testing.T) {
			manifest, ok := New().Detect(filepath.Join("testdata", name))
			if !ok {
				t.Fatalf("Detect(testdata/%s) = false", name)
			}
			app, err := New().Load(context.Background(), manifest)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, app)
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}
