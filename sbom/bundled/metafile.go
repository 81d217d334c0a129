package bundled

import (
	"errors"
	"regexp"
	"slices"
	"strings"
)

// metafile is the part of an esbuild metafile (`--metafile`,
// https://esbuild.github.io/api/#metafile) fnaudit reads.
type metafile struct {
	Inputs  map[string]struct{} `json:"inputs"`
	Outputs map[string]struct {
		Inputs map[string]struct {
			BytesInOutput int64 `json:"bytesInOutput"`
		} `json:"inputs"`
	} `json:"outputs"`
}

// buildRecord is what a metafile or a stats file says about a build: the
// files bundled and the outputs written.
type buildRecord struct {
	inputs  []string // sorted, distinct
	outputs []string // sorted, as the build named them
}

var errNotMetafile = errors.New("not an esbuild metafile (no inputs or outputs)")

// parseMetafile lists the inputs esbuild wrote into its outputs. Inputs
// tree-shaken to nothing (bytesInOutput 0) did not ship and are left out;
// a metafile without outputs lists every input.
func parseMetafile(data []byte) (buildRecord, error) {
	var m metafile
	if err := decodeBounded(data, maxDepthMap, &m); err != nil {
		return buildRecord{}, err
	}
	if m.Inputs == nil && m.Outputs == nil {
		return buildRecord{}, errNotMetafile
	}
	in := map[string]bool{}
	var rec buildRecord
	for out, o := range m.Outputs {
		rec.outputs = append(rec.outputs, out)
		for p, i := range o.Inputs {
			if i.BytesInOutput > 0 {
				in[p] = true
			}
		}
	}
	if len(m.Outputs) == 0 {
		for p := range m.Inputs {
			in[p] = true
		}
	}
	for p := range in {
		if !strings.HasPrefix(p, "(disabled):") {
			rec.inputs = append(rec.inputs, p)
		}
	}
	slices.Sort(rec.inputs)
	slices.Sort(rec.outputs)
	return rec, nil
}

// statsModule is a module of webpack's stats (`webpack --json`,
// https://webpack.js.org/api/stats/): a concatenated module lists the
// modules it holds.
type statsModule struct {
	Name    string        `json:"name"`
	Orphan  bool          `json:"orphan"`
	Modules []statsModule `json:"modules"`
}

// stats is the part of webpack's stats fnaudit reads. A multi-compiler
// build nests one stats object per compiler in children.
type stats struct {
	Modules []statsModule `json:"modules"`
	Chunks  []struct {
		Modules []statsModule `json:"modules"`
	} `json:"chunks"`
	Assets []struct {
		Name string `json:"name"`
	} `json:"assets"`
	Children []stats `json:"children"`
}

var errNotStats = errors.New("not webpack stats (no modules)")

// concatenated matches the suffix webpack gives a concatenated module's
// name ("./node_modules/x/index.js + 4 modules").
var concatenated = regexp.MustCompile(` \+ \d+ modules?$`)

// parseStats lists the modules webpack emitted (orphans were not emitted)
// and its assets.
func parseStats(data []byte) (buildRecord, error) {
	var s stats
	if err := decodeBounded(data, maxDepthMap, &s); err != nil {
		return buildRecord{}, err
	}
	in, out := map[string]bool{}, map[string]bool{}
	s.collect(in, out, 0)
	if len(in) == 0 && len(out) == 0 {
		return buildRecord{}, errNotStats
	}
	var rec buildRecord
	for p := range in {
		rec.inputs = append(rec.inputs, p)
	}
	for p := range out {
		rec.outputs = append(rec.outputs, p)
	}
	slices.Sort(rec.inputs)
	slices.Sort(rec.outputs)
	return rec, nil
}

func (s *stats) collect(in, out map[string]bool, depth int) {
	addModules(s.Modules, in, 0)
	for _, c := range s.Chunks {
		addModules(c.Modules, in, 0)
	}
	for _, a := range s.Assets {
		if a.Name != "" {
			out[a.Name] = true
		}
	}
	if depth < 4 {
		for i := range s.Children {
			s.Children[i].collect(in, out, depth+1)
		}
	}
}

func addModules(ms []statsModule, in map[string]bool, depth int) {
	for _, m := range ms {
		if m.Orphan && depth == 0 {
			continue // concatenated into another module: listed there
		}
		if name := concatenated.ReplaceAllString(m.Name, ""); name != "" {
			in[name] = true
		}
		if depth < 8 {
			addModules(m.Modules, in, depth+1)
		}
	}
}
