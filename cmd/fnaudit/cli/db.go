package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/vuln"
	"github.com/fnaudit/fnaudit/vuln/dbupdate"
)

// dbAction is one `fnaudit db` subcommand.
type dbAction struct {
	name, usage string
	// flags are the db flags it reads (besides --db, --quiet, --verbose).
	flags []string
	run   func(c *ucli.Context, e *env) error
}

// dbActions is the table of `fnaudit db` subcommands.
var dbActions = []dbAction{
	{"update", "download <BASE>/<Ecosystem>/all.zip for the ecosystems asked for, else those present; verify; swap in atomically",
		[]string{"url", "ecosystems", "connect-timeout", "timeout", "retries", "lock-wait"}, runDBUpdate},
	{"status", "per ecosystem: records, newest modified, size, sha256, when updated and from where",
		[]string{"format"}, runDBStatus},
	{"import", "merge a folder or zip of OSV JSON records (PATH) into the ecosystem archives",
		[]string{"ecosystem", "lock-wait"}, runDBImport},
}

// dbCommand is `fnaudit db SUBCOMMAND`. The subcommands share one flag set
// declared here, because interleave (args.go) moves flags in front of the
// positional arguments, subcommand name included; each subcommand rejects
// the flags that are not its own.
func dbCommand(e *env) *ucli.Command {
	var desc strings.Builder
	desc.WriteString("Subcommands:")
	for _, a := range dbActions {
		fmt.Fprintf(&desc, "\n\t%s: %s (flags: %s)", a.name, a.usage, strings.Join(a.flags, ", "))
	}
	desc.WriteString("\n\nExit codes: 0 done; 1 some ecosystems failed (the others were updated, the failed ones " +
		"keep their previous archive), another update holds the lock, or an archive cannot be read; " +
		"2 usage or input error, nothing changed. See docs/database.md.")
	def := dbupdate.DefaultConfig()
	return &ucli.Command{
		Name:        "db",
		Usage:       "manage the OSV advisory database: update, status, import",
		ArgsUsage:   "update | status | import PATH",
		Description: desc.String(),
		Flags: []ucli.Flag{
			dbFlag(e),
			&ucli.StringFlag{Name: "url", Value: def.BaseURL, Usage: "update: mirror `BASE` holding <BASE>/<Ecosystem>/all.zip " +
				"(https://, http://, file:///path or a directory path) and optionally <BASE>/SHA256SUMS"},
			&ucli.StringFlag{Name: "ecosystems", Usage: "update: comma-separated `LIST` such as npm,PyPI,Go,Maven,crates.io (default: those in --db; into an empty --db, those a local mirror holds, else " + strings.Join(defaultEcosystems, ",") + ")"},
			&ucli.StringFlag{Name: "ecosystem", Usage: "import: import only the records naming ecosystem `NAME`"},
			&ucli.StringFlag{Name: "format", Value: "table", Usage: "status: output `FORMAT`, table or json"},
			&ucli.DurationFlag{Name: "connect-timeout", Value: def.ConnectTimeout, Usage: "update: bound on connecting to the mirror"},
			&ucli.DurationFlag{Name: "timeout", Value: def.Timeout, Usage: "update: bound on one attempt at one file, first byte to last"},
			&ucli.IntFlag{Name: "retries", Value: def.Retries, Usage: "update: retries on 5xx, 408, 429, timeouts and dropped connections, with exponential backoff"},
			&ucli.DurationFlag{Name: "lock-wait", Value: def.LockWait, Usage: "update, import: how long to wait for another update to finish"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing on stderr but errors"},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print retries and diagnostics on stderr"},
		},
		Action: func(c *ucli.Context) error { return runDB(c, e) },
	}
}

// runDB dispatches to the subcommand named by the first argument.
func runDB(c *ucli.Context, e *env) error {
	name := c.Args().First()
	i := slices.IndexFunc(dbActions, func(a dbAction) bool { return a.name == name })
	if i < 0 {
		return usageError(fmt.Errorf("db needs a subcommand: update, status or import (got %q)", name))
	}
	a := dbActions[i]
	for _, other := range dbActions {
		for _, f := range other.flags {
			if c.IsSet(f) && !slices.Contains(a.flags, f) {
				return usageError(fmt.Errorf("--%s does not apply to db %s", f, a.name))
			}
		}
	}
	return a.run(c, e)
}

