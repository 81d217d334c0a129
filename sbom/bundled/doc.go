// Package bundled recovers the npm packages inside bundled JavaScript
// (esbuild, webpack, rollup, parcel output: one index.js and no
// node_modules), which installed-package cataloguers such as syft cannot
// see. A function built by CDK's NodejsFunction, SAM's esbuild build
// method or serverless-esbuild would otherwise look clean.
//
// Input: an unpacked code artifact (a directory) and [Hints] that say
// where the build's lockfile may be (the manifest's folder; CDK's
// depsLockFilePath). [Detect] says whether the artifact holds bundled
// code; [Recover] lists what is bundled in it.
//
// Evidence, best first (see docs/bundled-functions.md):
//   - a build-time SBOM shipped in the artifact: any *.json file whose
//     start is a CycloneDX document (bomFormat) or an SPDX 2.x document
//     (spdxVersion), such as `npm sbom` writes (sbom.cdx.json, bom.json,
//     *.spdx.json). When one is found it is the inventory, alone;
//     development-only packages (CycloneDX scope excluded or npm's
//     cdx:npm:package:development property; SPDX DEV_/BUILD_/TEST_
//     relationships) and the document's subject are left out;
//   - source maps (ECMA-426): *.map files and inline data: maps; each
//     `sources` entry through node_modules/<name>/ names a package (scoped
//     and nested node_modules included; webpack:// prefixes understood).
//     `sourcesContent`, when present, can pin a version: the package's own
//     package.json inlined, or a licence banner at the top of one of its
//     files that names the package;
//   - esbuild metafiles (`inputs`, or each output's inputs with
//     bytesInOutput above 0) and webpack stats (`modules[].name`, also
//     inside chunks, concatenated modules and children);
//   - esbuild's "// node_modules/x/y.js" module comments and webpack's
//     development module keys;
//   - legal comments: esbuild's "Bundled license information" list (each
//     under the node_modules path it came from), `/*! name v1.2.3 */`,
//     `@license` blocks, `//!` runs (moment's "version : 2.29.1"),
//     webpack's extracted *.LICENSE.txt and esbuild's *.LEGAL.txt files
//     (--legal-comments=linked or external). A comment that names no
//     file is trusted only where no map, metafile or stats lists the
//     bundle's packages.
//
// Versions come only from real evidence: the SBOM; the package's own
// package.json or matching banner inlined in the bundle, or a pnpm store
// path (node_modules/.pnpm/<name>@<version>/); else a lockfile
// (package-lock.json and npm-shrinkwrap.json v1 to v3 by install path then
// name, yarn.lock v1 and berry, pnpm-lock.yaml v5 to v9 by name) at the
// artifact's root or found through the hints. A name the lockfile lists
// at several versions, with nothing saying which was bundled, stays
// unpinned. Evidence inside the artifact wins over a lockfile that
// disagrees (the lockfile may be stale; the bundle is what ships): a note
// says so.
//
// Output: [Result] with one sbom.Package per (name, version), Ecosystem
// "npm", Evidence such as "sourcemap+lockfile", "metafile+banner" or
// "sbom", Location the artifact file holding the evidence, and Version ""
// when nothing pins it; Warnings for everything that keeps the inventory
// from being complete (a bundle file no map, metafile, stats or SBOM
// describes; a file too large or malformed; an unpinned version), each
// naming the file; Notes for the log.
//
// Failure modes: only an unreadable artifact directory or a cancelled
// context is an error. The artifact is hostile input: every file is opened
// through an os.Root (a sourceMappingURL or symlink never reaches outside
// the artifact, and `sources` are names, never opened), files over 64 MiB
// and reads past 512 MiB per artifact are refused whole (never parsed in
// part), JSON nesting is bounded before decoding, and walks stop at fixed
// entry counts. Nothing touches the network. This package does not import
// syft.
package bundled
