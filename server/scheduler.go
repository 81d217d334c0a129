package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/vuln"
	"github.com/fnaudit/fnaudit/vuln/dbupdate"
)

// scheduleLock is the store lock a scheduled run holds: one run at a time
// across every server on the store.
const scheduleLock = "scheduled-rescan"

// scheduler updates the advisory database and rescans every application's
// newest entry: once when the server starts, then at every tick. A tick
// that comes while a run is still going is skipped, not queued.
type scheduler struct {
	s       *Server
	log     *slog.Logger
	running atomic.Bool
	// done, when set (tests), is told of the outcome of every start and
	// tick, after the run (if any) has finished.
	done func(runResult)
}

// runResult is what became of one start or tick.
type runResult struct {
	// Skipped says why nothing was done: "running" (the previous run is
	// still going), "locked" (another server is running one), "recent"
	// (every application was rescanned less than half a period ago),
	// "empty" (the store holds no scan); "" when the run happened.
	Skipped string
	Updated []dbupdate.Result
	Entries []store.Entry
	// New counts the new findings of the recorded rescans.
	New int
	Err error
}

func newScheduler(s *Server) *scheduler {
	return &scheduler{s: s, log: s.log.With("component", "scheduler")}
}

// loop runs once at once, then once per tick, until ctx ends. Runs use
// runCtx (Serve ends it after a grace period) and are counted in wg.
func (sc *scheduler) loop(ctx, runCtx context.Context, wg *sync.WaitGroup) {
	cfg := sc.s.cfg
	ticks, stop := cfg.Ticker(cfg.RescanEvery)
	defer stop()
	sc.log.Info("scheduled rescans", "every", cfg.RescanEvery.String(), "db_update_url", cfg.DBUpdateURL != "",
		"webhook", cfg.Webhook != nil)
	sc.trigger(runCtx, wg)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			sc.trigger(runCtx, wg)
		}
	}
}

// trigger starts a run unless one is going.
func (sc *scheduler) trigger(ctx context.Context, wg *sync.WaitGroup) {
	if !sc.running.CompareAndSwap(false, true) {
		sc.log.Warn("scheduled rescan skipped: the previous run is still going")
		sc.report(runResult{Skipped: "running"})
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		res := sc.run(ctx)
		sc.running.Store(false)
		sc.report(res)
	}()
}

func (sc *scheduler) report(res runResult) {
	if sc.done != nil {
		sc.done(res)
	}
}

// run is one scheduled run: take the store lock, update the database,
// rescan, record, notify.
func (sc *scheduler) run(ctx context.Context) runResult {
	st := sc.s.cfg.Store
	unlock, ok, err := st.TryLock(ctx, scheduleLock)
	if err != nil {
		sc.log.Error("scheduled rescan: taking the store lock", "error", err)
		return runResult{Err: err}
	}
	if !ok {
		sc.log.Info("scheduled rescan skipped: another server is running one")
		return runResult{Skipped: "locked"}
	}
	defer unlock()
	recent, err := sc.doneRecently(ctx)
	if err != nil {
		return runResult{Err: err} // logged by doneRecently
	}
	if recent {
		return runResult{Skipped: "recent"}
	}
	start := sc.s.cfg.Now()
	res := runResult{}
	res.Updated, res.Err = sc.update(ctx)
	if res.Err != nil && !sc.haveDatabase() {
		if errors.Is(res.Err, audit.ErrNothingStored) {
			res.Skipped, res.Err = "empty", nil
			sc.log.Info("scheduled rescan: nothing stored yet")
		} else {
			sc.log.Error("scheduled rescan failed: no database to rescan against", "error", res.Err)
		}
		return res
	}
	if err := sc.rescan(ctx, &res); err != nil {
		res.Err = errors.Join(res.Err, err)
		if errors.Is(err, audit.ErrNothingStored) {
			res.Skipped, res.Err = "empty", nil
			sc.log.Info("scheduled rescan: nothing stored yet")
		} else {
			sc.log.Error("scheduled rescan failed", "error", err)
		}
		return res
	}
	sc.log.Info("scheduled rescan done", "applications", len(res.Entries), "new", res.New,
		"duration", sc.s.cfg.Now().Sub(start).String())
	return res
}

