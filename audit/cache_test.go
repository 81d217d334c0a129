package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCacheAcrossRuns: a second run takes an unchanged artifact's catalogue
// from the cache (proved by an entry edited between the runs), and an entry
// written by another cataloguer version is not trusted.
func TestCacheAcrossRuns(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DBDir = "../testdata/osvdb"
	cfg.CacheDir = t.TempDir()
	zip := "../testdata/demo/orders-function.zip"
	first, err := Run(context.Background(), cfg, zip)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(cfg.CacheDir, "*", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("%d cache entries, want 1", len(entries))
	}
	var e cacheEntry
	b, _ := os.ReadFile(entries[0])
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	e.Packages = e.Packages[:1] // only @middy/core left
	b, _ = json.Marshal(e)
	os.WriteFile(entries[0], b, 0o644)
	second, err := Run(context.Background(), cfg, zip)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(second.Functions[0].Packages); got != 1 {
		t.Errorf("second run has %d packages, want the 1 of the edited cache entry", got)
	}
	e.Cataloguer = "syft v0.0.1; fnaudit catalog 0"
	b, _ = json.Marshal(e)
	os.WriteFile(entries[0], b, 0o644)
	third, err := Run(context.Background(), cfg, zip)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first.Functions[0].Packages, third.Functions[0].Packages); diff != "" {
		t.Errorf("an entry of another cataloguer version was used (-want +got):\n%s", diff)
	}
}
