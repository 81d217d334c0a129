package terraform

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// headSize is how much of a file Detect reads to recognise a plan.
const headSize = 64 << 10

// candidates returns the plan files Detect looks for in a folder, in order:
// plan.json, tfplan.json, then *.tfplan.json sorted.
func candidates(dir string) []string {
	out := []string{filepath.Join(dir, "plan.json"), filepath.Join(dir, "tfplan.json")}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	var more []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".tfplan.json") {
			more = append(more, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(more)
	return append(out, more...)
}

// isPlanFile says whether a file looks like the JSON output of terraform
// show -json for a plan: an object with format_version and planned_values
// or configuration at its top level. Only the first KBs are parsed; in a
// bigger file the keys that follow are searched for as text.
func isPlanFile(path string) bool {
	f, err := openRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if isUTF16(head) {
		// The text search below would not match: decode the whole file.
		rest, err := io.ReadAll(io.LimitReader(f, maxPlanSize))
		if err != nil {
			return false
		}
		head, n = append(head, rest...), 0
	}
	keys, complete := topLevelKeys(toUTF8(head))
	if !keys["format_version"] {
		return false
	}
	if keys["planned_values"] || keys["configuration"] {
		return true
	}
	if complete || n < headSize {
		return false
	}
	return containsAny(io.LimitReader(f, maxPlanSize), `"planned_values"`, `"configuration"`)
}

// topLevelKeys returns the keys of the JSON object data starts with, as far
// as data goes, and whether the object ended within it.
func topLevelKeys(data []byte) (map[string]bool, bool) {
	keys := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return keys, true
	}
	depth, expectKey := 1, true
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys, false
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
				continue
			}
			depth--
			if depth == 0 {
				return keys, true
			}
			expectKey = depth == 1
		case string:
			if depth == 1 && expectKey {
				keys[t] = true
				expectKey = false
				if keys["format_version"] && (keys["planned_values"] || keys["configuration"]) {
					return keys, false
				}
				continue
			}
			expectKey = expectKey || depth == 1
		default:
			expectKey = expectKey || depth == 1
		}
	}
}

// containsAny says whether r holds one of the words, reading it in chunks.
func containsAny(r io.Reader, words ...string) bool {
	buf := make([]byte, 1<<20)
	keep := 0
	for _, w := range words {
		keep = max(keep, len(w)-1)
	}
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		chunk := buf[:carry+n]
		for _, w := range words {
			if bytes.Contains(chunk, []byte(w)) {
				return true
			}
		}
		if err != nil {
			return false
		}
		carry = min(keep, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
	}
}

// openRegular opens a regular file. Anything else is refused before it is
// opened: opening a named pipe would block.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return os.Open(path)
}

// isBinaryPlan says whether a file is a saved plan (terraform plan -out): a
// zip whose first entry is named tfplan.
func isBinaryPlan(path string) bool {
	f, err := openRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 30+len("tfplan"))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	if !bytes.Equal(head[:4], []byte("PK\x03\x04")) {
		return false
	}
	nameLen := binary.LittleEndian.Uint16(head[26:28])
	return int(nameLen) == len("tfplan") && string(head[30:]) == "tfplan"
}
