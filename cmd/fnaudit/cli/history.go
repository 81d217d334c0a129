package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// HistorySchema identifies the JSON of `fnaudit history`.
const HistorySchema = "fnaudit/history/v1"

func historyCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "history",
		Usage: "list recorded scans and rescans with their findings by risk",
		Description: "Lists the entries of the store, oldest first: each scan and rescan with its application, " +
			"labels, functions, findings by risk, what a rescan found new and fixed, and its gate exit code.",
		Flags: []ucli.Flag{
			storeFlag("the store to read"),
			&ucli.StringFlag{Name: "app", Usage: "only the application called `NAME`"},
			labelFlag("only entries with this label"),
			&ucli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "`table` or json"},
		},
		Action: func(c *ucli.Context) error { return runHistory(c, e) },
	}
}

func runHistory(c *ucli.Context, e *env) error {
	format := c.String("format")
	if format != "table" && format != "json" {
		return usageError(fmt.Errorf("--format %q: history writes table or json", format))
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return usageError(err)
	}
	st, err := openStore(c.Context, e, c.String("store"), true)
	if err != nil {
		return usageError(err)
	}
	defer st.Close()
	entries, err := st.Entries(c.Context, store.Query{Application: c.String("app"), Labels: labels})
	if err != nil {
		return usageError(err)
	}
	if format == "json" {
		return writeHistoryJSON(e.stdout, entries)
	}
	return writeHistoryTable(e.stdout, entries)
}

// historyEntry is one entry in the history JSON.
type historyEntry struct {
	ID          int64                 `json:"id"`
	Application string                `json:"application"`
	Kind        store.Kind            `json:"kind"`
	Base        int64                 `json:"base,omitempty"`
	RecordedAt  time.Time             `json:"recorded_at"`
	ToolVersion string                `json:"tool_version"`
	Labels      map[string]string     `json:"labels"`
	Functions   int                   `json:"functions"`
	Incomplete  int                   `json:"incomplete"`
	Findings    int                   `json:"findings"`
	ByRisk      map[reports.Level]int `json:"by_risk"`
	Changes     *reports.Changes      `json:"changes,omitempty"`
	ExitCode    int                   `json:"exit_code"`
}

func writeHistoryJSON(w io.Writer, entries []store.Entry) error {
	out := struct {
		Schema  string         `json:"schema"`
		Entries []historyEntry `json:"entries"`
	}{Schema: HistorySchema, Entries: []historyEntry{}}
	for _, en := range entries {
		h := historyEntry{ID: en.ID, Application: en.Application, Kind: en.Kind, Base: en.Base,
			RecordedAt: en.RecordedAt, ToolVersion: en.ToolVersion, Labels: en.Labels,
			Functions: en.Counts.Functions, Incomplete: en.Counts.Incomplete, Findings: en.Counts.Findings,
			ByRisk: en.Counts.ByRisk, ExitCode: en.Counts.ExitCode}
		if en.Kind == store.KindRescan {
			h.Changes = &reports.Changes{New: en.Counts.New, Unchanged: en.Counts.Unchanged, Fixed: en.Counts.Fixed}
		}
		out.Entries = append(out.Entries, h)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeHistoryTable(w io.Writer, entries []store.Entry) error {
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "no entries recorded")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECORDED (UTC)\tAPPLICATION\tKIND\tFUNCTIONS\tFINDINGS\tCRITICAL\tHIGH\tMEDIUM\tLOW\tNEW\tFIXED\tEXIT\tLABELS")
	for _, en := range entries {
		kind, newCol, fixedCol := string(en.Kind), "-", "-"
		if en.Kind == store.KindRescan {
			kind = fmt.Sprintf("rescan of %d", en.Base)
			newCol, fixedCol = strconv.Itoa(en.Counts.New), strconv.Itoa(en.Counts.Fixed)
		}
		funcs := strconv.Itoa(en.Counts.Functions)
		if en.Counts.Incomplete > 0 {
			funcs += fmt.Sprintf(" (%d incomplete)", en.Counts.Incomplete)
		}
		r := en.Counts.ByRisk
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%s\n", en.ID,
			en.RecordedAt.UTC().Format("2006-01-02 15:04:05"), en.Application, kind, funcs, en.Counts.Findings,
			r[reports.LevelCritical], r[reports.LevelHigh], r[reports.LevelMedium], r[reports.LevelLow],
			newCol, fixedCol, en.Counts.ExitCode, strings.TrimSuffix(strings.TrimPrefix(labelText(en.Labels), " ("), ")"))
	}
	return tw.Flush()
}
