//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package dbupdate

import "os"

// tryLock has no flock to use on this platform: updates are not locked
// against each other (docs/database.md says so).
func tryLock(*os.File) (bool, error) { return true, nil }

// unlock is a no-op where tryLock is.
func unlock(*os.File) error { return nil }
