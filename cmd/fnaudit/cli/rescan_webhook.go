package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// NotificationSchema identifies the webhook payload.
const NotificationSchema = "fnaudit/rescan-notification/v1"

// defaultBackoff is the wait before the first retry; it doubles each time.
const defaultBackoff = 2 * time.Second

// maxTextLines bounds the findings listed in the text field.
const maxTextLines = 20

// notification is the webhook payload: Slack's incoming webhooks read
// "text"; everything else is for machines.
type notification struct {
	Text         string        `json:"text"`
	Schema       string        `json:"schema"`
	New          int           `json:"new"`
	Applications []notifiedApp `json:"applications"`
}

type notifiedApp struct {
	Name string `json:"name"`
	// Entry is the recorded rescan; Base the entry it re-matched.
	Entry    int64             `json:"entry"`
	Base     int64             `json:"base"`
	Gate     reports.Gate      `json:"gate"`
	Findings []notifiedFinding `json:"findings"`
}

type notifiedFinding struct {
	Function string          `json:"function"`
	Exposure bundle.Exposure `json:"exposure"`
	Trigger  string          `json:"trigger,omitempty"`
	reports.Finding
}

// webhook posts notifications, retrying with exponential backoff.
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
	n := buildNotification(rs, entries)
	if n.New == 0 {
		return nil
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: 10 * time.Second}
	}
	wait := w.backoff
	for attempt := 1; ; attempt++ {
		retry, err := w.post(ctx, body)
		if err == nil {
			return nil
		}
		if !retry || attempt >= w.attempts {
			return fmt.Errorf("posting to the webhook (%d attempts): %w", attempt, err)
		}
		fmt.Fprintf(w.stderr, "fnaudit: webhook: %v; retrying in %s\n", err, wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("posting to the webhook: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// post makes one attempt and says whether a failure is worth retrying.
func (w webhook) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return retry, fmt.Errorf("%s answered %s", redactURL(w.url), resp.Status)
}

// redactURL keeps a webhook URL's secret path out of messages.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "the webhook"
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/…"
}

// buildNotification lists the new findings of each report.
func buildNotification(rs []*reports.Report, entries []store.Entry) notification {
	n := notification{Schema: NotificationSchema, Applications: []notifiedApp{}}
	var lines []string
	for i, r := range rs {
		app := notifiedApp{Name: r.Application.Name, Gate: r.Summary.Gate, Findings: []notifiedFinding{}}
		if i < len(entries) {
			app.Entry, app.Base = entries[i].ID, entries[i].Base
		}
		for _, fn := range r.Functions {
			trigger := widestTrigger(fn)
			for _, f := range fn.Findings {
				if f.Change != reports.ChangeNew {
					continue
				}
				app.Findings = append(app.Findings, notifiedFinding{Function: fn.Name, Exposure: fn.Exposure, Trigger: trigger, Finding: f})
				lines = append(lines, fmt.Sprintf("• %s/%s: %s %s in %s@%s (%s%s)", r.Application.Name, fn.Name,
					f.Risk, f.ID, f.Package, f.Version, fn.Exposure, strings.TrimSuffix(" via "+trigger, " via ")))
			}
		}
		n.New += len(app.Findings)
		n.Applications = append(n.Applications, app)
	}
	n.Text = notificationText(n, lines)
	return n
}

// widestTrigger describes the trigger that gives fn its exposure.
func widestTrigger(fn reports.Function) string {
	for _, t := range fn.Triggers {
		if t.Exposure == fn.Exposure {
			return strings.TrimSpace(t.Type + " " + t.Detail)
		}
	}
	return ""
}

func notificationText(n notification, lines []string) string {
	apps := 0
	for _, a := range n.Applications {
		if len(a.Findings) > 0 {
			apps++
		}
	}
	head := fmt.Sprintf("fnaudit rescan: %d new %s in %d %s", n.New, plural(n.New, "finding"), apps, plural(apps, "application"))
	if len(lines) > maxTextLines {
		lines = append(lines[:maxTextLines], fmt.Sprintf("… and %d more", len(lines)-maxTextLines))
	}
	return head + "\n" + strings.Join(lines, "\n")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
