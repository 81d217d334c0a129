package terraform

import (
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/golden"
)

// TestLoadGolden loads each fixture plan and compares the application with
// testdata/NAME.golden.json.
func TestLoadGolden(t *testing.T) {
	for _, name := range []string{"aws-modules", "aws-sources", "gcp"} {
		t.Run(name, func(t *testing.T) {
			app := bundletest.Load(t, New(), filepath.Join("testdata", name))
			golden.Check(t, filepath.Join("testdata", name+".golden.json"), bundletest.Render(t, app))
		})
	}
}
