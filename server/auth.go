package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// minTokenLen is the shortest token a tokens file may hold.
const minTokenLen = 16

// Tokens are bearer tokens, kept only as SHA-256 digests.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	name string
	sum  [sha256.Size]byte
}

// LoadTokens reads a tokens file: one token per line, or "name:token" to
// name it in logs; blank lines and lines starting with # are skipped.
// Tokens are at least 16 characters without spaces; names are unique.
func LoadTokens(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokens: %w", err)
	}
	defer f.Close()
	t, err := ParseTokens(f, path)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ParseTokens reads tokens in the LoadTokens format from r; source names r
// in errors. Errors name the line, never the token.
func ParseTokens(r io.Reader, source string) (*Tokens, error) {
	t := &Tokens{}
	names := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, token, named := strings.Cut(line, ":")
		if !named {
			name, token = fmt.Sprintf("line %d", n), line
		}
		name, token = strings.TrimSpace(name), strings.TrimSpace(token)
		if err := checkToken(name, token); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, n, err)
		}
		if names[name] {
			return nil, fmt.Errorf("%s:%d: token name %q given twice", source, n, name)
		}
		names[name] = true
		t.entries = append(t.entries, tokenEntry{name: name, sum: sha256.Sum256([]byte(token))})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", source, err)
	}
	if len(t.entries) == 0 {
		return nil, fmt.Errorf("%s holds no token: write one per line, or name:token", source)
	}
	return t, nil
}

func checkToken(name, token string) error {
	switch {
	case name == "" || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("a token needs a name before the colon (name:token)")
	case len(token) < minTokenLen:
		return fmt.Errorf("token %s is shorter than %d characters", name, minTokenLen)
	case strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("token %s has a space or a control character", name)
	}
	return nil
}

// Len says how many tokens t holds (0 for nil).
func (t *Tokens) Len() int {
	if t == nil {
		return 0
	}
	return len(t.entries)
}

// match returns the name of the token presented, comparing its digest with
// every stored digest in constant time (all of them, whatever matches).
func (t *Tokens) match(presented string) (string, bool) {
	if t == nil || presented == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(presented))
	name, found := "", false
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 && !found {
			name, found = e.name, true
		}
	}
	return name, found
}

// credential is the token a request presents: "Authorization: Bearer T",
// or HTTP Basic auth with T as the password (what a browser can send).
func credential(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer":
		return rest
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return ""
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass
	}
	return ""
}

// authLog counts failed authentications and logs them, at most one line
// per client address per minute; the line says how many failures it
// stands for.
type authLog struct {
	log   *slog.Logger
	now   func() time.Time
	total atomic.Int64

	mu      sync.Mutex // guards clients
	clients map[string]*authClient
}

type authClient struct {
	last   time.Time // when a line was last logged for it
	unseen int       // failures since then
}

// maxAuthClients bounds the addresses remembered; older ones are dropped.
const maxAuthClients = 10000

func newAuthLog(log *slog.Logger, now func() time.Time) *authLog {
	return &authLog{log: log, now: now, clients: map[string]*authClient{}}
}

// failed records a failed authentication from r. The token is never logged.
func (a *authLog) failed(r *http.Request, reason string) {
	total := a.total.Add(1)
	addr := clientAddr(r)
	now := a.now()
	a.mu.Lock()
	c := a.clients[addr]
	if c == nil {
		a.forget(now)
		if len(a.clients) >= maxAuthClients {
			addr = "other addresses" // counted together, logged once a minute
		}
		if c = a.clients[addr]; c == nil {
			c = &authClient{}
			a.clients[addr] = c
		}
	}
	c.unseen++
	logIt := c.last.IsZero() || now.Sub(c.last) >= time.Minute
	n := c.unseen
	if logIt {
		c.last, c.unseen = now, 0
	}
	a.mu.Unlock()
	if logIt {
		a.log.Warn("authentication failed", "client", addr, "method", r.Method, "path", r.URL.EscapedPath(),
			"reason", reason, "failures", n, "total_failures", total)
	}
}

// forget drops addresses not logged for a minute when there are too many.
func (a *authLog) forget(now time.Time) {
	if len(a.clients) < maxAuthClients {
		return
	}
	for addr, c := range a.clients {
		if now.Sub(c.last) >= time.Minute {
			delete(a.clients, addr)
		}
	}
}

// Failures is the number of failed authentications so far.
func (a *authLog) Failures() int64 { return a.total.Load() }

// clientAddr is the request's peer address without its port. Proxy
// headers are not trusted: behind a proxy this is the proxy.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
