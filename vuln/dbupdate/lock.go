package dbupdate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/internal/flock"
	"github.com/fnaudit/fnaudit/vuln"
)

// ErrLocked is returned when another update or import holds the database's
// lock for longer than Config.LockWait.
var ErrLocked = errors.New("another update is running")

// lockPoll is how often a waiting update retries the lock.
const lockPoll = 50 * time.Millisecond

// dbLock is a held database lock: <dir>/.fnaudit/lock, locked with flock
// and holding the holder's pid. The file stays; the lock goes with the
// process (a killed update never leaves a stale lock).
type dbLock struct{ f *os.File }

// acquire takes the lock of database dir, waiting up to wait.
func acquire(ctx context.Context, dir string, wait time.Duration) (*dbLock, error) {
	meta := filepath.Join(dir, vuln.MetaDir)
	if err := os.MkdirAll(meta, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", meta, err)
	}
	path := filepath.Join(meta, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := flock.TryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			l := &dbLock{f: f}
			l.writePID()
			return l, nil
		}
		if !time.Now().Before(deadline) {
			pid := readPID(f)
			f.Close()
			return nil, fmt.Errorf("%w (pid %s) on %s: wait for it to finish, or remove %s if no fnaudit process is running", ErrLocked, pid, dir, path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// writePID records the holder; best effort, the lock does not depend on it.
func (l *dbLock) writePID() {
	if err := l.f.Truncate(0); err == nil {
		l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
}

// readPID returns the pid written by the lock's holder ("unknown" if none).
func readPID(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if s := strings.TrimSpace(string(b)); s != "" {
		if _, err := strconv.Atoi(s); err == nil {
			return s
		}
	}
	return "unknown"
}

// release drops the lock.
func (l *dbLock) release() error {
	l.f.Truncate(0)
	_ = flock.Unlock(l.f)
	return l.f.Close()
}
