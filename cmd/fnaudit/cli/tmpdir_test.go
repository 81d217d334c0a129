package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanTempDirSyftSkips: a temp dir where syft reads no file (under
// /dev, /run, ...) is refused before anything is audited, directly or
// through a symbolic link, instead of reporting every function clean.
func TestScanTempDirSyftSkips(t *testing.T) {
	if _, err := os.Stat("/dev/shm"); err != nil {
		t.Skip("no /dev/shm on this system")
	}
	link := filepath.Join(t.TempDir(), "shm")
	if err := os.Symlink("/dev/shm", link); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/dev/shm", link} {
		r := run(t, "scan", "--db", testDB, "--tmp-dir", dir, demoZip)
		if r.code != 2 || !strings.Contains(r.stderr, "where syft reads no file") || r.stdout != "" {
			t.Errorf("--tmp-dir %s: exit %d, stdout %q, stderr:\n%s", dir, r.code, r.stdout, r.stderr)
		}
		r = run(t, "sbom", "--db", testDB, "--tmp-dir", dir, "--out-dir", t.TempDir(), demoZip)
		if r.code != 2 || !strings.Contains(r.stderr, "where syft reads no file") {
			t.Errorf("sbom --tmp-dir %s: exit %d:\n%s", dir, r.code, r.stderr)
		}
	}
	left, _ := filepath.Glob("/dev/shm/fnaudit-run-*")
	if len(left) != 0 {
		t.Errorf("temp dirs left behind: %v", left)
	}
}
