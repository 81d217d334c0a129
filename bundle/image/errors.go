package image

import (
	"errors"
	"fmt"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// Sentinel errors of this package, always wrapped with the image path and a
// reason; test for them with errors.Is. Beside them, [Open] and [Image.Flatten]
// return errors wrapping unpack.ErrNotFound (no such file), unpack.ErrCorrupt
// (an image archive that cannot be read to the end, or whose content does not
// match its digests) and unpack.ErrLimit (a limit exceeded).
var (
	// ErrNotImage means the path is not an image archive at all: not a tar,
	// a tar without manifest.json or index.json, a directory that is not an
	// OCI layout, an OCI artifact that is not an image.
	ErrNotImage = errors.New("not a docker-archive or OCI image")
	// ErrRefNotFound means no image in the archive matches the reference
	// given to Open, or the archive holds several images and none was named;
	// the message lists the references the archive has.
	ErrRefNotFound = errors.New("no image in the archive matches the reference")
)

// notImage builds the ErrNotImage error for path.
func notImage(path, reason string) error {
	return fmt.Errorf("opening image %s: %w: %s; pass a docker save tar, an OCI layout tar or an OCI layout directory",
		path, ErrNotImage, reason)
}

// corrupt builds the unpack.ErrCorrupt error for path at Open, wrapping the
// cause when there is one.
func corrupt(path, detail string, cause error) error {
	if cause == nil {
		return fmt.Errorf("opening image %s: %w: %s; re-create the archive", path, unpack.ErrCorrupt, detail)
	}
	return fmt.Errorf("opening image %s: %w: %s: %w; re-create the archive", path, unpack.ErrCorrupt, detail, cause)
}

// layerCorrupt builds the unpack.ErrCorrupt error for a layer at Flatten;
// archive is "<image>!/<layer blob path>".
func layerCorrupt(archive, detail string, cause error) error {
	if cause == nil {
		return fmt.Errorf("flattening %s: %w: %s; re-create the image archive", archive, unpack.ErrCorrupt, detail)
	}
	return fmt.Errorf("flattening %s: %w: %s: %w; re-create the image archive", archive, unpack.ErrCorrupt, detail, cause)
}

// limitError builds the unpack.ErrLimit error for archive: detail names the
// limit and its value, flag the command-line flag that raises it.
func limitError(archive, detail, flag string) error {
	return fmt.Errorf("flattening %s: %w: %s (raise %s if this image is legitimate)",
		archive, unpack.ErrLimit, detail, flag)
}
