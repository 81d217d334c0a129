package serverless

import (
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/golden"
)

// TestGolden loads each fixture application and compares the result with
// its golden file.
func TestGolden(t *testing.T) {
	for _, name := range []string{"http-auth", "workers", "variables", "images", "packaged", "packaged-v2"} {
		t.Run(name, func(t *testing.T) {
			app := bundletest.Load(t, New(), filepath.Join("testdata", name))
			golden.Check(t, filepath.Join("testdata", name+".golden.json"), bundletest.Render(t, app))
		})
	}
}
