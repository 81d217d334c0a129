//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package flock takes advisory whole-file locks (flock(2)) without
// waiting: the lock between processes that share a database directory or a
// SQLite store. Where flock does not exist, TryLock always succeeds and
// Unlock does nothing; the callers document what that means for them.
package flock

import (
	"errors"
	"os"
	"syscall"
)

// TryLock takes an exclusive flock on f without waiting, reporting whether
// it got it.
func TryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		default:
			return false, err
		}
	}
}

// Unlock drops the flock on f (closing f would too).
func Unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
