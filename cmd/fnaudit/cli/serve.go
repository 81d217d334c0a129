package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/notify"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/server"
	"github.com/fnaudit/fnaudit/vuln/dbupdate"
)

func serveCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "web UI, JSON API, CycloneDX downloads, uploads and scheduled rescans over a store",
		Description: "Serves the scan history in --store: an HTML UI (applications, functions, findings, history, " +
			"layer fixes), CycloneDX 1.6 downloads per function and per application, SARIF and report JSON per scan, " +
			"and a JSON API (docs/api.md). With --tokens, pipelines upload scans (fnaudit scan --push). With " +
			"--rescan-every, the server updates the database from --db-update-url and rescans every application's " +
			"newest scan on that period (once at start), one run at a time across replicas, and tells " +
			"--notify-webhook of new findings. SIGINT or SIGTERM stop it after in-flight requests finish.",
		Flags: []ucli.Flag{
			storeFlag("the store to serve"),
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen on `HOST:PORT` (loopback by default)"},
			dbFlag(e),
			&ucli.DurationFlag{Name: "rescan-every", Usage: "update the database and rescan every application every `PERIOD` (24h, 6h); 0: never"},
			&ucli.StringFlag{Name: "db-update-url", Usage: "mirror `BASE` URL the scheduled runs update --db from first (as fnaudit db update --url)"},
			&ucli.StringFlag{Name: "tokens", Usage: "upload tokens `FILE`: one per line, or name:token; without it uploads are refused"},
			&ucli.StringFlag{Name: "read-tokens", Usage: "read tokens `FILE`: when given, reading needs one of these (or an upload token)"},
			&ucli.StringFlag{Name: "notify-webhook", Usage: "POST the new findings of each scheduled rescan to `URL`"},
			&ucli.BoolFlag{Name: "read-only", Usage: "a replica: no uploads, no scheduled rescans"},
			&ucli.Int64Flag{Name: "max-upload-bytes", Value: server.DefaultMaxUploadBytes, Usage: "largest upload accepted, in `BYTES` (413 beyond)"},
			&ucli.StringFlag{Name: "fail-on", Value: string(reports.LevelNone), Usage: "gate of the scheduled rescans (webhook payload): `LEVEL`"},
			&ucli.StringFlag{Name: "policy", Usage: "policy `FILE` the scheduled rescans rate findings with (exceptions, thresholds), read before each run"},
			&ucli.StringFlag{Name: "log-format", Value: "text", Usage: "log `FORMAT` on stderr: text or json"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "log only errors"},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log debug details too (health checks, static files)"},
		},
		Action: func(c *ucli.Context) error { return runServe(c, e) },
	}
}

func runServe(c *ucli.Context, e *env) error {
	if c.NArg() != 0 {
		return usageError(fmt.Errorf("serve takes no PATH: it serves the store (got %q)", c.Args().First()))
	}
	log, err := serveLogger(e.stderr, c.String("log-format"), c.Bool("quiet"), c.Bool("verbose"))
	if err != nil {
		return usageError(err)
	}
	cfg, err := serveConfig(c, e, log)
	if err != nil {
		return usageError(err)
	}
	st, err := openStore(c.Context, e, c.String("store"), c.String("tokens") == "" || c.Bool("read-only"))
	if err != nil {
		return usageError(err)
	}
	defer st.Close()
	cfg.Store = st
	srv, err := server.New(cfg)
	if err != nil {
		return usageError(err)
	}
	if err := srv.ListenAndServe(c.Context, c.String("addr")); err != nil {
		return usageError(err)
	}
	return nil
}

// serveConfig turns the serve flags into the server's configuration.
func serveConfig(c *ucli.Context, e *env, log *slog.Logger) (server.Config, error) {
	cfg := server.DefaultConfig()
	cfg.Logger, cfg.Now, cfg.ToolVersion = log, e.now, Version
	cfg.ReadOnly = c.Bool("read-only")
	cfg.MaxUploadBytes = c.Int64("max-upload-bytes")
	if cfg.MaxUploadBytes <= 0 {
		return cfg, errors.New("--max-upload-bytes must be positive")
	}
	var err error
	if f := c.String("tokens"); f != "" {
		if cfg.ReadOnly {
			return cfg, errors.New("--tokens lets pipelines upload, which a --read-only replica refuses: give one or the other")
		}
		if cfg.Tokens, err = server.LoadTokens(f); err != nil {
			return cfg, fmt.Errorf("--tokens: %w", err)
		}
	}
	if f := c.String("read-tokens"); f != "" {
		if cfg.ReadTokens, err = server.LoadTokens(f); err != nil {
			return cfg, fmt.Errorf("--read-tokens: %w", err)
		}
	}
	return cfg, scheduleConfig(c, e, log, &cfg)
}

// scheduleConfig sets the scheduled rescans' part of cfg.
func scheduleConfig(c *ucli.Context, e *env, log *slog.Logger, cfg *server.Config) error {
	every := c.Duration("rescan-every")
	for _, name := range []string{"db-update-url", "notify-webhook", "policy"} {
		if c.String(name) != "" && every == 0 {
			return fmt.Errorf("--%s is for scheduled rescans: give --rescan-every too", name)
		}
	}
	if every == 0 {
		return nil
	}
	if cfg.ReadOnly {
		return errors.New("--rescan-every: a --read-only replica runs no scheduled rescans")
	}
	level, err := reports.ParseLevel(c.String("fail-on"))
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	cfg.RescanEvery, cfg.DBDir = every, c.String("db")
	cfg.Policy, cfg.PolicyFile = reports.Policy{FailOn: level}, c.String("policy")
	if cfg.PolicyFile != "" {
		if _, err := reports.LoadPolicy(cfg.PolicyFile, level, e.now().UTC().Format("2006-01-02")); err != nil {
			return fmt.Errorf("--policy: %w", err)
		}
	}
	cfg.DBUpdateURL = c.String("db-update-url")
	cfg.DBUpdate = dbupdate.DefaultConfig()
	cfg.DBUpdate.Proxy = http.ProxyFromEnvironment
	cfg.DBUpdate.UserAgent = "fnaudit/" + Version
	if url := c.String("notify-webhook"); url != "" {
		cfg.Webhook = &notify.Webhook{URL: url, Attempts: notify.DefaultAttempts, Backoff: notify.DefaultBackoff,
			OnRetry: func(err error, wait time.Duration) {
				log.Warn("webhook: retrying", "error", err, "wait", wait.String())
			}}
	}
	return nil
}

// serveLogger logs on stderr as text or JSON: info by default, errors only
// with quiet, debug with verbose.
func serveLogger(w io.Writer, format string, quiet, verbose bool) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: logLevel(slog.LevelInfo, quiet, verbose)}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}
