// Package reports rates findings and writes fnaudit's outputs.
//
// Input: the functions of an application with their packages and OSV
// findings, assembled by package audit into a [Report] — the one intermediate
// document every output format is built from.
//
// Output: a risk for every finding and every function (severity weighed by
// the function's exposure, its role's privilege and whether a fix exists), a
// gate verdict with its exit code, and encoders that write the report in each
// format of the [Formats] table ("table", "json", ...).
//
// The JSON encoding is a contract ("schema": "fnaudit/report/v1", see
// docs/report-json.md): fields are only ever added. Every encoder is
// deterministic: the same report gives the same bytes.
//
// Failure modes: encoders fail only when their writer fails.
package reports