// dbConfig turns the db flags into the update configuration.
func dbConfig(c *ucli.Context, e *env) dbupdate.Config {
	cfg := dbupdate.DefaultConfig()
	cfg.BaseURL = c.String("url")
	cfg.ConnectTimeout = c.Duration("connect-timeout")
	cfg.Timeout = c.Duration("timeout")
	cfg.Retries = max(c.Int("retries"), 0)
	cfg.LockWait = c.Duration("lock-wait")
	cfg.Proxy = http.ProxyFromEnvironment
	cfg.UserAgent = "fnaudit/" + Version
	cfg.Logger = newLogger(e, c.Bool("quiet"), c.Bool("verbose"))
	cfg.Now = e.now
	for _, eco := range strings.Split(c.String("ecosystems"), ",") {
		if eco = strings.TrimSpace(eco); eco != "" {
			cfg.Ecosystems = append(cfg.Ecosystems, eco)
		}
	}
	if eco := strings.TrimSpace(c.String("ecosystem")); eco != "" {
		cfg.Ecosystems = []string{eco}
	}
	return cfg
}

// dbDir returns --db, or a usage error when there is none.
func dbDir(c *ucli.Context) (string, error) {
	dir := c.String("db")
	if dir == "" {
		return "", usageError(errors.New("no database directory: give --db DIR or set $FNAUDIT_DB"))
	}
	return dir, nil
}

func runDBUpdate(c *ucli.Context, e *env) error {
	if c.NArg() != 1 {
		return usageError(errors.New("db update takes no PATH; the mirror is --url"))
	}
	dir, err := dbDir(c)
	if err != nil {
		return err
	}
	cfg := dbConfig(c, e)
	if len(cfg.Ecosystems) == 0 {
		if cfg.Ecosystems, err = firstEcosystems(dir, cfg.BaseURL); err != nil {
			return usageError(err)
		}
		if len(cfg.Ecosystems) > 0 && !c.Bool("quiet") {
			fmt.Fprintf(e.stderr, "fnaudit: %s holds no database yet: downloading %s (choose with --ecosystems)\n", dir, strings.Join(cfg.Ecosystems, ","))
		}
	}
	rep := newDBReporter(e.stderr, c.Bool("quiet"))
	cfg.Progress, cfg.Done = rep.progressFunc(), rep.done
	results, err := dbupdate.Update(c.Context, dir, cfg)
	switch {
	case errors.Is(err, dbupdate.ErrNoEcosystems):
		return usageError(fmt.Errorf("%w: name them with --ecosystems, e.g. --ecosystems npm,PyPI,Go,Maven,crates.io", err))
	case errors.Is(err, dbupdate.ErrConfig):
		return usageError(err)
	case c.Context.Err() != nil:
		return &exitError{code: reports.ExitFailed, err: errors.New("interrupted: the ecosystems not updated keep their previous archive")}
	case err != nil:
		return &exitError{code: reports.ExitFailed, err: err}
	}
	return failedResults("updated", results)
}

func runDBImport(c *ucli.Context, e *env) error {
	if c.NArg() != 2 {
		return usageError(errors.New("db import needs one PATH: a folder or zip of OSV JSON records"))
	}
	dir, err := dbDir(c)
	if err != nil {
		return err
	}
	cfg := dbConfig(c, e)
	rep := newDBReporter(e.stderr, c.Bool("quiet"))
	cfg.Done = rep.done
	results, err := dbupdate.Import(c.Context, dir, c.Args().Get(1), cfg)
	switch {
	case errors.Is(err, dbupdate.ErrInvalidRecords), errors.Is(err, dbupdate.ErrConfig), errors.Is(err, os.ErrNotExist):
		return usageError(err)
	case c.Context.Err() != nil:
		return &exitError{code: reports.ExitFailed, err: errors.New("interrupted: the ecosystems not imported keep their previous archive")}
	case err != nil:
		return &exitError{code: reports.ExitFailed, err: err}
	}
	return failedResults("imported", results)
}

