package serverless

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxManifestSize is the largest manifest fnaudit reads. Real state files
// (which embed the compiled CloudFormation template) stay far below it.
const maxManifestSize = 16 << 20

// errTooLarge is returned for manifests over maxManifestSize.
var errTooLarge = errors.New("manifest is larger than 16 MiB, the most fnaudit reads")

// readManifest reads a manifest file, refusing files over the size limit.
func readManifest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("%s: %w", path, errTooLarge)
	}
	return data, nil
}

// syntaxError is a YAML or JSON syntax error, reworded without yaml.v3's
// "yaml: line N:" prefix (the caller puts file:line in front).
type syntaxError struct {
	msg string
	err error
}

func (e *syntaxError) Error() string { return e.msg }
func (e *syntaxError) Unwrap() error { return e.err }

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseDocument parses a manifest (JSON is read as the YAML it is, so that
// both keep line numbers) and returns its top-level mapping. Errors name
// the file and, when known, the line: "serverless.yml:9: invalid yaml: ...".
func parseDocument(file string, data []byte, isJSON bool) (*yaml.Node, error) {
	if isJSON {
		data = jsonForYAML(data)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxErr(file, data, isJSON, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s:1: the manifest is empty", file)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		what := (&tree{}).kindName(root)
		return nil, fmt.Errorf("%s:%d: the top level is %s, not a mapping", file, root.Line, what)
	}
	return root, nil
}

// syntaxErr turns a yaml.v3 error into one naming the file and line.
func syntaxErr(file string, data []byte, isJSON bool, err error) error {
	format := "yaml"
	if isJSON {
		format = "json"
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	lineNo := 0
	if m := yamlLineError.FindStringSubmatch(err.Error()); m != nil {
		lineNo, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	lineNo = refineLine(data, lineNo, msg)
	se := &syntaxError{msg: "invalid " + format + ": " + msg, err: err}
	if lineNo > 0 {
		return fmt.Errorf("%s:%d: %w", file, lineNo, se)
	}
	return fmt.Errorf("%s: %w", file, se)
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// refineLine points some errors at the line that causes them: yaml.v3
// reports parser errors ("did not find expected ...") with a 0-based line
// (the line before the unclosed "[" or "{"), a tab in indentation on the
// line before it, and an undefined alias without a line.
func refineLine(data []byte, reported int, msg string) int {
	if strings.HasPrefix(msg, "did not find expected") {
		return reported + 1
	}
	lines := bytes.Split(data, []byte("\n"))
	if strings.Contains(msg, "tab character") {
		for i := max(reported-1, 0); i < len(lines); i++ {
			indent := lines[i][:len(lines[i])-len(bytes.TrimLeft(lines[i], " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return i + 1
			}
		}
	}
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil && reported == 0 {
		for i, l := range lines {
			if bytes.Contains(l, []byte("*"+m[1])) {
				return i + 1
			}
		}
	}
	return reported
}

// jsonForYAML makes valid JSON readable by a YAML parser without moving
// any line: tabs between tokens become spaces (YAML forbids tabs in
// indentation; JSON strings cannot hold a raw tab) and the JSON-only
// escape "\/" becomes "/".
func jsonForYAML(data []byte) []byte {
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString && c == '\\' && i+1 < len(data):
			if data[i+1] == '/' {
				out = append(out, '/')
			} else {
				out = append(out, c, data[i+1])
			}
			i++
		case c == '"':
			inString = !inString
			out = append(out, c)
		case !inString && c == '\t':
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}
