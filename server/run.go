package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Serve answers HTTP on ln and runs the scheduler (when configured) until
// ctx ends; then it stops accepting connections, lets in-flight requests
// and a scheduled run finish within Config.ShutdownTimeout (a run still
// going then is cancelled: its steps are transactional), and returns nil.
// It returns early with the error of a listener that fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	var runs, loops sync.WaitGroup
	if s.sched != nil {
		loops.Go(func() { s.sched.loop(loopCtx, runCtx, &runs) })
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s.log.Info("serving", "url", "http://"+ln.Addr().String()+"/", "read_only", s.cfg.ReadOnly,
		"uploads", !s.cfg.ReadOnly && s.cfg.Tokens != nil, "read_tokens", s.cfg.ReadTokens != nil)

	var err error
	select {
	case err = <-served:
		err = fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
		s.log.Info("shutting down: finishing in-flight requests", "timeout", s.cfg.ShutdownTimeout.String())
	}
	stopLoop()
	loops.Wait()
	deadline, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if serr := hs.Shutdown(deadline); serr != nil && err == nil {
		err = fmt.Errorf("shutting down: %w", serr)
	}
	waitOrCancel(deadline, &runs, cancelRuns)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.log.Info("stopped")
	return err
}

// waitOrCancel waits for wg, cancelling the runs when deadline ends first.
func waitOrCancel(deadline context.Context, wg *sync.WaitGroup, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-deadline.Done():
		cancel()
		<-done
	}
}

// ListenAndServe listens on addr (host:port) and serves until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}
