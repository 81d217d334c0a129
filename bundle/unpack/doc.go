// Package unpack extracts serverless deployment zips, safely and within bounds, so
// that catalogers (syft) can read the tree afterwards. Archive data is hostile input.
//
// Input: the path of a zip artifact (a Lambda deployment package or a layer), an
// empty destination directory inside the run's [Workspace], and [Limits].
//
// Output: the extracted tree under the destination and a [Result] counting what
// was written and listing what was not: hostile entries in Result.Rejected (the
// caller reports the function incomplete), harmless skips in Result.Notes, and
// the nested archives that were extracted in Result.Nested.
//
// Rules enforced by [Zip]:
//   - every write goes through an [os.Root] opened on the destination, so nothing
//     can land outside it, even through races; on top of that, entry names that
//     are absolute (/x, C:\x, \\host\x), escape with "..", or contain NUL are
//     rejected up front, and so are paths longer than 4096 bytes or deeper than
//     128 directories. Backslashes are treated as separators ("a\b" is written
//     as a/b), and then judged like slashes.
//   - symlinks are never created: links pointing outside the archive are
//     rejected, links inside it are skipped with a note. Devices, fifos and
//     sockets are skipped with a note. Files are written 0644, or 0755 when any
//     exec bit is set; directories 0755; setuid, setgid and sticky bits are dropped.
//   - limits apply to one artifact including its nested archives: total bytes,
//     bytes per entry, entry count (directories created count separately against
//     the same limit), compression ratio of entries over 1 MiB, and nesting
//     depth. Sizes are checked as declared, before anything is written, and again
//     on the bytes actually decompressed, against a compressed size clamped to
//     what the file holds; entries are streamed with one fixed buffer, so memory
//     stays bounded. (Reading the zip directory takes memory proportional to the
//     archive's size, before any limit applies.)
//   - a later entry with the name of an earlier one overwrites it (like unzip -o).
//   - an entry whose name ends in .zip (any case) and whose data starts with the
//     zip magic is extracted, after its parent archive, into the sibling
//     directory "<entry>!" (layers/common.zip → layers/common.zip!/nodejs/...),
//     the notation reports use for locations. Beyond Limits.MaxDepth it is left
//     as it is, with a note. Jars, wars and wheels are left to syft.
//
// Failure modes: a missing artifact ([ErrNotFound]), a file that is not a zip
// ([ErrNotZip], an empty file included), a corrupt or truncated archive
// ([ErrCorrupt]), a limit exceeded ([ErrLimit]) or a cancelled context stop the
// extraction with an error naming the artifact; the tree may then be partial and
// must not be catalogued. The error of a nested archive that is corrupt is only a
// note: its parent is still usable. Hostile entries are not errors: they are
// skipped and listed, and the rest of the archive is extracted.
//
// Zip archives do not store hard links, so there are none to refuse.
//
// Everything a run unpacks lives under one [Workspace], removed by its Close.
package unpack
