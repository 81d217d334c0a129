package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// Schema identifies the webhook payload.
const Schema = "fnaudit/rescan-notification/v1"

// DefaultBackoff is the wait before the first retry; it doubles each time.
const DefaultBackoff = 2 * time.Second

// DefaultAttempts is how many times a post is tried in all.
const DefaultAttempts = 4

// maxTextLines bounds the findings listed in the text field.
const maxTextLines = 20

// Notification is the webhook payload: Slack's incoming webhooks read
// "text"; everything else is for machines.
type Notification struct {
	Text         string        `json:"text"`
	Schema       string        `json:"schema"`
	New          int           `json:"new"`
	Applications []Application `json:"applications"`
}

// Application is one rescanned application and its new findings.
type Application struct {
	Name string `json:"name"`
	// Entry is the recorded rescan; Base the entry it re-matched.
	Entry    int64        `json:"entry"`
	Base     int64        `json:"base"`
	Gate     reports.Gate `json:"gate"`
	Findings []Finding    `json:"findings"`
}

// Finding is a new finding with the function it is in and the trigger that
// exposes it.
type Finding struct {
	Function string          `json:"function"`
	Exposure bundle.Exposure `json:"exposure"`
	Trigger  string          `json:"trigger,omitempty"`
	reports.Finding
}

// Webhook posts notifications to URL, retrying with exponential backoff.
type Webhook struct {
	URL string
	// Attempts is how many times a post is tried in all (at least once).
	Attempts int
	// Backoff is the wait before the first retry; it doubles each time.
	Backoff time.Duration
	// OnRetry, when set, is told of each failed attempt that will be retried
	// and of the wait before the next one.
	OnRetry func(err error, wait time.Duration)
	// Client posts; nil means a client with a 10 s timeout.
	Client *http.Client
}

// Notify posts the new findings of a recorded rescan: rs are its reports,
// entries the entries they were recorded as (by index; may be shorter). It
// posts nothing when no finding is new. Network errors, 429 and 5xx
// answers are retried; the last error is returned.
func (w Webhook) Notify(ctx context.Context, rs []*reports.Report, entries []store.Entry) error {
	n := Build(rs, entries)
	if n.New == 0 {
		return nil
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if w.Client == nil {
		w.Client = &http.Client{Timeout: 10 * time.Second}
	}
	wait := w.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := w.post(ctx, body)
		if err == nil {
			return nil
		}
		if !retry || attempt >= w.Attempts {
			return fmt.Errorf("posting to the webhook (%d attempts): %w", attempt, err)
		}
		if w.OnRetry != nil {
			w.OnRetry(err, wait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("posting to the webhook: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// post makes one attempt and says whether a failure is worth retrying.
func (w Webhook) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("%s: %w", RedactURL(w.URL), unwrapURLError(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.Client.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("%s: %w", RedactURL(w.URL), unwrapURLError(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return retry, fmt.Errorf("%s answered %s", RedactURL(w.URL), resp.Status)
}

// RedactURL keeps a webhook URL's secret path out of messages: it keeps the
// scheme and host only.
func RedactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "the webhook"
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/…"
}

// Build lists the new findings of each report: the payload Notify posts.
func Build(rs []*reports.Report, entries []store.Entry) Notification {
	n := Notification{Schema: Schema, Applications: []Application{}}
	var lines []string
	for i, r := range rs {
		app := Application{Name: r.Application.Name, Gate: r.Summary.Gate, Findings: []Finding{}}
		if i < len(entries) {
			app.Entry, app.Base = entries[i].ID, entries[i].Base
		}
		for _, fn := range r.Functions {
			trigger := widestTrigger(fn)
			for _, f := range fn.Findings {
				if f.Change != reports.ChangeNew {
					continue
				}
				app.Findings = append(app.Findings, Finding{Function: fn.Name, Exposure: fn.Exposure, Trigger: trigger, Finding: f})
				lines = append(lines, fmt.Sprintf("• %s/%s: %s %s in %s@%s (%s%s)", r.Application.Name, fn.Name,
					f.Risk, f.ID, f.Package, f.Version, fn.Exposure, strings.TrimSuffix(" via "+trigger, " via ")))
			}
		}
		n.New += len(app.Findings)
		n.Applications = append(n.Applications, app)
	}
	n.Text = text(n, lines)
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

func text(n Notification, lines []string) string {
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

// unwrapURLError drops the *url.Error around err, whose message repeats the
// whole URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
