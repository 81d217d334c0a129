// Package server is `fnaudit serve`: the auditors' web UI, CycloneDX
// downloads, a JSON API, an upload endpoint for pipelines and scheduled
// database updates and rescans, over one [store.Store].
//
// # Input
//
// A [Config]: the store (SQLite or PostgreSQL), the OSV database directory
// and mirror of scheduled rescans, upload and read tokens ([LoadTokens]),
// limits, a logger, a clock and a ticker (both injectable for tests).
// Requests: the routes below. Uploads ([Upload], schema
// "fnaudit/upload/v1"): the report JSON of `fnaudit scan --format json`
// with each function's CycloneDX document and the scan's labels.
//
// # Output
//
//   - HTML pages (html/template, embedded assets, nothing loaded from
//     elsewhere): applications (/), an application (/apps/{app}: functions
//     with exposure, privilege and risk, a history chart of findings by
//     risk drawn server-side as inline SVG, layer fixes, every scan and
//     rescan, downloads), a function (/apps/{app}/functions/{function}:
//     triggers with exposure, role privilege and its reasons, risk and its
//     reasons, code and layers in load order, findings, packages), a
//     finding (…/findings/{id}), findings across applications filtered by
//     application, risk, exposure and "new since the last rescan" as GET
//     parameters (/findings: works without scripts), layer fixes across
//     applications (/layers) and the history (/scans). ?scan=ID shows an
//     older entry. A small script only sorts tables and submits filters as
//     they change.
//   - Downloads: CycloneDX 1.6 JSON and XML per function and per
//     application (of the newest entry or ?scan=ID), SARIF and report JSON
//     per entry, built from the entry's stored report with the same
//     encoders as the CLI (reports/cyclonedx.EncodeBOM, reports/sarif,
//     reports.WriteJSON), with their media types and an attachment file
//     name made of [A-Za-z0-9._-] only.
//   - JSON under /api/v1 (docs/api.md), /healthz and /readyz.
//   - Store entries: uploaded scans (layer fixes attributed across the
//     store's applications first) and scheduled rescans.
//   - Structured logs (log/slog): one line per request, failed
//     authentications (at most one line per client address per minute,
//     with the count), scheduled runs, internal errors with the request id
//     the client was given. Tokens are never logged.
//
// # Access
//
// Upload tokens (--tokens) may upload and read; read tokens
// (--read-tokens), when given, are required to read anything but /healthz
// and /readyz. A token is sent as "Authorization: Bearer TOKEN", or as the
// password of HTTP Basic auth (what a browser prompts for). Tokens are
// kept only as SHA-256 digests and compared with every stored digest in
// constant time. Pages carry a strict Content-Security-Policy (the
// server's own stylesheet and script only, no inline code, no frames) and
// the usual hardening headers.
//
// # Scheduled rescans
//
// With Config.RescanEvery, a run starts when Serve starts and then at
// every tick: it takes the store lock "scheduled-rescan" (store.TryLock:
// a PostgreSQL advisory lock, or a file lock next to a SQLite store), so
// that one server of several sharing a store runs it; it skips the run
// when every application's newest entry is a rescan recorded less than
// half a period ago (another replica just did it); it updates the
// database from the mirror (vuln/dbupdate: verified, atomic); then it
// rescans every application's newest entry (audit.Rescan), records the
// rescans and posts their new findings to the webhook (package notify).
// A tick that comes while a run is going is skipped and logged, never
// queued. An empty database directory is first filled with the ecosystems
// the stored scans were matched against.
//
// # Failure modes
//
// New fails on an unusable Config (no store, a scheduler on a read-only
// replica). Requests: names and ids in URLs that are empty, longer than
// 512 bytes, not UTF-8, hold control characters or a "." or ".." path
// element are 400; unknown ones 404; a bad upload is 400 with the list of
// problems (unknown fields and schema versions are refused), a missing or
// wrong token 401, an upload beyond Config.MaxUploadBytes 413, uploads to
// a read-only replica 405 and to a server without upload tokens 403.
// Internal errors are logged and answered 500 with a plain message. A
// scheduled run that fails is logged and retried at the next tick; a
// database update that fails leaves the previous database in use; a
// webhook that fails after its retries is logged (the rescan stays
// recorded). Serve ends on its context: in-flight requests and a running
// scheduled run get Config.ShutdownTimeout to finish.
package server
