package audit

import (
	"maps"
	"slices"

	"github.com/fnaudit/fnaudit/vuln"
)

func warningStrings(ws []vuln.Warning) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.String())
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}
