package server

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/fnaudit/fnaudit/reports"
	"github.com/fnaudit/fnaudit/store"
)

// reportCache keeps the reports of recently shown entries. An entry never
// changes once saved, so a cached report is never stale; the reports it
// returns are shared and must not be modified.
type reportCache struct {
	st  store.Store
	max int

	mu    sync.Mutex // guards order and byID
	order *list.List // of int64 entry IDs, most recently used first
	byID  map[int64]cached
}

type cached struct {
	r    *reports.Report
	elem *list.Element
}

func newReportCache(st store.Store, max int) *reportCache {
	return &reportCache{st: st, max: max, order: list.New(), byID: map[int64]cached{}}
}

// get returns the report of entry id, from the store on a miss.
func (c *reportCache) get(ctx context.Context, id int64) (*reports.Report, error) {
	c.mu.Lock()
	if hit, ok := c.byID[id]; ok {
		c.order.MoveToFront(hit.elem)
		c.mu.Unlock()
		return hit.r, nil
	}
	c.mu.Unlock()
	r, err := c.st.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	r.Normalize()
	c.mu.Lock()
	defer c.mu.Unlock()
	if hit, ok := c.byID[id]; ok { // loaded meanwhile by another request
		return hit.r, nil
	}
	c.byID[id] = cached{r: r, elem: c.order.PushFront(id)}
	for c.order.Len() > c.max {
		old := c.order.Remove(c.order.Back()).(int64)
		delete(c.byID, old)
	}
	return r, nil
}

// loaded is an entry with its report.
type loaded struct {
	Entry  store.Entry
	Report *reports.Report
}

// history returns the entries of application app, oldest first; an
// application the store does not know is a 404.
func (s *Server) history(ctx context.Context, app string) ([]store.Entry, error) {
	if err := checkName("application", app); err != nil {
		return nil, err
	}
	entries, err := s.cfg.Store.Entries(ctx, store.Query{Application: app})
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errNotFound("no application called " + clip(app))
	}
	return entries, nil
}

// appEntry is the entry of application app a request asks for: the one
// its ?scan= names (which must be app's), else the newest one. It also
// returns app's whole history.
func (s *Server) appEntry(ctx context.Context, app string, r *http.Request) (loaded, []store.Entry, error) {
	entries, err := s.history(ctx, app)
	if err != nil {
		return loaded{}, nil, err
	}
	e := entries[len(entries)-1]
	if scan := r.URL.Query().Get("scan"); scan != "" {
		id, err := parseID(scan)
		if err != nil {
			return loaded{}, nil, err
		}
		i := indexOfEntry(entries, id)
		if i < 0 {
			return loaded{}, nil, errNotFound(fmt.Sprintf("application %s has no scan %d", clip(app), id))
		}
		e = entries[i]
	}
	rep, err := s.reports.get(ctx, e.ID)
	if err != nil {
		return loaded{}, nil, err
	}
	return loaded{Entry: e, Report: rep}, entries, nil
}

// entryByID loads entry id, whatever its application.
func (s *Server) entryByID(ctx context.Context, raw string) (loaded, error) {
	id, err := parseID(raw)
	if err != nil {
		return loaded{}, err
	}
	rep, err := s.reports.get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return loaded{}, errNotFound(fmt.Sprintf("no scan %d", id))
	}
	if err != nil {
		return loaded{}, err
	}
	entries, err := s.cfg.Store.Entries(ctx, store.Query{Application: rep.Application.Name})
	if err != nil {
		return loaded{}, err
	}
	i := indexOfEntry(entries, id)
	if i < 0 {
		return loaded{}, errNotFound(fmt.Sprintf("no scan %d", id))
	}
	return loaded{Entry: entries[i], Report: rep}, nil
}

func indexOfEntry(entries []store.Entry, id int64) int {
	for i, e := range entries {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// functionEntry loads the entry a function request names ({app}, ?scan=)
// and its function ({function}).
func (s *Server) functionEntry(r *http.Request) (loaded, *reports.Function, error) {
	l, _, err := s.appEntry(r.Context(), r.PathValue("app"), r)
	if err != nil {
		return l, nil, err
	}
	fn, err := function(l, r.PathValue("function"))
	return l, fn, err
}

// function finds the function called name in l's report.
func function(l loaded, name string) (*reports.Function, error) {
	if err := checkName("function", name); err != nil {
		return nil, err
	}
	for i := range l.Report.Functions {
		if l.Report.Functions[i].Name == name {
			return &l.Report.Functions[i], nil
		}
	}
	return nil, errNotFound(fmt.Sprintf("application %s has no function %s in scan %d",
		clip(l.Report.Application.Name), clip(name), l.Entry.ID))
}

// latestAll loads the newest entry of every application (or of app only
// when it is not ""), by application name.
func (s *Server) latestAll(ctx context.Context, app string) ([]loaded, error) {
	if app != "" {
		if err := checkName("application", app); err != nil {
			return nil, err
		}
	}
	entries, err := s.cfg.Store.Latest(ctx, store.Query{Application: app})
	if err != nil {
		return nil, err
	}
	out := make([]loaded, 0, len(entries))
	for _, e := range entries {
		rep, err := s.reports.get(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, loaded{Entry: e, Report: rep})
	}
	return out, nil
}
