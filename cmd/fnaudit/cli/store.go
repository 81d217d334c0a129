package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/fnaudit/fnaudit/audit"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

func storeFlag(usage string) ucli.Flag {
	return &ucli.StringFlag{Name: "store", Usage: usage + " (`DSN`: a SQLite file such as fnaudit.db or sqlite://PATH, or postgres://user@host/db; docs/store.md)"}
}

func labelFlag(usage string) ucli.Flag {
	return &ucli.StringSliceFlag{Name: "label", Usage: usage + " (`KEY=VALUE`, repeatable: --label env=prod --label commit=abc)"}
}

// parseLabels reads --label KEY=VALUE values.
func parseLabels(specs []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--label %q: write KEY=VALUE", s)
		}
		if old, dup := labels[k]; dup && old != v {
			return nil, fmt.Errorf("--label %s given twice (%q and %q)", k, old, v)
		}
		labels[k] = v
	}
	return labels, nil
}

// openStore opens the store of DSN dsn with the command's clock. With
// mustExist, a SQLite file that does not exist is an error rather than a
// new empty store (rescan and history read history; they create none).
func openStore(ctx context.Context, e *env, dsn string, mustExist bool) (store.Store, error) {
	if dsn == "" {
		return nil, errors.New("--store DSN is required: the SQLite file or postgres:// URL `fnaudit scan --store` recorded to")
	}
	if mustExist && (strings.HasPrefix(dsn, "sqlite://") || !strings.Contains(dsn, "://")) {
		path := strings.TrimPrefix(dsn, "sqlite://")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("--store %s: %w: record scans there first with `fnaudit scan --store %s`", path, err, dsn)
		}
	}
	st, err := store.Open(ctx, dsn, store.Options{Now: e.now})
	if err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	return st, nil
}

// scanStore is what --store and --label give a scan.
type scanStore struct {
	st     store.Store // nil without --store
	labels map[string]string
}

// openScanStore opens --store for a scan (nil when not given), so that a
// wrong DSN fails before anything is audited.
func openScanStore(c *ucli.Context, e *env) (*scanStore, error) {
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return nil, err
	}
	dsn := c.String("store")
	if dsn == "" {
		if len(labels) > 0 && c.String("push") == "" {
			return nil, errors.New("--label needs --store or --push: labels are recorded with the scan in a store")
		}
		return &scanStore{}, nil
	}
	st, err := openStore(c.Context, e, dsn, false)
	if err != nil {
		return nil, err
	}
	return &scanStore{st: st, labels: labels}, nil
}

// close closes the store, if any.
func (s *scanStore) close() {
	if s.st != nil {
		s.st.Close()
	}
}

// attribute sets the report's layer fixes: within the application, and
// across the store's other applications when there is one.
func (s *scanStore) attribute(ctx context.Context, r *reports.Report) error {
	if err := audit.AttributeScanLayers(ctx, s.st, r); err != nil {
		return fmt.Errorf("attributing layer fixes: %w", err)
	}
	return nil
}

// record saves the scan, after its outputs were written. A failure is an
// error (exit 2, whatever the gate said): a scan whose history was not
// recorded must not look like a success.
func (s *scanStore) record(ctx context.Context, e *env, r *reports.Report, quiet bool) error {
	if s.st == nil {
		return nil
	}
	entry, err := audit.RecordScan(ctx, s.st, r, s.labels)
	if err != nil {
		return &exitError{code: reports.ExitUsage, err: fmt.Errorf("the outputs were written but the scan was not recorded: %w", err)}
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "fnaudit: recorded scan %d of %s%s\n", entry.ID, entry.Application, labelText(entry.Labels))
	}
	return nil
}

// labelText writes labels as " (k=v, ...)", or "" for none.
func labelText(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
