// Package markdown writes an fnaudit report as GitHub-flavoured Markdown, for
// a pull-request comment or $GITHUB_STEP_SUMMARY.
//
// Input: an assessed [reports.Report] (see reports.Assess), the same
// intermediate document every format is built from.
//
// Output, in this order:
//   - a one-line verdict: gate passed, failed or incomplete, with its exit
//     code and the fail-on threshold (per exposure when a policy file set
//     one), then a line of counts;
//   - a table of the functions sorted by risk (risk, exposure with the widest
//     trigger, privilege, findings, status);
//   - "Blocking findings": the unsuppressed findings at or above the
//     threshold of their function's exposure, each ID linked to
//     https://osv.dev/vulnerability/<id>;
//   - the incomplete functions with their errors, the warnings of the
//     manifest loader and of the database;
//   - suppressed findings with the exception that suppresses them, and
//     policy exceptions that expired or matched nothing;
//   - every other finding, per function, in a <details> block;
//   - a footer naming the tool and the database, and an HTML comment
//     marker (<!-- fnaudit-report -->) a bot can use to find and update
//     its earlier comment.
//
// Every value taken from the report is escaped: newlines and control
// characters become spaces, Markdown's inline punctuation (\ ` * _ [ ] < >
// & ~ | $) is backslash-escaped, and so are the ":" of "://" and the "."
// of "www." so that GitHub does not turn URLs into links; @mentions and #123
// references are put in code spans so that GitHub neither notifies nor
// links anyone; package coordinates are code spans only when they hold
// nothing but ordinary characters. Values are cut to 300 characters. No
// value can open a link, an HTML tag, a code span or a table cell: the only
// links are the osv.dev pages of the advisories.
//
// Size: GitHub rejects comments over 65,536 characters. The output is kept
// within [MaxBytes] bytes (a byte count is never below the character count):
// rows of the <details> block go first, then suppressed findings, exceptions
// and warnings, then the function table, the incomplete functions and, only
// as the very last resort, blocking findings; each cut part says how many
// rows were left out. The verdict and the counts are never cut.
//
// The output is deterministic: the same report gives the same bytes.
//
// Failure modes: [Encode] fails only when its writer fails.
package markdown
