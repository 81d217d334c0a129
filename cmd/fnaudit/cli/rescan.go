package cli

import (
	"errors"
	"fmt"
	"runtime"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

func rescanCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "rescan",
		Usage: "re-match stored SBOMs against the current database",
		Description: "For the newest recorded scan of each application (--app, --label select them), fnaudit reads " +
			"every function's packages back from its stored SBOM, matches them against the database given by --db " +
			"and marks each finding new, unchanged or fixed since that scan. Nothing is unpacked: the artifacts are " +
			"not needed. The rescan is recorded as a new entry, then outputs are written and --notify-webhook is told " +
			"of new findings.\n\nExit codes: 1 when a NEW finding crosses the gate (unchanged ones do not fail a " +
			"rescan), else 3 when a stored scan was incomplete, else 0; 2 when the rescan could not run or be recorded " +
			"(docs/store.md).",
		Flags: []ucli.Flag{
			storeFlag("the store scans were recorded in"),
			dbFlag(e),
			&ucli.StringFlag{Name: "app", Usage: "rescan only the application called `NAME`"},
			labelFlag("rescan, per application, the newest entry with this label"),
			&ucli.StringSliceFlag{Name: "format", Aliases: []string{"f"}, Usage: formatHelp() +
				"\n\tWith several applications json writes {\"schema\": \"fnaudit/rescan/v1\", \"reports\": [...]}, table and markdown one after the other, " +
				"and sarif, cyclonedx and html need a FILE, written once per application as FILE with -<application> before its extension"},
			&ucli.StringFlag{Name: "fail-on", Value: string(reports.LevelNone),
				Usage: "fail the gate (exit 1) on a NEW finding at or above risk `LEVEL`: critical, high, medium, low, none"},
			&ucli.StringFlag{Name: "policy", Usage: "policy `FILE` (fnaudit.yaml), as for scan: thresholds per exposure and exceptions"},
			&ucli.StringFlag{Name: "notify-webhook", Usage: "POST a JSON summary of new findings (with a Slack-compatible text field) to `URL`"},
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.GOMAXPROCS(0), Usage: "applications re-matched at once"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing on stderr but errors"},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print diagnostics on stderr"},
		},
		Action: func(c *ucli.Context) error { return runRescan(c, e) },
	}
}

// rescanConfig turns the rescan flags into the audit configuration.
func rescanConfig(c *ucli.Context, e *env) (audit.RescanConfig, []output, error) {
	cfg := audit.DefaultRescanConfig()
	cfg.DBDir = c.String("db")
	cfg.ToolVersion = Version
	cfg.Jobs = max(c.Int("jobs"), 1)
	cfg.Logger = newLogger(e, c.Bool("quiet"), c.Bool("verbose"))
	level, err := reports.ParseLevel(c.String("fail-on"))
	if err != nil {
		return cfg, nil, fmt.Errorf("--fail-on: %w", err)
	}
	cfg.Policy = reports.Policy{FailOn: level}
	if file := c.String("policy"); file != "" {
		if cfg.Policy, err = reports.LoadPolicy(file, level, e.now().UTC().Format("2006-01-02")); err != nil {
			return cfg, nil, fmt.Errorf("--policy: %w", err)
		}
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return cfg, nil, err
	}
	cfg.Query = store.Query{Application: c.String("app"), Labels: labels}
	outs, err := parseOutputs(c.StringSlice("format"))
	if err != nil {
		return cfg, nil, fmt.Errorf("--format: %w", err)
	}
	return cfg, outs, nil
}

func runRescan(c *ucli.Context, e *env) error {
	if c.NArg() != 0 {
		return usageError(fmt.Errorf("rescan takes no PATH: it reads the store (got %q)", c.Args().First()))
	}
	cfg, outs, err := rescanConfig(c, e)
	if err != nil {
		return usageError(err)
	}
	st, err := openStore(c.Context, e, c.String("store"), true)
	if err != nil {
		return usageError(err)
	}
	defer st.Close()
	res, err := audit.Rescan(c.Context, cfg, st)
	if err != nil {
		if c.Context.Err() != nil {
			return &exitError{code: reports.ExitUsage, err: errors.New("interrupted: nothing was recorded")}
		}
		return usageError(fmt.Errorf("rescan: %w", err))
	}
	// The record comes first: outputs and the webhook can fail without
	// losing it.
	entries, err := audit.RecordRescan(c.Context, st, res)
	if err != nil {
		return usageError(fmt.Errorf("recording the rescan: %w", err))
	}
	if !c.Bool("quiet") {
		for _, en := range entries {
			fmt.Fprintf(e.stderr, "fnaudit: recorded rescan %d of %s (of entry %d): %d new, %d unchanged, %d fixed\n",
				en.ID, en.Application, en.Base, en.Counts.New, en.Counts.Unchanged, en.Counts.Fixed)
		}
	}
	if err := writeRescanOutputs(outs, res.Reports, e.stdout); err != nil {
		return usageError(err)
	}
	if url := c.String("notify-webhook"); url != "" {
		n := webhook{url: url, attempts: 4, backoff: defaultBackoff, stderr: e.stderr}
		if err := n.notify(c.Context, res.Reports, entries); err != nil {
			return usageError(fmt.Errorf("the rescan was recorded but the webhook was not told: %w", err))
		}
	}
	if res.ExitCode != reports.ExitPassed {
		return &exitError{code: res.ExitCode}
	}
	return nil
}
