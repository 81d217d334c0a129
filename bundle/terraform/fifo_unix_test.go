//go:build unix

package terraform

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNamedPipeIsNotOpened checks that a named pipe called plan.json is
// refused without being opened (opening it would block until a writer
// comes).
func TestNamedPipeIsNotOpened(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "plan.json")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if got, ok := New().Detect(dir); ok {
		t.Errorf("Detect(%s) = %q, true; want false", dir, got)
	}
	if _, err := New().Load(context.Background(), pipe); err == nil {
		t.Errorf("Load(named pipe) succeeded")
	}
}
