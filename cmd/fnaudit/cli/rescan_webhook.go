package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fnaudit/fnaudit/notify"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// NotificationSchema identifies the webhook payload (package notify).
const NotificationSchema = notify.Schema

// defaultBackoff is the wait before the first retry; it doubles each time.
const defaultBackoff = notify.DefaultBackoff

// notification is the webhook payload, built by package notify.
type notification = notify.Notification

// webhook posts notifications through package notify, retrying with
// exponential backoff and saying so on stderr.
type webhook struct {
	url      string
	attempts int
	backoff  time.Duration
	stderr   io.Writer
	client   *http.Client // nil: a client with a 10 s timeout
}

// notify posts the new findings of a recorded rescan (nothing when there
// are none). Network errors, 429 and 5xx answers are retried; the last
// error is returned.
func (w webhook) notify(ctx context.Context, rs []*reports.Report, entries []store.Entry) error {
	h := notify.Webhook{URL: w.url, Attempts: w.attempts, Backoff: w.backoff, Client: w.client,
		OnRetry: func(err error, wait time.Duration) {
			fmt.Fprintf(w.stderr, "fnaudit: webhook: %v; retrying in %s\n", err, wait)
		}}
	return h.Notify(ctx, rs, entries)
}
