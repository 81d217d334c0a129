// Package dbupdate changes an OSV database directory (see [vuln.Open] for
// its layout): [Update] downloads ecosystem archives from the OSV bucket or
// a mirror of it, [Import] merges local OSV records into them.
//
// # Input
//
// A database directory and a [Config]: for Update, the base URL of a mirror
// holding <BASE>/<Ecosystem>/all.zip (https://, http:// or file://; a bare
// path is taken as a local mirror), and the ecosystems wanted (else those the
// directory already holds); for Import, a folder or zip of OSV JSON records.
//
// # Output
//
// <dir>/<Ecosystem>/all.zip for each ecosystem updated or imported, and
// <dir>/.fnaudit/state.json ([vuln.State]): per ecosystem, where the archive
// came from, when, its SHA-256, and the server's validators (ETag,
// Last-Modified) sent back on the next update so that an unchanged archive
// costs one request and no download. After the swap the archive indexes are
// rebuilt, so that the next scan opens warm.
//
// # Guarantees and failure modes
//
//   - Verification: an archive is installed only if it is a readable zip whose
//     every *.json entry decodes as an OSV record ([vuln.DecodeRecord]) whose
//     id equals the entry name without ".json", and whose bytes match the
//     checksums the server publishes: the OSV bucket's x-goog-hash header
//     (crc32c, and md5 when sent) and, when the mirror has one, a SHA256SUMS
//     file at BASE listing "<sha256>  <Ecosystem>/all.zip".
//   - Atomicity: archives are written to <dir>/.fnaudit/tmp (the database's
//     own filesystem), fsynced, then renamed into place, and the directory
//     fsynced; state.json is replaced the same way after each archive. A crash
//     or kill at any point leaves every archive either the old one or the new
//     one, complete; the next run removes what was left in the temp dir.
//   - Locking: updates and imports take <dir>/.fnaudit/lock (flock); one that
//     cannot get it within Config.LockWait fails with [ErrLocked], naming
//     the holder's pid.
//   - Network: each file has a connect timeout and an overall timeout per
//     attempt; 5xx, 408, 429, timeouts and dropped connections are retried
//     with exponential backoff, other 4xx are not.
//   - Partial failure is data: an ecosystem that cannot be fetched or
//     verified keeps its previous archive and is a failed [Result]; the
//     others are still updated. Update's error is for what stops the whole
//     run (bad configuration, no ecosystem, the lock, a cancelled context).
//   - Import validates every record first and changes nothing when one is
//     invalid; the error lists them.
package dbupdate
