//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// flockTry has no flock to use on this platform: SQLite stores are not
// locked against other holders (see DB.TryLock).
func flockTry(*os.File) (bool, error) { return true, nil }

// flockRelease is a no-op where flockTry is.
func flockRelease(*os.File) {}
