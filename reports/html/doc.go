// Package html writes an fnaudit report as one self-contained HTML page for
// auditors.
//
// Input: an assessed [reports.Report] (see reports.Assess), the same
// intermediate document every format is built from.
//
// Output: one HTML5 file with its stylesheet and a small script inlined
// from files embedded in the binary (assets/). It loads nothing: no CDN,
// font, image or frame; a Content-Security-Policy meta tag
// (default-src 'none', the stylesheet and the script allowed by their
// SHA-256 hashes, base-uri and form-action 'none') holds it to that, and its
// only links are the advisories' pages on osv.dev. The page has
//   - a header: application, kind, manifest, database snapshot (per
//     ecosystem: records, newest record, archive and digest), the gate's
//     verdict with its exit code and its threshold per exposure, counts;
//   - an overview table of the functions, riskiest first, with exposure,
//     privilege and risk badges (colour and text, readable in greyscale)
//     and counts; clicking a column header sorts it when scripts run;
//   - the warnings of the manifest loader and of the database, and the
//     policy's exceptions with what became of each (active, expired, stale);
//   - a section per function: triggers (type, detail, auth, exposure), role
//     privilege and its reasons, risk reasons, artifacts in load order, the
//     errors that left it incomplete, its findings (risk, severity, CVSS
//     and vector, advisory linked to osv.dev with its aliases,
//     package@version, artifact, fixed versions, summary, and whether it
//     blocks the gate or which exception suppresses it), and its packages in
//     a collapsible <details>, shadowed copies marked.
//
// A print stylesheet drops sticky headers and colour (badges keep their
// text and border) and prints every <details> expanded.
//
// Every value from the report goes through html/template's contextual
// escaping; the only trusted content is the embedded stylesheet and script.
// Badge classes come from a fixed list, whatever the report says. The output
// is deterministic: no timestamps, the same report gives the same bytes.
//
// Failure modes: [Encode] fails when its writer fails; rendering happens in
// memory first, so a failed render writes nothing.
package html
