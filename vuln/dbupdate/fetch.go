package dbupdate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/fnaudit/fnaudit/vuln"
)

// maxSumsBytes bounds a SHA256SUMS file.
const maxSumsBytes = 1 << 20

// maxBackoff caps the wait between retries.
const maxBackoff = time.Minute

// fetcher downloads files from one mirror. It is used by one goroutine.
type fetcher struct {
	cfg    Config
	base   *url.URL
	client *http.Client

	// sums is the mirror's SHA256SUMS ("<Ecosystem>/all.zip" to hex
	// SHA-256; nil when it has none), read on first need.
	sums     map[string]string
	sumsErr  error
	sumsRead bool
}

func newFetcher(cfg Config, base *url.URL) *fetcher {
	tr := &http.Transport{
		Proxy:               cfg.Proxy,
		DialContext:         (&net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: cfg.ConnectTimeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
		// The bytes hashed must be the bytes the server's checksums are of.
		DisableCompression: true,
	}
	tr.RegisterProtocol("file", http.NewFileTransport(http.Dir("/")))
	return &fetcher{cfg: cfg, base: base, client: &http.Client{Transport: tr}}
}

// close releases the fetcher's idle connections.
func (f *fetcher) close() { f.client.CloseIdleConnections() }

// fetched is the outcome of a successful fetch.
type fetched struct {
	notModified        bool
	etag, lastModified string
	size               int64
	sha256             string
}

// sink receives a download; reset starts it over for a retry.
type sink interface {
	io.Writer
	reset() error
}

// fileSink writes a download to a temp file.
type fileSink struct{ *os.File }

func (s fileSink) reset() error {
	if err := s.Truncate(0); err != nil {
		return err
	}
	_, err := s.Seek(0, io.SeekStart)
	return err
}

// bufSink keeps a small download in memory.
type bufSink struct{ bytes.Buffer }

func (s *bufSink) reset() error { s.Reset(); return nil }

// fetchError is a failed fetch of url; retry says whether trying again may
// help (5xx, 408, 429, timeouts, dropped connections).
type fetchError struct {
	url   string
	err   error
	retry bool
}

func (e *fetchError) Error() string { return "fetching " + e.url + ": " + e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// StatusError is an HTTP response other than 200 (or 304 to a conditional
// request).
type StatusError struct {
	// Code is the HTTP status code.
	Code   int
	status string
}

func (e *StatusError) Error() string {
	if e.Code == http.StatusNotFound {
		return "HTTP " + e.status + ": the mirror has no such file (ecosystem names are case-sensitive: npm, PyPI, Go, Maven, crates.io, ...)"
	}
	return "HTTP " + e.status
}

// get fetches rawURL into dst (at most limit bytes), retrying transient
// failures with exponential backoff. cond, when set, makes the request
// conditional on its validators.
func (f *fetcher) get(ctx context.Context, rawURL string, cond *vuln.ArchiveState, dst sink, limit int64,
	progress func(done, total int64)) (*fetched, error) {
	wait := f.cfg.Backoff
	for attempt := 0; ; attempt++ {
		got, err := f.attempt(ctx, rawURL, cond, dst, limit, progress)
		var fe *fetchError
		if err == nil || !errors.As(err, &fe) || !fe.retry || attempt >= f.cfg.Retries || ctx.Err() != nil {
			return got, err
		}
		f.cfg.Logger.Info("retrying", "url", rawURL, "attempt", attempt+2, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// attempt makes one request, bounded by the per-file timeout.
func (f *fetcher) attempt(ctx context.Context, rawURL string, cond *vuln.ArchiveState, dst sink, limit int64,
	progress func(done, total int64)) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &fetchError{url: rawURL, err: err}
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	if cond != nil && cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond != nil && cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.netError(rawURL, err)
	}
	defer resp.Body.Close()
	switch c := resp.StatusCode; {
	case c == http.StatusNotModified && cond != nil:
		return &fetched{notModified: true}, nil
	case c != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		retry := c >= 500 || c == http.StatusRequestTimeout || c == http.StatusTooManyRequests
		return nil, &fetchError{url: rawURL, err: &StatusError{Code: c, status: resp.Status}, retry: retry}
	}
	return f.body(rawURL, resp, dst, limit, progress)
}

// body reads a 200 response into dst and checks its length and the
// x-goog-hash checksums.
func (f *fetcher) body(rawURL string, resp *http.Response, dst sink, limit int64,
	progress func(done, total int64)) (*fetched, error) {
	if err := dst.reset(); err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	h := newHashes()
	pw := &progressWriter{total: resp.ContentLength, fn: progress}
	n, err := io.Copy(io.MultiWriter(dst, h, pw), io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, f.netError(rawURL, fmt.Errorf("after %d bytes: %w", n, err))
	}
	if n > limit {
		return nil, &fetchError{url: rawURL, err: fmt.Errorf("larger than %d bytes", limit)}
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, &fetchError{url: rawURL, err: fmt.Errorf("got %d of %d bytes", n, resp.ContentLength), retry: true}
	}
	if err := h.checkGoogHash(resp.Header); err != nil {
		return nil, &fetchError{url: rawURL, err: err}
	}
	return &fetched{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"),
		size: n, sha256: hex.EncodeToString(h.sha.Sum(nil))}, nil
}

// netError wraps a transport error, saying whether it is transient.
func (f *fetcher) netError(rawURL string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	retry := transient(err)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out (the limit is %s per attempt): %w", f.cfg.Timeout, err)
	}
	return &fetchError{url: rawURL, err: err, retry: retry}
}

// transient reports whether a transport error may go away on a retry.
func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne):
		return ne.Timeout()
	}
	return false
}

