package serverless

import (
	"path/filepath"
	"testing"
)

// TestGolden loads each fixture application and compares the result with
// its golden file.
func TestGolden(t *testing.T) {
	for _, name := range []string{"http-auth", "workers", "variables", "images", "packaged", "packaged-v2"} {
		t.Run(name, func(t *testing.T) {
			app := loadDir(t, filepath.Join("testdata", name))
			checkGolden(t, name, render(t, app))
		})
	}
}
