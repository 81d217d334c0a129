package bundled

import (
	"encoding/json"
	"errors"
	"fmt"
)

// JSON nesting bounds: a source map, metafile or stats file is a few
// levels deep; SBOMs nest components; npm v1 lockfiles nest a level pair
// per dependency depth.
const (
	maxDepthMap  = 64
	maxDepthSBOM = 128
	maxDepthLock = 512
)

// errTooDeep is returned for JSON nested deeper than its kind allows.
var errTooDeep = errors.New("JSON nested too deeply")

// checkDepth fails when data nests arrays and objects deeper than max. It
// only counts brackets outside strings: the decoder then reports syntax
// errors.
func checkDepth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return fmt.Errorf("%w (over %d levels)", errTooDeep, max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// decodeBounded decodes data into v after checking its depth.
func decodeBounded(data []byte, max int, v any) error {
	if err := checkDepth(data, max); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parsing JSON: %w", err)
	}
	return nil
}
