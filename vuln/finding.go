package vuln

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/sbom"
)

// Finding is one advisory (a group of OSV records that alias each other)
// affecting one package occurrence.
type Finding struct {
	// ID is the advisory's primary ID: a GHSA ID of the group's records if
	// there is one, else the smallest record ID.
	ID string `json:"id"`
	// Aliases are the group's other record IDs and aliases, sorted.
	Aliases []string `json:"aliases"`
	// Ecosystem, Package and Version identify the affected package.
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	Version   string `json:"version"`
	// Artifact and Location say where the package was found.
	Artifact string `json:"artifact"`
	Location string `json:"location,omitempty"`
	// Summary is the primary record's summary (else the start of its details).
	Summary string `json:"summary"`
	// Severity is the highest of the group's records.
	Severity Severity `json:"severity"`
	// CVSS is the base score behind Severity (0 when it came from no vector).
	CVSS float64 `json:"cvss"`
	// CVSSVector is the vector CVSS was computed from.
	CVSSVector string `json:"cvss_vector,omitempty"`
	// Fixed are the versions that fix the package, in the ecosystem's order.
	Fixed []string `json:"fixed"`
	// Published and Modified are the primary record's (zero when the source
	// gives a placeholder).
	Published time.Time `json:"published,omitzero"`
	Modified  time.Time `json:"modified,omitzero"`
	// References are the primary record's reference URLs.
	References []string `json:"references,omitempty"`
}

// Compare orders findings by ecosystem, package, version, artifact, location
// and ID: the order Match returns.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Ecosystem, b.Ecosystem),
		cmp.Compare(a.Package, b.Package),
		cmp.Compare(a.Version, b.Version),
		cmp.Compare(a.Artifact, b.Artifact),
		cmp.Compare(a.Location, b.Location),
		cmp.Compare(a.ID, b.ID),
	)
}

// Warning is a condition that left part of the input unchecked or part of
// the database unused; matching went on.
type Warning struct {
	// Ecosystem is the ecosystem concerned, if any.
	Ecosystem string `json:"ecosystem,omitempty"`
	// Message says what happened, naming the file or package.
	Message string `json:"message"`
}

// String returns the message.
func (w Warning) String() string { return w.Message }

// hit is a record that affects a package, with the affected entries that
// matched and their fixed versions.
type hit struct {
	rec      *osvpb.Vulnerability
	affected []*osvpb.Affected
	fixed    []string
}

// advisory is a merged group of hits, ready to become findings.
type advisory struct {
	id         string
	aliases    []string
	summary    string
	rating     rating
	fixed      []string
	published  time.Time
	modified   time.Time
	references []string
}

// mergeHits groups hits whose IDs and aliases intersect, transitively, and
// merges each group into an advisory. hits must be sorted by record ID; the
// groups keep that order.
func mergeHits(eco string, hits []hit) []advisory {
	groups := aliasGroups(hits)
	out := make([]advisory, 0, len(groups))
	for _, g := range groups {
		out = append(out, mergeGroup(eco, g))
	}
	return out
}

// aliasGroups partitions hits with a union-find over their IDs and aliases.
func aliasGroups(hits []hit) [][]hit {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, h := range hits {
		for _, id := range recordIDs(h.rec) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	var groups [][]hit
	index := map[int]int{} // root to position in groups
	for i, h := range hits {
		r := find(i)
		pos, ok := index[r]
		if !ok {
			pos = len(groups)
			index[r] = pos
			groups = append(groups, nil)
		}
		groups[pos] = append(groups[pos], h)
	}
	return groups
}

// recordIDs returns a record's ID and aliases.
func recordIDs(v *osvpb.Vulnerability) []string {
	return append([]string{v.GetId()}, v.GetAliases()...)
}

// mergeGroup merges one group of hits (sorted by record ID).
func mergeGroup(eco string, g []hit) advisory {
	primary := g[0]
	for _, h := range g {
		if strings.HasPrefix(h.rec.GetId(), "GHSA-") {
			primary = h
			break
		}
	}
	a := advisory{
		id:         primary.rec.GetId(),
		summary:    summaryOf(primary.rec),
		published:  realTime(primary.rec.GetPublished().AsTime()),
		modified:   realTime(primary.rec.GetModified().AsTime()),
		references: referenceURLs(primary.rec),
		rating:     rateRecord(primary.rec, primary.affected),
	}
	ids := map[string]bool{}
	var fixed []string
	for _, h := range g {
		for _, id := range recordIDs(h.rec) {
			ids[id] = true
		}
		if r := rateRecord(h.rec, h.affected); r.severity.Rank() > a.rating.severity.Rank() {
			a.rating = r
		}
		if a.summary == "" {
			a.summary = summaryOf(h.rec)
		}
		fixed = append(fixed, h.fixed...)
	}
	delete(ids, a.id)
	a.aliases = sortedKeys(ids)
	a.fixed = sortVersions(eco, fixed)
	return a
}

// summaryOf returns a record's summary, else the first line of its details
// cut to 200 characters.
func summaryOf(v *osvpb.Vulnerability) string {
	if s := strings.TrimSpace(v.GetSummary()); s != "" {
		return s
	}
	d, _, _ := strings.Cut(strings.TrimSpace(v.GetDetails()), "\n")
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > 200 {
		d = string([]rune(d)[:199]) + "…"
	}
	return d
}

// realTime returns t, or the zero time for placeholders such as
// 0001-01-01 (golang/vulndb) and the Unix epoch of an unset timestamp.
func realTime(t time.Time) time.Time {
	if t.Year() <= 1970 {
		return time.Time{}
	}
	return t.UTC()
}

// referenceURLs returns a record's reference URLs, without duplicates.
func referenceURLs(v *osvpb.Vulnerability) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range v.GetReferences() {
		if u := r.GetUrl(); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// sortedKeys returns the keys of m, sorted, never nil.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// findings turns the advisories of one package into findings for each of
// its occurrences.
func findings(occ []sbom.Package, advs []advisory) []Finding {
	var out []Finding
	for _, p := range occ {
		for _, a := range advs {
			out = append(out, Finding{
				ID: a.id, Aliases: slices.Clone(a.aliases),
				Ecosystem: p.Ecosystem, Package: p.Name, Version: p.Version,
				Artifact: p.Artifact, Location: p.Location,
				Summary: a.summary, Severity: a.rating.severity,
				CVSS: a.rating.score, CVSSVector: a.rating.vector,
				Fixed:     slices.Clone(a.fixed),
				Published: a.published, Modified: a.modified,
				References: slices.Clone(a.references),
			})
		}
	}
	return out
}
