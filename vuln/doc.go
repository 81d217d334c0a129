// Package vuln matches packages against an offline OSV advisory database.
//
// # Input
//
// A database directory (see [Open]) holding one zip of OSV JSON records per
// ecosystem, in the OSV bucket layout <dir>/<Ecosystem>/all.zip or in
// osv-scanner's offline caches <dir>/osv-scalibr/<Ecosystem>/all.zip and
// <dir>/osv-scanner/<Ecosystem>/all.zip; and a list of [sbom.Package] values
// with OSV ecosystem and package names.
//
// An ecosystem's zip is opened on first use and stays open until [DB.Close]:
// only its central directory and the entries needed are read, never the
// whole file. Every entry's pre-scan (id, modified, withdrawn,
// affected[].package names, read with encoding/json) comes from the
// archive's index, <dir>/.fnaudit/index/<Ecosystem>.idx, when the database
// has a .fnaudit folder ([MetaDir]) and the index matches the archive (size,
// mtime, and every entry's name, CRC-32 and size); otherwise every entry is
// pre-scanned and the index written (kept in memory only when the database
// has no .fnaudit folder or it is read-only). Only records naming a package
// being matched are decoded in full with protojson ([DecodeRecord]: unknown
// fields discarded; a record with a timestamp protojson rejects is repaired
// and decoded again).
//
// [State] is what `fnaudit db update` and `db import` (package dbupdate)
// record in <dir>/.fnaudit/state.json; [DB.Status] and [DB.Updated] read it.
//
// # Output
//
// [DB.Match] returns one [Finding] per package occurrence and advisory.
// Records are evaluated with osv-scalibr (enricher/vulnmatch/osvlocal for the
// range walk, semantic for each ecosystem's version order: npm and crates.io
// semver, PEP 440, Go, Maven, RubyGems, NuGet, Packagist, Debian, Alpine...),
// one affected entry and one range at a time (the comment on affects, in
// match.go, says which osv-scalibr behaviours this works around). Records
// of one package whose id or aliases intersect, transitively, form one
// finding: its ID is a GHSA ID of the group's records if any, else the
// smallest record ID, and every other ID is an alias. Its severity is the
// highest of the group's records, each rated by the base score of its CVSS
// vector (v3 preferred, then v4, then v2; top-level severity, then the
// matched affected entries'), else by database_specific.severity (GHSA's
// CRITICAL/HIGH/MODERATE/LOW), else "unknown". Fixed versions are the fixed
// events of the matched entries, in the ecosystem's order. Findings are
// sorted by ecosystem, package, version, artifact, location and ID.
//
// [DB.Ecosystems] describes the archives loaded: record counts, newest
// modified (ignoring golang/vulndb's 0001-01-01 placeholder and dates more
// than 48 hours in the future, which are listed apart), path and SHA-256.
//
// OSV schema fields used (https://ossf.github.io/osv-schema/): id, aliases,
// summary, details, published, modified, withdrawn, references[].url,
// severity[].type/score, database_specific.severity,
// affected[].package.ecosystem/name, affected[].ranges[].type/events
// (introduced, fixed, last_affected, limit), affected[].versions,
// affected[].severity.
//
// # Failure modes
//
//   - [Open] fails when the directory does not exist or holds no zip; the
//     message says how to get a database.
//   - [DB.Match] fails when ctx ends, or when a zip it needs cannot be read
//     (not a zip, corrupt deflate data, bad checksum); the error names the
//     zip. An index that is stale, truncated or corrupt is never used: the
//     archive is pre-scanned again.
//   - Everything else is a [Warning] and matching goes on: an ecosystem with
//     no zip in the database, an ecosystem fnaudit cannot order versions for,
//     a package without a version or whose version does not parse, records
//     that cannot be decoded, ranges whose versions do not parse.
//
// Names are compared as OSV keys them, except PyPI names, which are
// normalised per PEP 503 on both sides ("PyYAML" matches "pyyaml").
// Withdrawn records are never reported. A package ecosystem "Debian:12"
// matches records for "Debian:12" (and suffix-less "Debian"), not "Debian:11";
// its records are looked for in <dir>/Debian:12/all.zip, then
// <dir>/Debian/all.zip.
package vuln
