package sarif

import (
	"cmp"
	"slices"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/fnaudit/fnaudit/reports"
)

// buildInvocation makes the run's one invocation. It is unsuccessful when a
// function could not be audited; each of that function's errors becomes an
// error notification located at the function, and the warnings of the
// manifest loader and of the database become warning notifications. It has
// no start or end time: the log depends only on the report.
func buildInvocation(r *reports.Report) *gosarif.Invocation {
	inv := gosarif.NewInvocation()
	ok := true
	for _, fn := range sortedFunctions(r) {
		if fn.Status != reports.StatusIncomplete {
			continue
		}
		ok = false
		for _, msg := range incompleteMessages(fn) {
			inv.AddToolExecutionNotification(notification(gosarif.LevelError, msg).
				WithLocations([]*gosarif.Location{functionLocation(r, fn, "")}))
		}
	}
	for _, w := range r.Application.Warnings {
		inv.AddToolExecutionNotification(notification(gosarif.LevelWarning, w))
	}
	for _, w := range r.Database.Warnings {
		inv.AddToolExecutionNotification(notification(gosarif.LevelWarning, w))
	}
	return inv.WithExecutionSuccessful(ok)
}

// incompleteMessages says why a function could not be audited, one message
// per error (one in any case).
func incompleteMessages(fn *reports.Function) []string {
	prefix := "function " + fn.Name + " could not be audited"
	if len(fn.Errors) == 0 {
		return []string{prefix + "."}
	}
	out := make([]string, len(fn.Errors))
	for i, e := range fn.Errors {
		out[i] = prefix + ": " + e
	}
	return out
}

// notification is a tool execution notification with a text message.
func notification(level, text string) *gosarif.Notification {
	return gosarif.NewNotification().WithLevel(level).WithMessage(gosarif.NewTextMessage(text))
}

// sortedFunctions returns the report's functions by name, without
// reordering the report.
func sortedFunctions(r *reports.Report) []*reports.Function {
	out := make([]*reports.Function, len(r.Functions))
	for i := range r.Functions {
		out[i] = &r.Functions[i]
	}
	slices.SortStableFunc(out, func(a, b *reports.Function) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
