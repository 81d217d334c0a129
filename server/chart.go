package server

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// The history chart: one stacked bar per entry (scan or rescan) of an
// application, its findings by risk, drawn server-side as inline SVG (no
// script, nothing loaded). Each bar links to its entry; a table holds the
// same numbers for screen readers and copying.

// maxBars bounds the entries drawn: the newest ones.
const maxBars = 60

// Geometry of the chart, in SVG user units.
const (
	chartWidth, chartHeight = 760.0, 230.0
	plotLeft, plotRight     = 44.0, 750.0
	plotTop, plotBottom     = 12.0, 196.0
)

// chartLevels are stacked from the bottom up.
var chartLevels = []reports.Level{reports.LevelCritical, reports.LevelHigh, reports.LevelMedium, reports.LevelLow}

type chart struct {
	Empty         bool
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	Bars          []chartBar
	YTicks        []chartTick
	XLabels       []chartTick
	Label         string
	Omitted       int // older entries not drawn
	Levels        []reports.Level
}

type chartBar struct {
	X, W float64
	// HitHeight is the height of the bar's clickable area; MarkX the middle
	// of the bar, where the current entry's marker points.
	HitHeight, MarkX float64
	Segments         []chartSegment
	Title            string
	URL              string
	Current          bool
	Entry            store.Entry
}

type chartSegment struct {
	X, Y, W, H float64
	Level      reports.Level
}

type chartTick struct {
	Pos   float64
	Label string
	at    time.Time
}

// historyChart draws entries (oldest first), marking current.
func historyChart(entries []store.Entry, current int64) chart {
	c := chart{Width: chartWidth, Height: chartHeight, Left: plotLeft, Right: plotRight, Top: plotTop,
		Bottom: plotBottom, Levels: chartLevels}
	if len(entries) == 0 {
		c.Empty = true
		return c
	}
	if len(entries) > maxBars {
		c.Omitted = len(entries) - maxBars
		entries = entries[len(entries)-maxBars:]
	}
	top := niceCeil(maxTotal(entries))
	slot := (plotRight - plotLeft) / float64(len(entries))
	width := math.Min(slot*0.7, 40)
	for i, e := range entries {
		c.Bars = append(c.Bars, bar(e, plotLeft+slot*float64(i)+(slot-width)/2, width, top, e.ID == current))
	}
	for _, v := range []int{0, top / 2, top} {
		c.YTicks = append(c.YTicks, chartTick{Pos: yOf(v, top), Label: fmt.Sprint(v)})
	}
	c.XLabels = xLabels(c.Bars)
	last := entries[len(entries)-1]
	c.Label = fmt.Sprintf("Findings by risk in %d scans and rescans of %s, the newest (%s) with %d findings",
		len(entries), last.Application, last.RecordedAt.UTC().Format("2006-01-02"), last.Counts.Findings)
	return c
}

func bar(e store.Entry, x, w float64, top int, current bool) chartBar {
	b := chartBar{X: round1(x), W: round1(w), HitHeight: plotBottom - plotTop, MarkX: round1(x + w/2),
		URL: appURL(e.Application, e.ID), Current: current, Entry: e}
	base := 0
	var parts []string
	for _, l := range chartLevels {
		n := e.Counts.ByRisk[l]
		parts = append(parts, fmt.Sprintf("%d %s", n, l))
		if n == 0 {
			continue
		}
		y0, y1 := yOf(base, top), yOf(base+n, top)
		b.Segments = append(b.Segments, chartSegment{X: b.X, Y: y1, W: b.W, H: round1(y0 - y1), Level: l})
		base += n
	}
	b.Title = fmt.Sprintf("%s %d, %s: %s", e.Kind, e.ID, e.RecordedAt.UTC().Format("2006-01-02 15:04"), strings.Join(parts, ", "))
	return b
}

// xLabels labels at most five bars, evenly spread, first and last included.
func xLabels(bars []chartBar) []chartTick {
	n := len(bars)
	step := max(1, int(math.Ceil(float64(n-1)/4)))
	var out []chartTick
	for i := 0; i < n; i += step {
		if n-1-i < step/2 && i != n-1 && i != 0 {
			continue // too close to the last label
		}
		out = append(out, tickOf(bars[i]))
	}
	if len(out) == 0 || out[len(out)-1].Pos != round1(bars[n-1].X+bars[n-1].W/2) {
		out = append(out, tickOf(bars[n-1]))
	}
	// Scans of one day are told apart by their time.
	for i := 1; i < len(out); i++ {
		if out[i].Label == out[i-1].Label {
			for j := range out {
				out[j].Label = out[j].at.Format("Jan 2 15:04")
			}
			break
		}
	}
	return out
}

func tickOf(b chartBar) chartTick {
	at := b.Entry.RecordedAt.UTC()
	return chartTick{Pos: round1(b.X + b.W/2), Label: at.Format("Jan 2"), at: at}
}

func maxTotal(entries []store.Entry) int {
	m := 0
	for _, e := range entries {
		t := 0
		for _, l := range chartLevels {
			t += e.Counts.ByRisk[l]
		}
		m = max(m, t)
	}
	return m
}

// niceCeil rounds n up to an even number with one or two significant
// digits (so that the middle tick is a whole number), at least 2.
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	step := int(math.Pow(10, math.Floor(math.Log10(float64(n))))) / 5
	step = max(step, 2)
	return (n + step - 1) / step * step
}

func yOf(v, top int) float64 {
	return round1(plotBottom - (plotBottom-plotTop)*float64(v)/float64(top))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
