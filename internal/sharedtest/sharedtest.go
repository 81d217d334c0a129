// Package sharedtest locates the workplace's shared test data (../shared next
// to the repository: the corpus applications and the full OSV database) for
// tests that need it.
//
// When ../shared is absent the tests using it skip and say so, unless the
// environment sets FNAUDIT_REQUIRE_SHARED=1 (CI does, through `make
// test-corpus`), in which case they fail.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RequireEnv is the environment variable that turns a missing ../shared into
// a test failure.
const RequireEnv = "FNAUDIT_REQUIRE_SHARED"

// Dir returns the absolute path of ../shared/<sub> (relative to the module
// root), or skips (or fails, see RequireEnv) the test when it is missing.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	dir := filepath.Join(root, sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%s is required (%s=1) but missing: %v", dir, RequireEnv, err)
		}
		tb.Skipf("../shared/%s not found: test skipped (it runs in CI through make test-corpus)", sub)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}
