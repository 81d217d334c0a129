// Package notify tells people about the new findings of a recorded rescan:
// it POSTs a JSON summary to a webhook (Slack, Mattermost and Teams'
// legacy incoming webhooks show its "text" field; machines read the rest).
// `fnaudit rescan --notify-webhook` and the server's scheduled rescans
// both use it.
//
// Input: the rescan's reports (every finding marked with its change) and,
// by the same index, the store entries they were recorded as.
//
// Output: one POST of a [Notification] (schema
// "fnaudit/rescan-notification/v1", see docs/store.md) when at least one
// finding is new; nothing otherwise.
//
// Failure modes: network errors, 429 and 5xx answers are retried with
// exponential backoff ([Webhook.Attempts] in all); other answers are not.
// The last error is returned; it names the webhook by scheme and host only,
// because a webhook URL's path is often its secret.
package notify
