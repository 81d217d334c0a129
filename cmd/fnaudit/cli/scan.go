package cli

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/bundle/image"
	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/sbom/catalog"
)

func scanCommand(e *env) *ucli.Command {
	lim := unpack.DefaultLimits()
	return &ucli.Command{
		Name:      "scan",
		Usage:     "audit every function found at PATH",
		ArgsUsage: "PATH",
		Description: "PATH is an application: a folder holding its deployment manifest (Serverless " +
			"Framework, SAM/CloudFormation, CDK cdk.out, Terraform plan JSON, Azure Functions host.json) or the " +
			"manifest file itself; or one function's deployment zip, jar or container image archive " +
			"(docker save tar, OCI layout). fnaudit unpacks exactly what each function runs, catalogues " +
			"the packages with syft and matches them offline against the OSV database given by --db.",
		Flags: []ucli.Flag{
			dbFlag(e),
			maxDBAgeFlag(e),
			&ucli.StringSliceFlag{Name: "format", Aliases: []string{"f"}, Usage: formatHelp()},
			&ucli.StringFlag{Name: "fail-on", Value: string(reports.LevelNone),
				Usage: "fail the gate (exit 1) on a finding at or above risk `LEVEL`: critical, high, medium, low, none"},
			&ucli.StringFlag{Name: "policy", Usage: "policy `FILE` (fnaudit.yaml): thresholds per exposure and exceptions (docs/policy.md)"},
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.GOMAXPROCS(0),
				Usage: "artifacts unpacked and catalogued at once"},
			&ucli.StringFlag{Name: "tmp-dir", Usage: "parent `DIR` of the run's temp dir (default: the system temp dir)"},
			&ucli.BoolFlag{Name: "allow-network", Usage: "pull the container images a manifest names from their registries " +
				"(credentials from the Docker config and credential helpers); without it a scan opens no connection"},
			&ucli.BoolFlag{Name: "cache", Usage: "keep catalogued package lists across runs, by artifact digest, in --cache-dir"},
			&ucli.StringFlag{Name: "cache-dir", Value: defaultCacheDir(), Usage: "where --cache keeps catalogues"},
			&ucli.Int64Flag{Name: "max-unpacked-bytes", Value: lim.MaxTotalBytes,
				Usage: "bound on the bytes one artifact may unpack to (Lambda allows 250 MiB for code and layers)"},
			&ucli.IntFlag{Name: "max-entries", Value: lim.MaxEntries, Usage: "bound on the entries of one artifact"},
			&ucli.Int64Flag{Name: "max-ratio", Value: lim.MaxRatio,
				Usage: "bound on an entry's compression ratio (entries over 1 MiB)"},
			&ucli.IntFlag{Name: "max-depth", Value: lim.MaxDepth, Usage: "bound on archive nesting (a zip in a zip is depth 2)"},
			&ucli.Int64Flag{Name: "max-image-bytes", Value: image.DefaultLimits().MaxTotalBytes,
				Usage: "bound on the bytes one container image may unpack to (Lambda allows 10 GB images)"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing on stderr but errors"},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print progress and diagnostics on stderr"},
			storeFlag("record the scan, after the outputs are written, for rescans and history"),
			labelFlag("label recorded with the scan (--store, --push)"),
			pushFlag(),
			tokenFlag(),
		},
		Action: func(c *ucli.Context) error { return runScan(c, e) },
	}
}

func dbFlag(e *env) ucli.Flag {
	return &ucli.StringFlag{
		Name: "db",
		Usage: "OSV database `DIR` holding <Ecosystem>/all.zip (osv-scanner's offline cache layout is accepted too); " +
			"default $FNAUDIT_DB, else the user cache dir's fnaudit/osv",
		Value: defaultDBDir(e),
	}
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "fnaudit", "sbom")
	}
	return ""
}

func defaultDBDir(e *env) string {
	if d := e.getenv("FNAUDIT_DB"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "fnaudit", "osv")
	}
	return ""
}

