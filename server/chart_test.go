package server

import (
	"slices"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// TestChartLabels: the x axis names each labelled bar by its day, and by
// its time as well when two labelled scans share a day; bars are as tall
// as their findings.
func TestChartLabels(t *testing.T) {
	day := time.Date(2026, 8, 1, 6, 0, 0, 0, time.UTC)
	entry := func(id int64, at time.Time, critical int) store.Entry {
		return store.Entry{ID: id, Application: "orders-api", Kind: store.KindScan, RecordedAt: at,
			Counts: store.Counts{Findings: critical, ByRisk: map[reports.Level]int{reports.LevelCritical: critical}}}
	}
	labels := func(c chart) []string {
		var out []string
		for _, l := range c.XLabels {
			out = append(out, l.Label)
		}
		return out
	}
	c := historyChart([]store.Entry{entry(1, day, 2), entry(2, day.Add(48*time.Hour), 4)}, 2)
	if got, want := labels(c), []string{"Aug 1", "Aug 3"}; !slices.Equal(got, want) {
		t.Errorf("labels of scans on two days: %q, want %q", got, want)
	}
	if !c.Bars[1].Current || c.Bars[0].Current {
		t.Error("the current entry's bar is not the one marked")
	}
	if h0, h1 := c.Bars[0].Segments[0].H, c.Bars[1].Segments[0].H; h1 <= h0 {
		t.Errorf("4 findings drawn %v high, 2 findings %v", h1, h0)
	}
	c = historyChart([]store.Entry{entry(1, day, 2), entry(2, day.Add(90*time.Minute), 3)}, 2)
	if got, want := labels(c), []string{"Aug 1 06:00", "Aug 1 07:30"}; !slices.Equal(got, want) {
		t.Errorf("labels of scans on one day: %q, want %q", got, want)
	}
}
