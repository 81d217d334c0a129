// Package audit runs fnaudit's pipeline: it is what the CLI, rescans and the
// server call.
//
// Input: a [Config] and the path the user gave (see [bundle.Load]).
//
// Output: a [reports.Report] with every function, its packages, its findings
// rated, and the gate verdict.
//
// Each distinct artifact (by sha256) is unpacked and catalogued once, even
// when several functions share it (a common layer), by a bounded pool of
// workers; results are written by index so the report never depends on
// scheduling.
//
// Failure modes: an input that cannot be read at all (no such path, no
// usable advisory database) is an error and nothing is audited. An artifact
// that is missing, corrupt or hostile makes only the functions using it
// incomplete: the error, naming the file and the reason, is recorded on
// them, the other functions are still audited, and the gate fails closed
// (exit code 3).
package audit
