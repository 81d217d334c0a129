// Package image turns a container image saved on disk into a directory
// tree, the image's root file system, so that catalogers (syft, as a
// directory source) can read it without a Docker daemon: the OS package
// databases (/var/lib/dpkg/status, /lib/apk/db/installed, rpm), /etc/os-release,
// language packages, and, for Lambda base images, the function code under
// /var/task. Image data is hostile input.
//
// Input: a local image, in one of three forms, read with go-containerregistry's
// types (tarball.Manifest, v1.IndexManifest, v1.Manifest, v1.ConfigFile,
// name references) and its decompression of gzip layer blobs
// (partial.CompressedToLayer):
//   - a docker-archive tar, as `docker save` or go-containerregistry's
//     tarball.Write produce it: manifest.json lists each image's config, its
//     RepoTags and its layer blobs (legacy "<id>/layer.tar", "<digest>.tar.gz",
//     or Docker 25+'s "blobs/sha256/<digest>" beside an OCI index);
//   - an OCI image layout directory (oci-layout, index.json, blobs/), or a
//     directory holding an extracted docker archive;
//   - an OCI image layout packed in a tar.
//
// Archives are read in place: [Open] indexes the tar's headers, and every blob
// is then read through a section reader of the file, never extracted first;
// a layout directory is read through an os.Root on it. The metadata files
// (manifest.json, index.json, manifests, configs) are read whole only up to a
// size no real image needs (4 to 16 MiB), and checked against their digests.
// go-containerregistry's own tarball.Image and layout readers are not used
// for reading: they read those files without a bound, follow symlinks out of
// a layout directory, and hash or recompress every layer before the first
// byte is used.
//
// Output: [Image.Flatten] applies the layers in order into an empty directory
// under the run's workspace, with OCI/Docker whiteouts (OCI image spec,
// layer.md: ".wh.<name>" deletes a path of the layers below, ".wh..wh..opq"
// makes a directory opaque; whiteouts never hide what their own layer wrote).
// The [Result] counts the files and bytes written, lists hostile entries
// (Rejected: the caller reports the function incomplete) and harmless skips
// (Notes), the symlinks of the image (Symlinks), and tells for every file in
// the tree which layer wrote it ([Result.Origin]), so that a package can be
// located as "<image>!/<layer blob path>!/<path>".
//
// Rules enforced by Flatten:
//   - every write goes through an os.Root on the destination. Entry names
//     that climb out with ".." or contain NUL are rejected, and so are paths
//     longer than 4096 bytes or deeper than 128 directories. A leading "/"
//     means the image root (docker, containerd and GNU tar strip it; real
//     layers, such as the corpus's, use it), so "/etc/os-release" is written
//     to <dest>/etc/os-release, with one note per layer.
//   - symlinks are never created. Each is recorded in the tree and listed in
//     Result.Symlinks; an entry whose directory is a symlink is placed where
//     the runtime would place it, following the image's symlinks inside the
//     image root (absolute targets start at the root, ".." stops there), so
//     "escape -> /tmp" then "escape/evil" writes <dest>/tmp/evil. Merged-usr
//     images (/lib -> usr/lib) keep their files under usr/.
//   - hard links are copies of their target, which must be a regular file
//     already in the tree (a link to a symlink is one more symlink); a link
//     to anything else is rejected.
//   - zstd layers are decoded with a window of at most 128 MiB (what zstd
//     writes without --long); go-containerregistry's decoder would allocate
//     the 512 MiB a 400-byte layer can declare.
//   - devices and fifos are skipped with a note; files are written 0644, or
//     0755 when any exec bit is set; directories 0755: setuid, setgid and
//     sticky bits are dropped.
//   - limits ([DefaultLimits]: 10 GiB, 1,000,000 entries, ratio 200) apply to
//     the whole image: bytes actually written (a header's size is checked
//     first but never trusted), entries over all layers and, separately,
//     directories created, and each layer's inflated tar stream against its
//     blob's size once over 1 MiB. The tar streams together may inflate to
//     no more than the byte limit plus 4 KiB per entry, which bounds the work
//     spent on data that is never written. The context is checked per entry
//     and in every copy loop.
//   - every layer's blob is checked against its digest and its tar stream
//     against the config's diff ID, as it is read.
//
// Failure modes: a missing path (unpack.ErrNotFound); a path that is not an
// image at all ([ErrNotImage]: an empty file, a zip, random bytes, a
// gzip-compressed tar, a tar without manifest.json or index.json, an OCI
// artifact that is not an image); a damaged archive (unpack.ErrCorrupt: a
// truncated tar, bad JSON, a missing blob, a digest mismatch, a layer that is
// not a tar or whose gzip stream is corrupt); a reference that names no image,
// or several images and none named ([ErrRefNotFound], listing what the
// archive holds); a limit exceeded (unpack.ErrLimit) or a cancelled context.
// Every error names the image path, and for a layer "<path>!/<blob path>".
// After a Flatten error dest may hold a partial tree, which must not be
// catalogued. Hostile entries are not errors: they are skipped and listed (the
// first 1000, then a count), and the rest of the image is applied.
//
// A multi-platform index is resolved to its only image, or to linux/amd64.
package image