// failedResults is the exit error of a run in which some ecosystems failed.
func failedResults(verb string, results []dbupdate.Result) error {
	var failed []string
	for _, r := range results {
		if r.Status == dbupdate.Failed {
			failed = append(failed, r.Ecosystem)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &exitError{code: reports.ExitFailed, err: fmt.Errorf(
		"%d of %d ecosystems failed (%s): they keep their previous archive; the others were %s",
		len(failed), len(results), strings.Join(failed, ", "), verb)}
}

// dbReporter prints one line per ecosystem on stderr (errors even when
// quiet) and, on a terminal, a progress bar while an archive downloads.
type dbReporter struct {
	w     io.Writer
	quiet bool
	tty   bool
	// last is when the bar was last drawn (progress calls come from the
	// one goroutine running the update).
	last time.Time
}

func newDBReporter(stderr io.Writer, quiet bool) *dbReporter {
	f, ok := stderr.(*os.File)
	return &dbReporter{w: stderr, quiet: quiet, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// progressFunc returns the progress callback, nil when no bar is drawn.
func (r *dbReporter) progressFunc() func(string, int64, int64) {
	if !r.tty || r.quiet {
		return nil
	}
	return func(eco string, done, total int64) {
		if now := time.Now(); now.Sub(r.last) >= 100*time.Millisecond || done == total {
			r.last = now
			fmt.Fprintf(r.w, "\r\033[K%s", progressLine(eco, done, total))
		}
	}
}

// progressLine is "npm  [=========>          ]  45%  4.3/9.6 MiB".
func progressLine(eco string, done, total int64) string {
	const width = 30
	if total <= 0 {
		return fmt.Sprintf("%-10s %s", eco, size(done))
	}
	frac := min(float64(done)/float64(total), 1)
	n := int(frac * width)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	if n > 0 && n < width {
		bar = bar[:n-1] + ">" + bar[n:]
	}
	return fmt.Sprintf("%-10s [%s] %3.0f%%  %s of %s", eco, bar, frac*100, size(done), size(total))
}

// size writes a byte count for people: "940 B", "75.2 KiB", "9.2 MiB".
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// done prints the outcome of one ecosystem.
func (r *dbReporter) done(res dbupdate.Result) {
	if r.tty && !r.quiet {
		fmt.Fprint(r.w, "\r\033[K")
	}
	switch {
	case res.Status == dbupdate.Failed:
		fmt.Fprintf(r.w, "%s: FAILED: %v\n", res.Ecosystem, res.Err)
	case r.quiet:
	case res.Status == dbupdate.Unchanged:
		fmt.Fprintf(r.w, "%s: unchanged (%s)\n", res.Ecosystem, res.Source)
	case res.Added+res.Replaced > 0:
		fmt.Fprintf(r.w, "%s: %d records imported (%d added, %d replaced); %d records in the archive\n",
			res.Ecosystem, res.Added+res.Replaced, res.Added, res.Replaced, res.Records)
	default:
		fmt.Fprintf(r.w, "%s: updated: %d records, %s, sha256 %s, from %s\n",
			res.Ecosystem, res.Records, size(res.Size), res.SHA256, res.Source)
	}
}

func runDBStatus(c *ucli.Context, e *env) error {
	if c.NArg() != 1 {
		return usageError(errors.New("db status takes no PATH; the database is --db"))
	}
	format := c.String("format")
	if format != "table" && format != "json" {
		return usageError(fmt.Errorf("--format %q: want table or json", format))
	}
	dir, err := dbDir(c)
	if err != nil {
		return err
	}
	logger := newLogger(e, c.Bool("quiet"), c.Bool("verbose"))
	db, err := vuln.Open(c.Context, dir, vuln.WithLogger(logger), vuln.WithClock(e.now))
	if err != nil {
		return usageError(err)
	}
	defer db.Close()
	st, err := db.Status(c.Context)
	if c.Context.Err() != nil {
		return &exitError{code: reports.ExitFailed, err: errors.New("interrupted")}
	}
	if err != nil {
		logger.Warn("state file unreadable: updated and source unknown", "error", err)
	}
	if format == "json" {
		err = writeStatusJSON(e.stdout, st)
	} else {
		err = writeStatusTable(e.stdout, st)
	}
	if err != nil {
		return &exitError{code: reports.ExitFailed, err: fmt.Errorf("writing the status: %w", err)}
	}
	return brokenArchives(st)
}

// brokenArchives is the exit error when some archive cannot be read.
func brokenArchives(st []vuln.EcosystemStatus) error {
	var bad []string
	for _, s := range st {
		if s.Err != nil {
			bad = append(bad, s.Name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &exitError{code: reports.ExitFailed, err: fmt.Errorf(
		"%d archives cannot be read (%s): run `fnaudit db update --ecosystems %s`", len(bad), strings.Join(bad, ", "), strings.Join(bad, ","))}
}

// unknown is shown for what the database does not record.
const unknown = "unknown"

// statusJSON is `db status --format json`.
type statusJSON struct {
	Ecosystems []ecosystemJSON `json:"ecosystems"`
}

// ecosystemJSON is one ecosystem of statusJSON; name, records, modified,
// sha256, updated and source are the contract, the rest may grow.
type ecosystemJSON struct {
	Name           string            `json:"name"`
	Records        int               `json:"records"`
	Modified       string            `json:"modified"`
	SHA256         string            `json:"sha256"`
	Updated        string            `json:"updated"`
	Source         string            `json:"source"`
	Checked        string            `json:"checked,omitempty"`
	Withdrawn      int               `json:"withdrawn"`
	Undecodable    int               `json:"undecodable"`
	FutureModified []vuln.RecordTime `json:"future_modified,omitempty"`
	Size           int64             `json:"size"`
	ModTime        string            `json:"mtime"`
	Path           string            `json:"path"`
	Error          string            `json:"error,omitempty"`
}

func writeStatusJSON(w io.Writer, st []vuln.EcosystemStatus) error {
	out := statusJSON{Ecosystems: []ecosystemJSON{}}
	for _, s := range st {
		j := ecosystemJSON{
			Name: s.Name, Records: s.Records, Modified: timeOr(s.Modified), SHA256: s.SHA256,
			Updated: timeOr(s.Updated), Source: cmp.Or(s.Source, unknown), Withdrawn: s.Withdrawn,
			Undecodable: s.Undecodable, FutureModified: s.FutureModified, Size: s.Size,
			ModTime: timeOr(s.ModTime), Path: s.Path,
		}
		if !s.Checked.IsZero() {
			j.Checked = timeOr(s.Checked)
		}
		if s.Err != nil {
			j.Error = s.Err.Error()
		}
		out.Ecosystems = append(out.Ecosystems, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeStatusTable(w io.Writer, st []vuln.EcosystemStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tRECORDS\tWITHDRAWN\tNEWEST MODIFIED\tSIZE\tSHA256\tUPDATED\tSOURCE")
	var notes []string
	for _, s := range st {
		if s.Err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t%s\t-\t-\t-\n", s.Name, size(s.Size))
			notes = append(notes, fmt.Sprintf("%s: %v", s.Name, s.Err))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Records, s.Withdrawn, timeOr(s.Modified),
			size(s.Size), short(s.SHA256), timeOr(s.Updated), cmp.Or(s.Source, unknown))
		notes = append(notes, statusNotes(s)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

// statusNotes are the remarks on one ecosystem printed under the table.
func statusNotes(s vuln.EcosystemStatus) []string {
	var notes []string
	if len(s.FutureModified) > 0 {
		var ids []string
		for _, f := range s.FutureModified {
			ids = append(ids, f.ID+" ("+f.Time.Format(time.RFC3339)+")")
		}
		notes = append(notes, fmt.Sprintf("%s: %d records have `modified` more than 48h in the future, ignored for NEWEST MODIFIED: %s",
			s.Name, len(ids), strings.Join(ids, ", ")))
	}
	if s.Modified.IsZero() && s.Records > 0 {
		notes = append(notes, s.Name+": no record has a real `modified` date (golang/vulndb's 0001-01-01 placeholders)")
	}
	if s.Undecodable > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d records cannot be decoded", s.Name, s.Undecodable))
	}
	return notes
}

func timeOr(t time.Time) string {
	if t.IsZero() {
		return unknown
	}
	return t.UTC().Format(time.RFC3339)
}

func short(sha string) string { return sha[:min(len(sha), 12)] }

// parseAge parses --max-db-age: a Go duration ("36h", "90m"), a number of
// days ("7d"), or 0 (no limit).
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: want a duration such as 7d, 36h or 0", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration such as 7d, 36h or 0", s)
	}
	return d, nil
}

// maxDBAgeFlag is scan's --max-db-age; $FNAUDIT_MAX_DB_AGE sets its
// default.
func maxDBAgeFlag(e *env) ucli.Flag {
	return &ucli.StringFlag{
		Name:  "max-db-age",
		Value: cmp.Or(e.getenv("FNAUDIT_MAX_DB_AGE"), "7d"),
		Usage: "warn when the advisory database was last updated longer than `DURATION` ago (7d, 36h; 0: never); " +
			"with --fail-on or --policy a stale database fails the scan (exit 2); $FNAUDIT_MAX_DB_AGE sets the default",
	}
}

// defaultEcosystems are what a first `db update` downloads from an HTTP
// mirror: the ecosystems of the packages function runtimes install.
var defaultEcosystems = []string{"Go", "Maven", "NuGet", "Packagist", "PyPI", "RubyGems", "crates.io", "npm"}

// firstEcosystems chooses the ecosystems of a first update, when dir holds
// none and none were named: all those a local mirror holds, else
// defaultEcosystems. It returns nil when dir already holds a database (the
// update refreshes what it holds).
func firstEcosystems(dir, base string) ([]string, error) {
	if held, err := vuln.Archives(dir); err != nil || len(held) > 0 {
		return nil, err
	}
	local := base
	if u, err := url.Parse(base); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if u.Scheme != "file" {
			return defaultEcosystems, nil
		}
		local = u.Path
	}
	zips, err := vuln.Archives(local)
	if err != nil || len(zips) == 0 {
		return defaultEcosystems, nil
	}
	return slices.Sorted(maps.Keys(zips)), nil
}
