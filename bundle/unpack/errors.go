package unpack

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by [Zip], always wrapped with the artifact path and a
// reason; test for them with errors.Is.
var (
	// ErrNotFound means the artifact does not exist.
	ErrNotFound = errors.New("artifact not found")
	// ErrNotZip means the artifact is not a zip archive at all (an empty file,
	// an HTML error page saved as .zip, a directory, ...).
	ErrNotZip = errors.New("not a zip archive")
	// ErrCorrupt means the artifact looks like a zip archive but cannot be read
	// to the end: truncated, bad checksum, bad compressed data.
	ErrCorrupt = errors.New("corrupt or truncated archive")
	// ErrLimit means the artifact exceeds one of the [Limits]; the message names
	// the limit, its value and the command-line flag that raises it.
	ErrLimit = errors.New("limit exceeded")
)

// EntryError describes one archive entry that was not extracted because it is
// hostile or cannot be represented safely (a path escaping the destination, a
// symlink pointing outside the archive, an encrypted entry, ...).
type EntryError struct {
	Archive string // the artifact path, or "<artifact>!/<nested.zip>" for a nested archive
	Entry   string // the entry name exactly as stored in the archive
	Reason  string // why it was skipped, in plain words
}

// Error returns `<archive>: entry "<entry>": <reason>`.
func (e *EntryError) Error() string {
	return fmt.Sprintf("%s: entry %q: %s", e.Archive, e.Entry, e.Reason)
}

// limitError builds the ErrLimit error for archive: detail names the limit and
// its value, flag the command-line flag that raises it.
func limitError(archive, detail, flag string) error {
	return fmt.Errorf("unpacking %s: %w: %s (raise %s if this artifact is legitimate)",
		archive, ErrLimit, detail, flag)
}

// corruptError builds the ErrCorrupt error for archive, wrapping the cause.
func corruptError(archive, entry string, cause error) error {
	if entry == "" {
		return fmt.Errorf("unpacking %s: %w: %w; rebuild or re-download the artifact",
			archive, ErrCorrupt, cause)
	}
	return fmt.Errorf("unpacking %s: %w: entry %q: %w; rebuild or re-download the artifact",
		archive, ErrCorrupt, entry, cause)
}
