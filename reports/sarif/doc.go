// Package sarif writes an audit report as a SARIF 2.1.0 log, the format
// release pipelines upload to GitHub code scanning.
//
// Input: an assessed [reports.Report] (risk set on every finding, as
// [reports.Assess] leaves it). [Encode] only reads it; it does not rely on
// the report being normalized.
//
// Output: indented JSON, one log with one run (SARIF §3.13, §3.14), built
// with github.com/owenrumney/go-sarif/v3:
//
//   - tool.driver (§3.18, §3.19): name "fnaudit", the report's version,
//     informationUri, and one rule (reportingDescriptor, §3.49) per advisory,
//     sorted by ID: shortDescription = summary, fullDescription = summary with
//     IDs and rating, helpUri = the advisory on osv.dev, help as text and
//     Markdown (severity, CVSS vector, aliases, affected package versions and
//     their fixes, references), defaultConfiguration.level (§3.50.3) from the
//     highest risk of the advisory's findings, and the properties GitHub reads:
//     "security-severity" (the CVSS score, else critical 9.5, high 8.0,
//     medium 5.5, low 2.0, none for unknown), "tags" (security,
//     vulnerability, ecosystems) and "precision" ([Precision]).
//   - results (§3.27): one per finding of every function — that is, per
//     function, package occurrence and advisory — sorted by function, risk
//     (highest first), advisory, package and version. ruleId and ruleIndex
//     name the rule; level is the finding's risk (critical, high: error;
//     medium: warning; low, none: note), not the advisory's severity, so
//     the same advisory is an error on a public function with a broad role
//     and a note on an internal one; message.text says it all in words.
//     The one location (§3.28) is the manifest line that defines the
//     function — artifactLocation.uri relative with forward slashes and
//     uriBaseId "%SRCROOT%" (§3.4.4, declared in run.originalUriBaseIds
//     without an absolute URI), region.startLine (1 when the line is
//     unknown) — with the function as a logical location (§3.33: kind
//     "function", fullyQualifiedName "<application>/<function>") and the
//     artifact and the package's place in it in the location's properties.
//     A function with no manifest (a lone zip) points at its artifact file.
//     partialFingerprints (§3.27.17) holds [FingerprintKey]: the hex SHA-256
//     of application, function, ecosystem, package, version and advisory ID,
//     so it survives edits of the manifest and image rebuilds. properties
//     hold risk, severity, cvss, cvssVector, exposure, privilege, ecosystem,
//     package, version, purl, artifact, artifactRole, fixedVersions,
//     suppressed, and exceptionStatus / exceptionExpires when a policy
//     exception matched.
//   - suppressions (§3.35): a finding a live policy exception covers gets
//     one, kind "external", status "accepted", justification = reason, owner
//     and expiry, located at the exception in the policy file. An expired
//     exception no longer suppresses: its finding has no suppressions, and
//     its properties and message say that the exception expired.
//   - invocations (§3.20): exactly one, with executionSuccessful false when
//     any function is incomplete, and a toolExecutionNotification (§3.58)
//     with level "error" per error of each incomplete function, located at
//     the function; manifest and database warnings become "warning"
//     notifications. No start or end time is written.
//   - run.properties: application, applicationKind, manifest, gateFailOn,
//     gatePassed, exitCode.
//
// The same report always gives the same bytes: rules and results are
// sorted, property bags are JSON objects with sorted keys, and nothing
// depends on the clock or the machine. Like go-sarif's own writer, Encode
// escapes <, > and & in strings as \u003c, \u003e and \u0026; JSON readers
// see the same text.
//
// go-sarif's model writes every array it knows of, empty when unused
// ("graphs": [], "taxa": [], ...), and -1 for unset indexes and ranks; both
// are valid SARIF and GitHub ignores them. It cannot write an empty
// "suppressions" array (the member is dropped when empty), so an
// unsuppressed result says nothing about suppression rather than "none".
//
// Failure modes: Encode fails on a nil report and when the writer fails;
// a failed write may have written part of the log.
//
// Specifications followed:
//   - SARIF 2.1.0 (errata 01):
//     https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html
//   - GitHub's SARIF support for code scanning (supported properties,
//     security-severity, precision, partialFingerprints, uriBaseId):
//     https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
package sarif