// doneRecently says whether every application's newest entry is a rescan
// recorded less than half a period ago: another server (or an operator)
// has just done this period's work, so a server whose ticks come a little
// later does not do it again.
func (sc *scheduler) doneRecently(ctx context.Context) (bool, error) {
	latest, err := sc.s.cfg.Store.Latest(ctx, store.Query{})
	if err != nil {
		sc.log.Error("scheduled rescan: reading the store", "error", err)
		return false, err
	}
	if len(latest) == 0 {
		return false, nil
	}
	now := sc.s.cfg.Now()
	for _, e := range latest {
		if e.Kind != store.KindRescan || now.Sub(e.RecordedAt) >= sc.s.cfg.RescanEvery/2 {
			return false, nil
		}
	}
	sc.log.Info("scheduled rescan skipped: every application was rescanned less than half a period ago")
	return true, nil
}

// update brings the database up to date from the mirror, if one is set.
// Ecosystems that fail keep their previous archive and are logged.
func (sc *scheduler) update(ctx context.Context) ([]dbupdate.Result, error) {
	cfg := sc.s.cfg
	if cfg.DBUpdateURL == "" {
		return nil, nil
	}
	u := cfg.DBUpdate
	u.BaseURL, u.Logger, u.Now = cfg.DBUpdateURL, sc.log, cfg.Now
	if !sc.haveDatabase() {
		ecos, err := sc.storedEcosystems(ctx)
		if err != nil {
			return nil, err
		}
		u.Ecosystems = ecos
	}
	results, err := dbupdate.Update(ctx, cfg.DBDir, u)
	for _, r := range results {
		if r.Status == dbupdate.Failed {
			sc.log.Warn("database update: ecosystem kept as it was", "ecosystem", r.Ecosystem, "error", r.Err)
		} else {
			sc.log.Info("database update", "ecosystem", r.Ecosystem, "status", string(r.Status), "records", r.Records)
		}
	}
	if err != nil {
		sc.log.Error("database update failed", "error", err)
		return results, fmt.Errorf("updating the database: %w", err)
	}
	return results, nil
}

// haveDatabase says whether the database directory holds an ecosystem.
func (sc *scheduler) haveDatabase() bool {
	zips, err := vuln.Archives(sc.s.cfg.DBDir)
	return err == nil && len(zips) > 0
}

// storedEcosystems are the ecosystems the newest entries were matched
// against: what an empty database directory is first filled with.
func (sc *scheduler) storedEcosystems(ctx context.Context) ([]string, error) {
	ls, err := sc.s.latestAll(ctx, "")
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("%w: nothing to fill the empty database directory with", audit.ErrNothingStored)
	}
	var ecos []string
	for _, l := range ls {
		for _, e := range l.Report.Database.Ecosystems {
			ecos = append(ecos, e.Name)
		}
	}
	slices.Sort(ecos)
	ecos = slices.Compact(ecos)
	if len(ecos) == 0 {
		return nil, errors.New("the database directory is empty and no stored scan names an ecosystem to download")
	}
	return ecos, nil
}

// rescan re-matches every application's newest entry, records the
// rescans and tells the webhook of new findings.
func (sc *scheduler) rescan(ctx context.Context, res *runResult) error {
	cfg := sc.s.cfg
	rc := audit.DefaultRescanConfig()
	rc.DBDir, rc.ToolVersion, rc.Logger = cfg.DBDir, cfg.ToolVersion, sc.log
	rc.Policy = cfg.Policy
	if cfg.PolicyFile != "" {
		p, err := reports.LoadPolicy(cfg.PolicyFile, cfg.Policy.FailOn, cfg.Now().UTC().Format("2006-01-02"))
		if err != nil {
			return err
		}
		rc.Policy = p
	}
	out, err := audit.Rescan(ctx, rc, cfg.Store)
	if err != nil {
		return err
	}
	if res.Entries, err = audit.RecordRescan(ctx, cfg.Store, out); err != nil {
		return fmt.Errorf("recording the rescan: %w", err)
	}
	for _, e := range res.Entries {
		res.New += e.Counts.New
	}
	if cfg.Webhook != nil {
		if err := cfg.Webhook.Notify(ctx, out.Reports, res.Entries); err != nil {
			sc.log.Error("the rescan was recorded but the webhook was not told", "error", err)
		}
	}
	return nil
}
