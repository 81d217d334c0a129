package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
	"github.com/fnaudit/fnaudit/store/storetest"
)

// Shape of the benchmark's store: 200 applications of 50 functions.
const (
	benchApps         = 200
	benchFunctionsPer = 50
)

// BenchmarkRescan10k rescans (and records) 10,000 stored function SBOMs,
// made from the corpus functions' own documents under new names, against
// the full database: the target is 5 s on 2 cores with SQLite. PostgreSQL
// runs too when FNAUDIT_TEST_POSTGRES names a server.
//
//	go test -run '^$' -bench Rescan10k -benchtime 3x ./audit
func BenchmarkRescan10k(b *testing.B) {
	corpus := sharedtest.Dir(b, "corpus")
	full := sharedtest.Dir(b, "osvdb")
	apps := syntheticApps(b, corpus, full)
	dsns := map[string]string{"sqlite": filepath.Join(b.TempDir(), "bench.db")}
	if pg := os.Getenv("FNAUDIT_TEST_POSTGRES"); pg != "" {
		dsns["postgres"] = storetest.FreshPostgres(b, pg)
	}
	for _, name := range []string{"sqlite", "postgres"} {
		dsn, ok := dsns[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			st, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			fillStore(b, st, apps)
			cfg := DefaultRescanConfig()
			cfg.DBDir = full
			b.ResetTimer()
			for b.Loop() {
				res, err := Rescan(context.Background(), cfg, st)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := RecordRescan(context.Background(), st, res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchApps*benchFunctionsPer)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
		})
	}
}

// syntheticApps scans the corpus once and builds benchApps applications of
// benchFunctionsPer functions each, copies of the corpus functions (their
// packages, artifacts and layer digests) under new names.
func syntheticApps(b *testing.B, corpus, db string) []*reports.Report {
	cfg := DefaultConfig()
	cfg.DBDir = db
	var fns []reports.Function
	for _, app := range corpusApps {
		r, err := Run(context.Background(), cfg, filepath.Join(corpus, app))
		if err != nil {
			b.Fatal(err)
		}
		fns = append(fns, r.Functions...)
	}
	out := make([]*reports.Report, benchApps)
	for a := range out {
		r := &reports.Report{Schema: reports.SchemaV1, Tool: reports.Tool{Name: "fnaudit", Version: "bench"},
			Application: reports.Application{Name: fmt.Sprintf("app-%03d", a), Kind: "serverless", Manifest: "serverless.yml"}}
		for f := range benchFunctionsPer {
			fn := fns[(a*benchFunctionsPer+f)%len(fns)]
			fn.Name = fmt.Sprintf("fn-%03d-%s", f, fn.Name)
			r.Functions = append(r.Functions, fn)
		}
		reports.Assess(r, reports.Policy{FailOn: reports.LevelHigh})
		out[a] = r
	}
	return out
}

// fillStore records every synthetic application as a scan.
func fillStore(b *testing.B, st store.Store, apps []*reports.Report) {
	start := time.Now()
	for _, r := range apps {
		if _, err := RecordScan(context.Background(), st, r, map[string]string{"env": "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("stored %d function SBOMs in %s", benchApps*benchFunctionsPer, time.Since(start).Round(time.Millisecond))
}
