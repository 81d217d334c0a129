// Package catalog runs syft, as a library and offline, over an unpacked
// artifact and returns what is installed in it as fnaudit [sbom.Package]s.
//
// Input: a directory holding one artifact's contents, laid out as the runtime
// sees them (see package unpack).
//
// Output: the installed third-party packages, one per (ecosystem, name,
// version) with the file that proves each one, in OSV naming. What counts as
// installed: packages under node_modules/, Python dist-info/egg-info, jars
// (with nested and shaded jars), Go and Rust binaries, .NET deps.json, Ruby
// gemspecs, Composer's installed.json and OS package databases. Lockfiles and
// manifests that declare dependencies are not read: a dependency that was not
// shipped cannot be exploited in the function, so it must not become a
// finding. The function's own package.json (outside node_modules) is
// first-party code and is not reported either.
//
// Network: none. The directory source is built directly (no provider lookup,
// so stereoscope never probes a Docker daemon or registry); the Go cataloguer
// does not run `go list`; licence lookups (npm registry, Go proxy, Maven
// Central) are off.
//
// Failure modes: a directory that cannot be read is an error. A file a
// cataloguer cannot parse is not: syft skips it and fnaudit reports what the
// other files prove.
package catalog
