package image

import (
	"fmt"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// Default limits for images, sized for AWS Lambda: a container image
// function may be up to 10 GB unpacked.
const (
	DefaultMaxTotalBytes int64 = 10 << 30
	DefaultMaxEntries          = 1_000_000
	DefaultMaxRatio      int64 = 200

	// ratioFloor is the uncompressed size of a layer up to which the ratio
	// limit does not apply.
	ratioFloor = 1 << 20
	// entryOverhead is what one tar entry may add to a layer's stream beside
	// its data: headers, long names, padding.
	entryOverhead = 4 << 10
)

// DefaultLimits returns the limits for flattening an image when none are
// configured: 10 GiB written in total (MaxEntryBytes zero, meaning as much),
// 1,000,000 entries over all layers (and, separately, as many directories
// created), and a compression ratio of 200 for a layer over 1 MiB. MaxDepth is
// 1 and ignored: layers are not searched for nested archives.
func DefaultLimits() unpack.Limits {
	return unpack.Limits{
		MaxTotalBytes: DefaultMaxTotalBytes,
		MaxEntries:    DefaultMaxEntries,
		MaxRatio:      DefaultMaxRatio,
		MaxDepth:      1,
	}
}

// withDefaults returns l with every unset field set to the image default.
func withDefaults(l unpack.Limits) unpack.Limits {
	d := DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxEntryBytes <= 0 || l.MaxEntryBytes > l.MaxTotalBytes {
		l.MaxEntryBytes = l.MaxTotalBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	l.MaxDepth = d.MaxDepth
	return l
}

// limits are the Limits of one Flatten, with the checks that use them.
type limits struct{ unpack.Limits }

// size reports an entry of size bytes over the per-entry or the remaining
// total limit, written being the bytes written before it, or nil. verb says
// whether size is declared by the header or actually read.
func (l limits) size(archive, entry, verb string, size, written int64) error {
	if size > l.MaxEntryBytes {
		return limitError(archive, fmt.Sprintf("entry %q %s %d bytes, over the per-entry size limit of %d bytes",
			entry, verb, size, l.MaxEntryBytes), "--max-unpacked-bytes")
	}
	if size > l.MaxTotalBytes-written {
		return limitError(archive, fmt.Sprintf("entry %q %s %d bytes after %d already written, over the total unpacked size limit of %d bytes",
			entry, verb, size, written, l.MaxTotalBytes), "--max-unpacked-bytes")
	}
	return nil
}

// entries reports n entries over MaxEntries, or nil.
func (l limits) entries(archive string, n int) error {
	if n <= l.MaxEntries {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the image's layers hold more than %d entries, over the entry count limit",
		l.MaxEntries), "--max-entries")
}

// dirs reports n directories created over MaxEntries, or nil: directories
// that entries imply without listing them count like entries, so that a few
// deep paths cannot fill the disk with empty directories.
func (l limits) dirs(archive string, n int) error {
	if n <= l.MaxEntries {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the image creates more than %d directories, over the entry count limit (directories count as entries)",
		l.MaxEntries), "--max-entries")
}

// ratio reports a layer whose blob of compressed bytes has inflated to
// inflated bytes, more than MaxRatio times its size, or nil.
func (l limits) ratio(archive string, inflated, compressed int64) error {
	if inflated <= ratioFloor || !ratioExceeds(inflated, compressed, l.MaxRatio) {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the layer inflates to at least %d bytes from a %d-byte blob, over the compression ratio limit of %d:1",
		inflated, compressed, l.MaxRatio), "--max-ratio")
}

// streamBound is the most tar stream all layers together may inflate to:
// what they may write plus the overhead of every entry. It bounds the work
// spent on data that is never written (skipped entries, trailing bytes).
func (l limits) streamBound() int64 {
	return l.MaxTotalBytes + int64(l.MaxEntries)*entryOverhead
}

// stream reports the layers' tar streams inflating to n bytes over
// streamBound, or nil.
func (l limits) stream(archive string, n int64) error {
	if n <= l.streamBound() {
		return nil
	}
	return limitError(archive, fmt.Sprintf("the layers' tar streams inflate to more than %d bytes, far more than the files they may write",
		l.streamBound()), "--max-unpacked-bytes")
}

// ratioExceeds reports whether size > ratio*compressed, without overflow.
func ratioExceeds(size, compressed, ratio int64) bool {
	if compressed <= 0 {
		return size > 0
	}
	q, r := size/compressed, size%compressed
	return q > ratio || (q == ratio && r != 0)
}
