package dbupdate

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// DefaultBaseURL is the public OSV bucket.
const DefaultBaseURL = "https://osv-vulnerabilities.storage.googleapis.com"

// Config configures Update and Import.
type Config struct {
	// BaseURL is the mirror Update downloads <BaseURL>/<Ecosystem>/all.zip
	// from: https://, http://, file:///abs/path or a bare directory path.
	BaseURL string
	// Ecosystems are the ecosystem folder names to update or import ("npm",
	// "PyPI", "crates.io"). Update with none updates those the database
	// already holds; Import with some imports only the records naming one
	// of them.
	Ecosystems []string
	// ConnectTimeout bounds connecting (TCP and TLS) to the mirror.
	ConnectTimeout time.Duration
	// Timeout bounds one attempt at one file, from request to last byte.
	Timeout time.Duration
	// Retries is how many times a failed attempt is retried.
	Retries int
	// Backoff is the wait before the first retry; it doubles each time.
	Backoff time.Duration
	// LockWait is how long to wait for another update to finish.
	LockWait time.Duration
	// Proxy chooses the proxy of a request (nil: none); the CLI passes
	// http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// UserAgent is sent with every request.
	UserAgent string
	// Logger receives diagnostics (retries, index rebuilds).
	Logger *slog.Logger
	// Progress, when set, is called as an archive downloads; total is -1
	// when the server does not say.
	Progress func(ecosystem string, done, total int64)
	// Done, when set, is called as each ecosystem finishes.
	Done func(Result)
	// Now is the clock recorded in the state file.
	Now func() time.Time

	// hook, in tests, is called at named points of an update ("rename":
	// before an archive is renamed into place, "state": after, before the
	// state file is written).
	hook func(point, ecosystem string)
}

// DefaultConfig returns the defaults the CLI starts from.
func DefaultConfig() Config {
	return Config{
		BaseURL:        DefaultBaseURL,
		ConnectTimeout: 30 * time.Second,
		Timeout:        10 * time.Minute,
		Retries:        3,
		Backoff:        time.Second,
		LockWait:       time.Minute,
		UserAgent:      "fnaudit",
		Logger:         slog.New(slog.DiscardHandler),
		Now:            time.Now,
	}
}

// withDefaults fills the zero fields that have no meaningful zero value.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Logger == nil {
		c.Logger = d.Logger
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.hook == nil {
		c.hook = func(string, string) {}
	}
	return c
}

// ErrConfig marks an error in the Config (a bad URL or ecosystem name),
// found before anything is fetched or changed.
var ErrConfig = errors.New("invalid configuration")

// configError is an error of the Config; its message is the wrapped one's.
type configError struct{ err error }

func (e configError) Error() string        { return e.err.Error() }
func (e configError) Unwrap() error        { return e.err }
func (e configError) Is(target error) bool { return target == ErrConfig }

// parseBase parses the base URL, taking a bare path as a local mirror.
func parseBase(s string) (*url.URL, error) {
	u, err := parseBaseURL(s)
	if err != nil {
		return nil, configError{err}
	}
	return u, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	if !strings.Contains(s, "://") {
		abs, err := filepath.Abs(s)
		if err != nil {
			return nil, fmt.Errorf("mirror %s: %w", s, err)
		}
		return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("mirror URL %s: %w", s, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("mirror URL %s: no host", s)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" || !strings.HasPrefix(u.Path, "/") {
			return nil, fmt.Errorf("mirror URL %s: a file URL needs an absolute path, file:///path/to/mirror", s)
		}
		u.Host = ""
	default:
		return nil, fmt.Errorf("mirror URL %s: scheme %q is not http, https or file", s, u.Scheme)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// archiveURL returns <base>/<eco>/all.zip.
func archiveURL(base *url.URL, eco string) string {
	return base.JoinPath(eco, "all.zip").String()
}

// validEcosystem checks that name can be an ecosystem folder of the
// database: one path element, not hidden, not an osv-scanner layout folder.
func validEcosystem(name string) error {
	if err := checkEcosystem(name); err != nil {
		return configError{err}
	}
	return nil
}

func checkEcosystem(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("ecosystem name %q is not valid", name)
	case strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, "."):
		return fmt.Errorf("ecosystem name %q is not valid: it must be one folder name such as npm, PyPI or crates.io", name)
	case name == "osv-scalibr" || name == "osv-scanner":
		return fmt.Errorf("ecosystem name %q is reserved for osv-scanner's cache layout", name)
	}
	return nil
}
