package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestScanInterruptCleansUp sends SIGINT to a scan while it unpacks a large
// zip: the process exits 3 and leaves nothing in its temp dir's parent.
func TestScanInterruptCleansUp(t *testing.T) {
	var entries [][2]string
	for i := range 20000 {
		entries = append(entries, [2]string{
			fmt.Sprintf("node_modules/pkg-%05d/package.json", i),
			fmt.Sprintf(`{"name":"pkg-%05d","version":"1.0.%d"}`, i, i),
		})
	}
	z := filepath.Join(t.TempDir(), "big.zip")
	writeZip(t, z, entries)
	tmp := t.TempDir()

	cmd := exec.Command(os.Args[0], "scan", "--db", testDB, "--tmp-dir", tmp, "--format", "json="+filepath.Join(t.TempDir(), "r.json"), z)
	cmd.Env = append(os.Environ(), envChild+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the run has made its temp dir, then interrupt it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the scan never created its temp dir")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("scan interrupted: %v, want exit code 3", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the interrupted run left %d entries in --tmp-dir", len(left))
	}
}
