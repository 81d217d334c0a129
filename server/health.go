package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fnaudit/fnaudit/vuln"
)

// GET /healthz: the process is up and serving. It needs no token.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	_ = writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// GET /readyz: the store can be reached and, when scheduled rescans run,
// the advisory database holds at least one ecosystem; 503 otherwise. It
// needs no token and names no path or error (those go to the log).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok"}
	ready := true
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.log.Warn("readiness: the store cannot be reached", "error", err)
		checks["store"], ready = "unreachable", false
	}
	checks["database"] = "not used: no scheduled rescans"
	if s.sched != nil {
		zips, err := vuln.Archives(s.cfg.DBDir)
		switch {
		case err != nil:
			s.log.Warn("readiness: the advisory database cannot be read", "error", err)
			checks["database"], ready = "unreadable", false
		case len(zips) == 0:
			checks["database"], ready = "missing: no <Ecosystem>/all.zip yet", false
		default:
			checks["database"] = fmt.Sprintf("ok: %d ecosystems", len(zips))
		}
	}
	code, status := http.StatusOK, "ready"
	if !ready {
		code, status = http.StatusServiceUnavailable, "not ready"
	}
	_ = writeJSON(w, code, map[string]any{"status": status, "checks": checks})
}
