package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGracefulShutdown: when Serve's context ends during an upload, the
// upload still completes and is recorded, new connections are refused,
// and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	body := uploadBody(t, sample(), nil)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/scans", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	for k, v := range bearer(uploadToken) {
		req.Header.Set(k, v)
	}
	// With "Expect: 100-continue" the client sends no byte of the body
	// before the handler starts reading it: once the first half is
	// written, the request is in flight on an accepted connection (not
	// waiting in the listener's backlog, which shutdown would drop).
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("the in-flight upload failed: %v", err)
			answered <- nil
			return
		}
		answered <- resp
	}()
	half := len(body) / 2
	if _, err := pw.Write(body[:half]); err != nil { // the server is reading it
		t.Fatal(err)
	}
	stop()
	// Shutdown closes the listener first: wait until it no longer accepts.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections 10 s after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := pw.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	resp := <-answered
	if resp == nil {
		t.FailNow()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("the in-flight upload was answered %d, want 201", resp.StatusCode)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "shutting down") || !strings.Contains(logs, "scan uploaded") {
		t.Errorf("logs:\n%s", logs)
	}
}
