package catalog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDir: directories syft skips are refused, with links resolved;
// others pass. Dir refuses them too, so a function there is never
// catalogued as empty.
func TestCheckDir(t *testing.T) {
	tmp := t.TempDir()
	for dir, ok := range map[string]bool{
		tmp: true, "/tmp": true, "/var/tmp": true, "/devices": true, "/runner/work": true,
		"/dev/shm": false, "/dev": false, "/run/user/1000": false, "/sys/x": false, "/proc/1": false, "/var/run/x": false, "/var/lock": false,
	} {
		if err := CheckDir(dir); (err == nil) != ok {
			t.Errorf("CheckDir(%s): %v", dir, err)
		}
	}
	if _, err := os.Stat("/dev/shm"); err == nil {
		link := filepath.Join(tmp, "shm")
		if err := os.Symlink("/dev/shm", link); err != nil {
			t.Fatal(err)
		}
		if err := CheckDir(filepath.Join(link, "x")); err == nil {
			t.Error("a link into /dev/shm passed")
		}
		if _, err := Dir(context.Background(), link, "code", DefaultConfig()); err == nil || !strings.Contains(err.Error(), "syft reads no file") {
			t.Errorf("Dir under /dev/shm: %v", err)
		}
	}
}
