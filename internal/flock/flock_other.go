//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

// Package flock takes advisory whole-file locks (flock(2)) without
// waiting. This platform has no flock: TryLock always succeeds and Unlock
// does nothing; the callers document what that means for them.
package flock

import "os"

// TryLock reports the lock as taken: there is no flock to use here.
func TryLock(*os.File) (bool, error) { return true, nil }

// Unlock does nothing where TryLock takes nothing.
func Unlock(*os.File) error { return nil }