// scanConfig turns the scan flags into the audit configuration: the one
// place where they meet.
func scanConfig(c *ucli.Context, e *env) (audit.Config, []output, error) {
	cfg := audit.DefaultConfig()
	cfg.DBDir = c.String("db")
	maxAge, err := parseAge(c.String("max-db-age"))
	if err != nil {
		return cfg, nil, fmt.Errorf("--max-db-age: %w", err)
	}
	cfg.MaxDBAge = maxAge
	cfg.ToolVersion = Version
	cfg.Jobs = max(c.Int("jobs"), 1)
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
	cfg.Limits.MaxTotalBytes = c.Int64("max-unpacked-bytes")
	cfg.Limits.MaxEntries = c.Int("max-entries")
	cfg.Limits.MaxRatio = c.Int64("max-ratio")
	cfg.Limits.MaxDepth = c.Int("max-depth")
	cfg.ImageLimits.MaxTotalBytes = c.Int64("max-image-bytes")
	cfg.Logger = newLogger(e, c.Bool("quiet"), c.Bool("verbose"))
	if c.Bool("cache") {
		cfg.CacheDir = c.String("cache-dir")
	}
	cfg.AllowNetwork = c.Bool("allow-network")
	if !c.Bool("quiet") && !c.Bool("verbose") {
		cfg.Progress = progressBar(e.stderr)
	}
	outs, err := parseOutputs(c.StringSlice("format"))
	if err != nil {
		return cfg, nil, fmt.Errorf("--format: %w", err)
	}
	return cfg, outs, nil
}

func newLogger(e *env, quiet, verbose bool) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: logLevel(slog.LevelWarn, quiet, verbose)}))
}

// logLevel is normal, errors only with quiet, or debug with verbose.
func logLevel(normal slog.Level, quiet, verbose bool) slog.Level {
	switch {
	case quiet:
		return slog.LevelError
	case verbose:
		return slog.LevelDebug
	}
	return normal
}

func runScan(c *ucli.Context, e *env) error {
	if c.NArg() != 1 {
		return usageError(errNoPath)
	}
	cfg, outs, err := scanConfig(c, e)
	if err != nil {
		return usageError(err)
	}
	st, err := openScanStore(c, e)
	if err != nil {
		return usageError(err)
	}
	defer st.close()
	push, err := newPusher(c, e)
	if err != nil {
		return usageError(err)
	}
	r, err := auditPath(c, cfg)
	if err != nil {
		return err
	}
	if err := st.attribute(c.Context, r); err != nil {
		return usageError(err)
	}
	if err := writeOutputs(outs, r, e.stdout); err != nil {
		return usageError(err)
	}
	if err := st.record(c.Context, e, r, c.Bool("quiet")); err != nil {
		return err
	}
	if err := push.push(c.Context, e, r, c.Bool("quiet")); err != nil {
		return err
	}
	if code := r.Summary.Gate.ExitCode; code != reports.ExitPassed {
		return &exitError{code: code}
	}
	return nil
}

// auditPath audits the command's PATH in a workspace of its own (removed
// before it returns), turning failures into exit codes: an interrupted run
// is incomplete (3), anything else a usage or input error (2).
func auditPath(c *ucli.Context, cfg audit.Config) (*reports.Report, error) {
	ws, err := newWorkspace(c.String("tmp-dir"))
	if err != nil {
		return nil, usageError(err)
	}
	defer ws.Close()
	restore := pointTempDirAt(ws.Dir())
	defer restore()
	cfg.Workspace = ws
	r, err := audit.Run(c.Context, cfg, c.Args().First())
	if err != nil {
		if c.Context.Err() != nil {
			return nil, &exitError{code: reports.ExitIncomplete, err: fmt.Errorf("interrupted: the audit is incomplete")}
		}
		return nil, usageError(err)
	}
	return r, nil
}

// pointTempDirAt makes syft and stereoscope, which create their own temp
// files under $TMPDIR, write inside the run's workspace, so that nothing
// outlives the run even when a cataloguer forgets to clean up.
func pointTempDirAt(dir string) (restore func()) {
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", dir)
	return func() {
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
	}
}

// newWorkspace creates the run's temp dir under parent (default: the
// system temp dir), refusing one where syft would read no file.
func newWorkspace(parent string) (*unpack.Workspace, error) {
	ws, err := unpack.NewWorkspace(parent)
	if err != nil {
		return nil, fmt.Errorf("creating the run's temp dir: %w", err)
	}
	if err := catalog.CheckDir(ws.Dir()); err != nil {
		ws.Close()
		return nil, fmt.Errorf("the run's temp dir: %w (--tmp-dir or $TMPDIR)", err)
	}
	return ws, nil
}
