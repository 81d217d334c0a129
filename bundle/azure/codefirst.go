package azure

import (
	"context"
	"fmt"
	"strings"
)

// Bounds on the code-first scan.
const (
	maxSourceBytes = 4 << 20
	maxSourceFiles = 500
	maxMissNotes   = 5
)

// codeScan collects the functions the code-first models declare in code
// (Python v2 decorators, Node.js v4 app.* calls), read with a static,
// best-effort scan, and the places it could not read.
type codeScan struct {
	ctx  context.Context
	a    *appFS
	defs []*funcDef
	miss []string
	// budget is the number of bytes the call readers may still scan in
	// the current file: it keeps hostile sources (thousands of unclosed
	// calls) linear.
	budget int
}

// codeModels scans the Python v2 script (function_app.py, or the file
// PYTHON_SCRIPT_FILE_NAME names) and the files package.json "main" names.
func (f *finder) codeModels() ([]*funcDef, error) {
	ctx, a, n := f.ctx, f.a, f.notes
	s := &codeScan{ctx: ctx, a: a}
	script := f.settings.pythonScript
	if script == "" {
		script = "function_app.py"
	}
	var entry string
	if a.isFile(script) {
		entry = script
		s.python(script)
	}
	if a.isFile("package.json") {
		if s.node(n) && entry == "" {
			entry = "package.json"
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.defs) > f.maxFunctions {
		return nil, fmt.Errorf("%s: more than %d functions declared in code", a.loc(entry), f.maxFunctions)
	}
	if len(s.miss) > 0 {
		shown := s.miss[:min(len(s.miss), maxMissNotes)]
		more := ""
		if len(s.miss) > maxMissNotes {
			more = fmt.Sprintf("; and %d more", len(s.miss)-maxMissNotes)
		}
		n.add(a.loc(entry), 0, "function definitions in code could not all be read statically: %s%s",
			strings.Join(shown, "; "), more)
	}
	s.checkDuplicates(n)
	return s.defs, nil
}

// missed records a place the scan could not read.
func (s *codeScan) missed(file string, line int, format string, args ...any) {
	s.miss = append(s.miss, fmt.Sprintf("%s:%d: %s", s.a.loc(file), line, fmt.Sprintf(format, args...)))
}

// read returns the source file rel, or false when it cannot be read, and
// sets the scan budget for it.
func (s *codeScan) read(rel string) (string, bool) {
	data, err := s.a.readFile(rel, maxSourceBytes)
	if err != nil {
		s.missed(rel, 0, "cannot be read: %v", err)
		return "", false
	}
	s.budget = 8*len(data) + maxCallBytes
	return string(data), true
}

// call reads the arguments of the call whose bracket is at src[open] (see
// [matchParen]) within the file's scan budget.
func (s *codeScan) call(src string, open int, l lang) (inner string, end int, ok bool) {
	if s.budget <= 0 {
		return "", open + 1, false
	}
	inner, end, ok = matchParen(src, open, l)
	if ok {
		s.budget -= end - open
	} else {
		s.budget -= min(len(src)-open, maxCallBytes)
	}
	return inner, end, ok
}

// checkDuplicates warns about two functions of the same name: the host
// refuses to start.
func (s *codeScan) checkDuplicates(n *notes) {
	seen := map[string]bool{}
	for _, d := range s.defs {
		key := strings.ToLower(d.name)
		if seen[key] {
			n.add(d.file, d.line, "function %s is declared more than once: the host refuses duplicate names", d.name)
		}
		seen[key] = true
	}
}

// newBinding is a binding declared in code.
func newBinding(typ string, line int) binding {
	return binding{typ: typ, direction: "in", props: map[string]string{}, line: line}
}
