package unpack

import "fmt"

// Default limits, sized for AWS Lambda: 250 MiB is its unzipped limit for a
// function's code and layers together.
const (
	DefaultMaxTotalBytes int64 = 250 << 20
	DefaultMaxEntries          = 200_000 // node_modules trees are large
	DefaultMaxRatio      int64 = 200
	DefaultMaxDepth            = 3

	// ratioFloor is the uncompressed size up to which the ratio limit does not
	// apply: small, highly repetitive files (lock files, minified JSON) are fine.
	ratioFloor = 1 << 20
)

// Limits bound one artifact's extraction; nested archives count toward the same
// totals. A zero or negative field takes its default (see [DefaultLimits]).
type Limits struct {
	MaxTotalBytes int64 // total uncompressed bytes written; default 250 MiB (flag --max-unpacked-bytes)
	MaxEntryBytes int64 // uncompressed bytes of one entry; zero means MaxTotalBytes
	MaxEntries    int   // entries in the archive and its nested archives, and separately directories created; default 200,000 (flag --max-entries)
	MaxRatio      int64 // uncompressed/compressed size of an entry over 1 MiB; default 200 (flag --max-ratio)
	MaxDepth      int   // archive nesting depth, the artifact itself being depth 1; default 3 (flag --max-depth)
}

// DefaultLimits returns the limits used when none are configured.
// MaxEntryBytes is left zero, meaning "as MaxTotalBytes", so that a caller
// raising MaxTotalBytes alone raises both.
func DefaultLimits() Limits {
	return Limits{
		MaxTotalBytes: DefaultMaxTotalBytes,
		MaxEntries:    DefaultMaxEntries,
		MaxRatio:      DefaultMaxRatio,
		MaxDepth:      DefaultMaxDepth,
	}
}

// withDefaults returns l with every unset field set to its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = l.MaxTotalBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// Verbs for limit messages: sizes are checked as declared by an entry's
// header, then as actually inflated.
const (
	declared = "declares"
	inflated = "inflates to at least"
)

// sizeError reports an entry of size bytes that is over the per-entry or the
// remaining total limit, written being the bytes written before it, or nil.
// verb says whether size is declared or inflated.
func (l Limits) sizeError(archive, entry, verb string, size, written uint64) error {
	if size > uint64(l.MaxEntryBytes) {
		return limitError(archive, fmt.Sprintf("entry %q %s %d bytes, over the per-entry size limit of %d bytes",
			entry, verb, size, l.MaxEntryBytes), "--max-unpacked-bytes")
	}
	if written+size > uint64(l.MaxTotalBytes) {
		return limitError(archive, fmt.Sprintf("entry %q %s %d bytes after %d already written, over the total unpacked size limit of %d bytes",
			entry, verb, size, written, l.MaxTotalBytes), "--max-unpacked-bytes")
	}
	return nil
}

// ratioError reports an entry over ratioFloor whose size bytes come from
// compressed bytes at a ratio above MaxRatio, or nil.
func (l Limits) ratioError(archive, entry, verb string, size, compressed uint64) error {
	if size <= ratioFloor || !ratioExceeds(size, compressed, uint64(l.MaxRatio)) {
		return nil
	}
	return limitError(archive, fmt.Sprintf("entry %q %s %d bytes from %d compressed bytes, over the compression ratio limit of %d:1",
		entry, verb, size, compressed, l.MaxRatio), "--max-ratio")
}

// entriesError reports an archive of n entries that brings the count past
// MaxEntries, seen being the entries already counted, or nil.
func (l Limits) entriesError(archive string, n, seen int) error {
	if n <= l.MaxEntries-seen {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the archive has %d entries (%d counted before it), over the entry count limit of %d",
		n, seen, l.MaxEntries), "--max-entries")
}

// dirsError reports that dirs directories created exceed MaxEntries, or nil:
// directories an archive implies without listing them count like entries, so
// that a few deep paths cannot fill the disk with empty directories.
func (l Limits) dirsError(archive string, dirs int) error {
	if dirs <= l.MaxEntries {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the archive creates more than %d directories, over the entry count limit of %d (directories count as entries)",
		l.MaxEntries, l.MaxEntries), "--max-entries")
}

// ratioExceeds reports whether size > ratio*compressed, without overflow.
func ratioExceeds(size, compressed, ratio uint64) bool {
	if compressed == 0 {
		return size > 0
	}
	q, r := size/compressed, size%compressed
	return q > ratio || (q == ratio && r != 0)
}
