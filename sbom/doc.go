// Package sbom is fnaudit's package model: what a function ships, named the way
// OSV names it.
//
// Input: nothing here reads files; the sub-package [github.com/fnaudit/fnaudit/sbom/catalog]
// runs syft over an unpacked artifact and produces []Package.
//
// Output: [Package] values with OSV ecosystem and package names (npm, PyPI, Go,
// Maven "group:artifact", crates.io, RubyGems, NuGet, Packagist, Debian:12, ...),
// a package URL, the file that proves the package is installed, and the
// artifact (code, layer or image) it came from.
//
// This package does not import syft, so that packages consuming the model
// (vuln, reports) compile and test quickly.
package sbom
