package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/server"
)

// tokenEnv is where --push finds its token when --token is not given.
const tokenEnv = "FNAUDIT_TOKEN"

// pushPath is the upload endpoint of a fnaudit server.
const pushPath = "/api/v1/scans"

func pushFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "push", Usage: "upload the scan, after the outputs are written and recorded, to the fnaudit server at `URL` (fnaudit serve --tokens)"}
}

func tokenFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "token", Usage: "the upload `TOKEN` for --push (default $" + tokenEnv + ", which keeps it out of the process list)"}
}

// pusher uploads a scan to a fnaudit server.
type pusher struct {
	endpoint string
	token    string
	labels   map[string]string
	client   *http.Client
	attempts int
	backoff  time.Duration
}

// newPusher reads --push, --token (or $FNAUDIT_TOKEN) and --label; nil
// without --push. Mistakes are found before anything is audited.
func newPusher(c *ucli.Context, e *env) (*pusher, error) {
	raw := c.String("push")
	token := c.String("token")
	if raw == "" {
		if token != "" {
			return nil, errors.New("--token is for --push: give the server's URL with --push")
		}
		return nil, nil
	}
	endpoint, err := pushEndpoint(raw)
	if err != nil {
		return nil, err
	}
	if token == "" {
		token = e.getenv(tokenEnv)
	}
	if token == "" {
		return nil, fmt.Errorf("--push needs the server's upload token: set $%s (or --token)", tokenEnv)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return nil, err
	}
	return &pusher{endpoint: endpoint, token: token, labels: labels,
		client: &http.Client{Timeout: 2 * time.Minute}, attempts: 3, backoff: 2 * time.Second}, nil
}

// pushEndpoint turns the server's URL into its upload endpoint: a base URL
// (http://host:8080) gets /api/v1/scans; a URL ending in it is kept.
func pushEndpoint(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--push %q: give the server's http:// or https:// URL", raw)
	}
	if u.User != nil {
		return "", errors.New("--push: put the token in $" + tokenEnv + " or --token, not in the URL")
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(u.Path, pushPath) {
		u.Path += pushPath
	}
	return u.String(), nil
}

// push uploads the scan's report and SBOMs. A failure is an error (exit 2):
// the outputs were written but the server does not have the scan.
func (p *pusher) push(ctx context.Context, e *env, r *reports.Report, quiet bool) error {
	if p == nil {
		return nil
	}
	body, err := p.body(r)
	if err != nil {
		return pushFailed(err)
	}
	var answer struct {
		Scan struct {
			ID          int64  `json:"id"`
			Application string `json:"application"`
		} `json:"scan"`
	}
	if err := p.post(ctx, body, &answer); err != nil {
		return pushFailed(err)
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "fnaudit: pushed scan of %s to %s: entry %d\n", answer.Scan.Application, redactEndpoint(p.endpoint), answer.Scan.ID)
	}
	return nil
}

func pushFailed(err error) error {
	return &exitError{code: reports.ExitUsage, err: fmt.Errorf("the outputs were written but the scan was not pushed: %w", err)}
}

// body is the gzip-compressed upload.
func (p *pusher) body(r *reports.Report) ([]byte, error) {
	up, err := server.NewUpload(r, p.labels)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(up); err != nil {
		return nil, fmt.Errorf("encoding the upload: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encoding the upload: %w", err)
	}
	return buf.Bytes(), nil
}

// post sends the upload, retrying network errors, 429 and 5xx answers
// with backoff, and decodes the answer into v.
func (p *pusher) post(ctx context.Context, body []byte, v any) error {
	wait := p.backoff
	for attempt := 1; ; attempt++ {
		retry, err := p.attempt(ctx, body, v)
		if err == nil || !retry || attempt >= p.attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (p *pusher) attempt(ctx context.Context, body []byte, v any) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("User-Agent", "fnaudit/"+Version)
	resp, err := p.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return ctx.Err() == nil, fmt.Errorf("%s: %w", redactEndpoint(p.endpoint), err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusCreated {
		return false, json.Unmarshal(data, v)
	}
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return retry, fmt.Errorf("%s answered %s%s", redactEndpoint(p.endpoint), resp.Status, pushHint(resp.StatusCode, data))
}

// pushHint says what to do about a refused upload, with the server's own
// explanation.
func pushHint(code int, data []byte) string {
	var e struct {
		Error    string   `json:"error"`
		Problems []string `json:"problems"`
	}
	_ = json.Unmarshal(data, &e)
	msg := ""
	if e.Error != "" {
		msg = ": " + e.Error
	}
	for _, p := range e.Problems {
		msg += "\n  " + p
	}
	switch code {
	case http.StatusUnauthorized:
		msg += " (check --token or $" + tokenEnv + ")"
	case http.StatusRequestEntityTooLarge:
		msg += " (the server's --max-upload-bytes is smaller than this scan)"
	}
	return msg
}

// redactEndpoint names the server by scheme and host.
func redactEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "the server"
	}
	return u.Scheme + "://" + u.Host
}
