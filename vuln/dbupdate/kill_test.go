package dbupdate

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Environment of a child update (see TestMain).
const (
	envChild  = "FNAUDIT_TEST_UPDATE_CHILD" // database dir
	envURL    = "FNAUDIT_TEST_UPDATE_URL"
	envEcos   = "FNAUDIT_TEST_UPDATE_ECOSYSTEMS"
	envPause  = "FNAUDIT_TEST_UPDATE_PAUSE"  // hook point at which to stop
	envMarker = "FNAUDIT_TEST_UPDATE_MARKER" // file created when stopped there
)

// TestMain lets a test run this binary as an update in a child process,
// which the test then kills.
func TestMain(m *testing.M) {
	if dir := os.Getenv(envChild); dir != "" {
		os.Exit(childUpdate(dir))
	}
	os.Exit(m.Run())
}

// childUpdate updates dir as the environment says, pausing for good at the
// hook point envPause after creating envMarker.
func childUpdate(dir string) int {
	cfg := DefaultConfig()
	cfg.BaseURL = os.Getenv(envURL)
	cfg.Ecosystems = strings.Split(os.Getenv(envEcos), ",")
	cfg.Retries = 0
	cfg.hook = func(point, _ string) {
		if point == os.Getenv(envPause) {
			os.WriteFile(os.Getenv(envMarker), nil, 0o644)
			time.Sleep(time.Minute)
		}
	}
	if _, err := Update(context.Background(), dir, cfg); err != nil {
		return 1
	}
	return 0
}

// TestUpdateKilled kills an update at the worst moments: while the archive
// is still arriving, just before it is renamed into place, and just after
// (before the state file says so). Each time the database opens and
// matches, holds either the old archive or the new one (whole), the lock
// is free, and the next update succeeds and leaves no temp file behind.
func TestUpdateKilled(t *testing.T) {
	tests := []struct {
		name, pause string
		wantNew     bool // the new npm archive is in place after the kill
	}{
		{"mid-download", "", false},
		{"before rename", "rename", false},
		{"after rename, before the state", "state", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMirror(t, "npm", "PyPI")
			dir := seeded(t, m, "npm", "PyPI")
			before := snapshot(t, dir)
			newAdvisory(t, m)
			newNPM, _ := os.ReadFile(m.path("npm"))
			marker := filepath.Join(t.TempDir(), "paused")
			streaming := make(chan struct{}, 1)
			if tt.pause == "" {
				m.set("/npm/all.zip", stallHalfway(m, streaming))
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envChild+"="+dir, envURL+"="+m.srv.URL, envEcos+"=npm",
				envPause+"="+tt.pause, envMarker+"="+marker)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, cmd, streaming, marker)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			var ee *exec.ExitError
			if err := cmd.Wait(); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child: %v, want killed", err)
			}

			if left, _ := os.ReadDir(filepath.Join(dir, ".fnaudit", "tmp")); !tt.wantNew && len(left) == 0 {
				t.Error("the killed run left no partial archive: it was not killed mid-way")
			}
			got, _ := os.ReadFile(filepath.Join(dir, "npm", zipName))
			if isNew := sha256hex(got) == sha256hex(newNPM); isNew != tt.wantNew {
				t.Errorf("new archive in place: %v, want %v", isNew, tt.wantNew)
			}
			if !tt.wantNew {
				assertSnapshot(t, dir, before)
			}
			if ids := matchIDs(t, dir, "npm", "lodash", "4.17.15"); len(ids) == 0 {
				t.Error("the database no longer matches lodash")
			}

			m.set("/npm/all.zip", nil)
			rs := update(t, dir, testConfig(m, "npm", "PyPI"))
			for eco, r := range rs {
				if r.Status == Failed {
					t.Errorf("next update, %s: %v", eco, r.Err)
				}
			}
			if diff := cmp.Diff([]string{"FNA-TEST-1"}, matchIDs(t, dir, "npm", "left-pad", "1.0.0")); diff != "" {
				t.Errorf("after the next update (-want +got):\n%s", diff)
			}
			want := []string{".fnaudit/index/PyPI.idx", ".fnaudit/index/npm.idx", ".fnaudit/lock", ".fnaudit/state.json", "PyPI/all.zip", "npm/all.zip"}
			if diff := cmp.Diff(want, files(t, dir)); diff != "" {
				t.Errorf("files after the next update (-want +got):\n%s", diff)
			}
		})
	}
}

// stallHalfway serves half of npm's archive, tells streaming, and then
// holds the connection open until the client goes away.
func stallHalfway(m *mirror, streaming chan<- struct{}) func(http.ResponseWriter, *http.Request, int) bool {
	return func(w http.ResponseWriter, r *http.Request, _ int) bool {
		b, _ := os.ReadFile(m.path("npm"))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		streaming <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return true
	}
}

// waitFor waits until the server streams the body or the child creates
// marker.
func waitFor(t *testing.T, cmd *exec.Cmd, streaming <-chan struct{}, marker string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-streaming:
			return
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the child never reached the point to be killed at")
		case <-tick.C:
			if _, err := os.Stat(marker); err == nil {
				return
			}
		}
	}
}