// progressWriter reports the bytes written so far.
type progressWriter struct {
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return len(b), nil
}

// hashes computes the checksums a download is verified with.
type hashes struct {
	sha, md5 hash.Hash
	crc      hash.Hash32
}

func newHashes() *hashes {
	return &hashes{sha: sha256.New(), md5: md5.New(), crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
}

func (h *hashes) Write(b []byte) (int, error) {
	h.sha.Write(b)
	h.md5.Write(b)
	h.crc.Write(b)
	return len(b), nil
}

// checkGoogHash compares the download with the x-goog-hash values of the
// response ("crc32c=<base64>", "md5=<base64>"; several headers, or one
// with comma-separated values). Unknown kinds are ignored.
func (h *hashes) checkGoogHash(header http.Header) error {
	for _, v := range header.Values("X-Goog-Hash") {
		for part := range strings.SplitSeq(v, ",") {
			kind, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			var got []byte
			switch kind {
			case "crc32c":
				got = h.crc.Sum(nil)
			case "md5":
				got = h.md5.Sum(nil)
			default:
				continue
			}
			want, err := base64.StdEncoding.DecodeString(val)
			if err != nil || len(want) != len(got) {
				return fmt.Errorf("x-goog-hash %s=%q is not a valid %s checksum", kind, val, kind)
			}
			if !bytes.Equal(want, got) {
				return fmt.Errorf("%s checksum mismatch: the server published %s, the download has %s (corrupted in transit or a broken mirror)",
					kind, val, base64.StdEncoding.EncodeToString(got))
			}
		}
	}
	return nil
}

// checkSums compares an archive's SHA-256 with the mirror's SHA256SUMS,
// when it has one that lists the archive.
func (f *fetcher) checkSums(ctx context.Context, eco, sha string) error {
	sums, err := f.readSums(ctx)
	if err != nil {
		return err
	}
	want, ok := sums[eco+"/"+zipName]
	if ok && !strings.EqualFold(want, sha) {
		return fmt.Errorf("SHA256SUMS at %s lists %s for %s/%s, the download has %s",
			f.base.JoinPath("SHA256SUMS"), want, eco, zipName, sha)
	}
	return nil
}

// readSums fetches the mirror's SHA256SUMS once. A mirror without one
// (404, 403) has no sums; any other failure is an error, as the archives
// cannot then be checked against it.
func (f *fetcher) readSums(ctx context.Context) (map[string]string, error) {
	if f.sumsRead {
		return f.sums, f.sumsErr
	}
	u := f.base.JoinPath("SHA256SUMS").String()
	var buf bufSink
	_, err := f.get(ctx, u, nil, &buf, maxSumsBytes, nil)
	var se *StatusError
	switch {
	case errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusForbidden):
	case err != nil:
		f.sumsErr = fmt.Errorf("reading the mirror's checksums: %w", err)
	default:
		f.sums, f.sumsErr = parseSums(u, buf.Bytes())
	}
	if ctx.Err() == nil {
		f.sumsRead = true
	}
	return f.sums, f.sumsErr
}

// parseSums parses sha256sum output: "<hex>  <path>" (or "<hex> *<path>")
// per line; blank lines and # comments are skipped.
func parseSums(name string, data []byte) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		sum, path, ok := strings.Cut(text, " ")
		path = strings.TrimPrefix(strings.TrimPrefix(strings.TrimLeft(path, " "), "*"), "./")
		if _, err := hex.DecodeString(sum); !ok || err != nil || len(sum) != 64 || path == "" {
			return nil, fmt.Errorf("%s line %d: want \"<sha256>  <Ecosystem>/all.zip\", got %q", name, line, text)
		}
		sums[path] = strings.ToLower(sum)
	}
	return sums, sc.Err()
}
