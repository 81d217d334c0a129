package vuln

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	scalibrlog "github.com/google/osv-scalibr/log"
)

// scalibrLogger forwards osv-scalibr's log calls to the logger of the most
// recently opened DB. osv-scalibr keeps one process-wide logger (the default
// prints to stderr); this adapter is installed once and is the only place
// fnaudit touches that global.
type scalibrLogger struct {
	target atomic.Pointer[slog.Logger]
}

var (
	scalibrLogOnce sync.Once
	scalibrLog     = &scalibrLogger{}
)

// routeScalibrLog makes osv-scalibr log to l.
func routeScalibrLog(l *slog.Logger) {
	scalibrLog.target.Store(l)
	scalibrLogOnce.Do(func() { scalibrlog.SetLogger(scalibrLog) })
}

// logf logs at level; format "" means fmt.Sprint(args...). Nothing is
// formatted when the level is disabled.
func (s *scalibrLogger) logf(level slog.Level, format string, args []any) {
	l := s.target.Load()
	if l == nil || !l.Enabled(context.Background(), level) {
		return
	}
	msg := fmt.Sprint(args...)
	if format != "" {
		msg = fmt.Sprintf(format, args...)
	}
	l.Log(context.Background(), level, msg, "source", "osv-scalibr")
}

// Errorf implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Errorf(format string, args ...any) { s.logf(slog.LevelError, format, args) }

// Error implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Error(args ...any) { s.logf(slog.LevelError, "", args) }

// Warnf implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Warnf(format string, args ...any) { s.logf(slog.LevelWarn, format, args) }

// Warn implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Warn(args ...any) { s.logf(slog.LevelWarn, "", args) }

// Infof implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Infof(format string, args ...any) { s.logf(slog.LevelInfo, format, args) }

// Info implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Info(args ...any) { s.logf(slog.LevelInfo, "", args) }

// Debugf implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Debugf(format string, args ...any) { s.logf(slog.LevelDebug, format, args) }

// Debug implements osv-scalibr's log.Logger.
func (s *scalibrLogger) Debug(args ...any) { s.logf(slog.LevelDebug, "", args) }

var _ scalibrlog.Logger = (*scalibrLogger)(nil)
