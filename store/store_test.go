package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnaudit/fnaudit/reports"
)

// TestRoundTrip saves a scan and reads every part of it back.
func TestRoundTrip(t *testing.T) {
	for _, b := range backends(t) {
		// 3 functions fit one batch of rows; 150 (300 artifacts, 300
		// findings, one function with 250 more) take full batches and
		// partial ones.
		for _, n := range []int{3, 150} {
			t.Run(fmt.Sprintf("%s/%d", b.name, n), func(t *testing.T) { roundTrip(t, b, n) })
		}
	}
}

func roundTrip(t *testing.T, b backend, n int) {
	s := open(t, b.dsn(t))
	ctx := context.Background()
	r := sampleReport("orders-api", n)
	if n > batchRows {
		fn := &r.Functions[n/2]
		for i := range 250 {
			f := fn.Findings[i%2]
			f.ID = fmt.Sprintf("GHSA-%04d-bbbb-cccc", i)
			fn.Findings = append(fn.Findings, f)
		}
		reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
	}
	e := saveScan(t, s, r, map[string]string{"env": "prod", "commit": "abc"})

	got, err := s.Report(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("stored report (-saved +read):\n%s", diff)
	}
	fns, err := s.Functions(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	docs := documents(r)
	for i, fn := range fns {
		want := r.Functions[i]
		want.Packages = nil
		want.Findings = summaries(want.Findings)
		if diff := cmp.Diff(want, fn.Function); diff != "" {
			t.Errorf("function %s (-saved +read):\n%s", want.Name, diff)
		}
		if string(fn.SBOM) != string(docs[i].JSON) {
			t.Errorf("function %s: SBOM %s, want %s", want.Name, fn.SBOM, docs[i].JSON)
		}
	}
	if _, err := s.Report(ctx, e.ID+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Report of a missing entry: %v, want ErrNotFound", err)
	}
}

// TestLatestAndHistory checks entries, the newest per application and the
// label filter.
func TestLatestAndHistory(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := open(t, b.dsn(t))
			ctx := context.Background()
			prod1 := saveScan(t, s, sampleReport("orders-api", 2), map[string]string{"env": "prod"})
			staging := saveScan(t, s, sampleReport("orders-api", 1), map[string]string{"env": "staging"})
			media := saveScan(t, s, sampleReport("media", 1), map[string]string{"env": "prod"})
			rescan := sampleReport("orders-api", 2)
			rescan.Summary.Changes = &reports.Changes{New: 1, Unchanged: 3}
			re, err := s.Save(ctx, Record{Kind: KindRescan, Base: prod1.ID, Report: rescan,
				Documents: []Document{{SHA256: mustFunctions(t, s, prod1.ID)[0].SBOMDigest}, {SHA256: mustFunctions(t, s, prod1.ID)[1].SBOMDigest}},
				Labels:    map[string]string{"env": "prod"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				q    Query
				want []int64
			}{
				{"all", Query{}, []int64{media.ID, re.ID}},
				{"prod", Query{Labels: map[string]string{"env": "prod"}}, []int64{media.ID, re.ID}},
				{"staging", Query{Labels: map[string]string{"env": "staging"}}, []int64{staging.ID}},
				{"app", Query{Application: "orders-api", Labels: map[string]string{"env": "staging"}}, []int64{staging.ID}},
				{"none", Query{Labels: map[string]string{"env": "dev"}}, nil},
			} {
				latest, err := s.Latest(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(latest)); diff != "" {
					t.Errorf("Latest %s (-want +got):\n%s", tc.name, diff)
				}
			}
			hist, err := s.Entries(ctx, Query{Application: "orders-api"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]int64{prod1.ID, staging.ID, re.ID}, ids(hist)); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			last := hist[2]
			if last.Kind != KindRescan || last.Base != prod1.ID || last.Counts.New != 1 || last.Counts.Unchanged != 3 ||
				last.Labels["env"] != "prod" || last.Counts.Functions != 2 || last.Counts.Findings != 4 {
				t.Errorf("rescan entry %+v", last)
			}
			apps, err := s.Applications(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []Application{{Name: "media", Entries: 1, Latest: media.ID}, {Name: "orders-api", Entries: 3, Latest: re.ID}}
			if diff := cmp.Diff(want, apps); diff != "" {
				t.Errorf("applications (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLayerUses finds the functions of each application's newest entry
// that run a layer digest.
func TestLayerUses(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := open(t, b.dsn(t))
			saveScan(t, s, sampleReport("old", 5), nil)
			saveScan(t, s, sampleReport("a", 2), nil)
			saveScan(t, s, sampleReport("b", 1), nil)
			newer := sampleReport("old", 1)
			newer.Functions[0].Artifacts[1].SHA256 = "other"
			saveScan(t, s, newer, nil)
			uses, err := s.LayerUses(context.Background(), []string{"1a7e5", "nope"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range uses {
				got = append(got, u.Application+"/"+u.Function+"/"+u.Layer)
			}
			want := []string{"a/fn00/commonLibs", "a/fn01/commonLibs", "b/fn00/commonLibs"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("layer uses (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMigrations: opening twice applies nothing twice, concurrent opens of
// a new store all succeed, and a store from a newer fnaudit is refused.
func TestMigrations(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() {
					s, err := Open(ctx, dsn, Options{})
					if err == nil {
						err = s.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("concurrent open: %v", err)
				}
			}
			s := open(t, dsn)
			var n, max int
			if err := s.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM fnaudit_migrations`).Scan(&n, &max); err != nil {
				t.Fatal(err)
			}
			if n != len(migrations) || max != SchemaVersion() {
				t.Errorf("%d migrations recorded up to %d, want %d up to %d", n, max, len(migrations), SchemaVersion())
			}
			if _, err := s.db.Exec(s.q(`INSERT INTO fnaudit_migrations (version, name, applied_at) VALUES (?, ?, ?)`), 999, "future", "x"); err != nil {
				t.Fatal(err)
			}
			_, err := Open(ctx, dsn, Options{})
			if err == nil || !strings.Contains(err.Error(), "newer than this fnaudit") {
				t.Errorf("opening a newer store: %v", err)
			}
		})
	}
}

// TestOpenErrors covers DSNs that cannot work.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for dsn, want := range map[string]string{
		"":                                "no DSN",
		"mysql://x":                       "unknown scheme",
		filepath.Join(t.TempDir(), "a?b"): "without ? or #",
		filepath.Join(t.TempDir(), "missing", "dir", "f.db"):   "opening the store",
		"postgres://u:secret@127.0.0.1:1/db?connect_timeout=2": "xxxxx",
	} {
		_, err := Open(ctx, dsn, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", dsn, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) shows the password: %v", dsn, err)
		}
	}
}

// TestSaveRejects checks that incomplete records are refused whole.
func TestSaveRejects(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "s.db"))
	r := sampleReport("a", 2)
	for name, rec := range map[string]Record{
		"no report":      {Kind: KindScan},
		"kind":           {Kind: "x", Report: r, Documents: documents(r)},
		"rescan no base": {Kind: KindRescan, Report: r, Documents: documents(r)},
		"documents":      {Kind: KindScan, Report: r, Documents: documents(r)[:1]},
		"unknown digest": {Kind: KindRescan, Base: 1, Report: r, Documents: []Document{{SHA256: "x"}, {SHA256: "y"}}},
	} {
		if _, err := s.Save(context.Background(), rec); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	entries, err := s.Entries(context.Background(), Query{})
	if err != nil || len(entries) != 0 {
		t.Errorf("entries after refused saves: %v, %v", entries, err)
	}
}

func ids(es []Entry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func mustFunctions(t *testing.T, s Store, id int64) []Function {
	t.Helper()
	fns, err := s.Functions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return fns
}

// consistent checks every entry of the store is whole: its functions,
// findings and report agree with the counts recorded with it.
func consistent(t *testing.T, s *DB) int {
	t.Helper()
	ctx := context.Background()
	entries, err := s.Entries(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fns, err := s.Functions(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		findings := 0
		for _, fn := range fns {
			findings += len(fn.Findings)
			var doc map[string]any
			if err := json.Unmarshal(fn.SBOM, &doc); err != nil || doc["function"] != fn.Name {
				t.Errorf("entry %d function %s: SBOM %s", e.ID, fn.Name, fn.SBOM)
			}
		}
		r, err := s.Report(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fns) != e.Counts.Functions || findings != e.Counts.Findings || len(r.Functions) != len(fns) {
			t.Errorf("entry %d is torn: %d functions, %d findings, report of %d functions; recorded %d and %d",
				e.ID, len(fns), findings, len(r.Functions), e.Counts.Functions, e.Counts.Findings)
		}
	}
	return len(entries)
}

// summaries are findings as Functions returns them: identity, severity,
// risk, suppression and change.
func summaries(fs []reports.Finding) []reports.Finding {
	out := make([]reports.Finding, len(fs))
	for i, f := range fs {
		out[i].ID, out[i].Aliases, out[i].Ecosystem, out[i].Package, out[i].Version = f.ID, f.Aliases, f.Ecosystem, f.Package, f.Version
		out[i].Artifact, out[i].Location, out[i].Severity = f.Artifact, f.Location, f.Severity
		out[i].Risk, out[i].Suppressed, out[i].Change = f.Risk, f.Suppressed, f.Change
	}
	return out
}
