package audit

import (
	"errors"
	"fmt"
	"time"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
)

// ErrStaleDatabase is returned by Run when the advisory database is older
// than Config.MaxDBAge and the policy gates: a gate must not pass on old
// advisories.
var ErrStaleDatabase = errors.New("the advisory database is stale")

// staleDatabase says, when the archives the run consulted are older than
// maxAge, which one is the oldest and how old it is ("" when fresh or
// maxAge is 0). An archive's age comes from vuln.DB.Updated.
func staleDatabase(db *vuln.DB, maxAge time.Duration, now time.Time) string {
	if maxAge <= 0 {
		return ""
	}
	var oldest time.Time
	name := ""
	for _, e := range db.Ecosystems() {
		if t, ok := db.Updated(e.Name); ok && (name == "" || t.Before(oldest)) {
			oldest, name = t, e.Name
		}
	}
	if name == "" || now.Sub(oldest) <= maxAge {
		return ""
	}
	return fmt.Sprintf("%s was last updated %s (%s ago), more than the maximum age of %s",
		name, oldest.UTC().Format(time.RFC3339), days(now.Sub(oldest)), days(maxAge))
}

// days writes a duration in days when it is at least one.
func days(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	}
	return d.Round(time.Minute).String()
}

// gates reports whether the policy can fail the gate on findings.
func gates(p reports.Policy) bool {
	return p.FailOn != reports.LevelNone || p.File != ""
}

// checkStale warns about a stale database, or fails the run when the
// policy gates.
func checkStale(db *vuln.DB, cfg Config, warnings map[string]bool) error {
	msg := staleDatabase(db, cfg.MaxDBAge, time.Now())
	if msg == "" {
		return nil
	}
	if gates(cfg.Policy) {
		return fmt.Errorf("%w: %s; the gate cannot pass on old advisories: run `fnaudit db update` (or raise --max-db-age)", ErrStaleDatabase, msg)
	}
	w := "advisory database is stale: " + msg + "; run `fnaudit db update`"
	warnings[w] = true
	cfg.Logger.Warn(w)
	return nil
}
