package vuln

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// unmarshalOptions decodes OSV JSON while tolerating fields added to the
// schema after the bindings were generated (osv-scalibr's own loader uses
// strict decoding and silently drops such records).
var unmarshalOptions = protojson.UnmarshalOptions{DiscardUnknown: true}

// timestampFields are the top-level OSV fields of type Timestamp.
var timestampFields = []string{"published", "modified", "withdrawn"}

// timestampLayouts are the spellings seen in advisory sources besides RFC 3339
// (for instance YAML-style timestamps written by hand in PyPA files).
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
}

// DecodeRecord decodes one OSV record (JSON) as the database does: unknown
// fields are discarded, and when protojson rejects the record it is repaired
// (timestamps rewritten in RFC 3339, JSON nulls removed) and decoded again;
// the first error is returned if the repair does not help. It does not check
// that the record has an id or affected packages.
func DecodeRecord(data []byte) (*osvpb.Vulnerability, error) {
	v := &osvpb.Vulnerability{}
	err := unmarshalOptions.Unmarshal(data, v)
	if err == nil {
		return v, nil
	}
	repaired, ok := repairRecord(data)
	if !ok {
		return nil, err
	}
	v = &osvpb.Vulnerability{}
	if err2 := unmarshalOptions.Unmarshal(repaired, v); err2 != nil {
		return nil, err
	}
	return v, nil
}

// repairRecord returns a copy of data with the fixable problems corrected,
// and whether anything changed.
func repairRecord(data []byte) ([]byte, bool) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false
	}
	changed := false
	for _, f := range timestampFields {
		s, ok := doc[f].(string)
		if !ok {
			continue
		}
		if fixed, ok := normaliseTimestamp(s); ok && fixed != s {
			doc[f] = fixed
			changed = true
		}
	}
	if dropNulls(doc) {
		changed = true
	}
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return out, true
}

// normaliseTimestamp parses s with the known layouts and returns it in RFC
// 3339 (UTC when the source gives no zone).
func normaliseTimestamp(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339Nano), true
		}
	}
	return "", false
}

// dropNulls removes null values from objects, recursively, reporting whether
// any was removed.
func dropNulls(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				changed = true
				continue
			}
			changed = dropNulls(e) || changed
		}
	case []any:
		for _, e := range t {
			changed = dropNulls(e) || changed
		}
	}
	return changed
}

// parseTime parses an OSV timestamp leniently (see timestampLayouts).
func parseTime(s string) (time.Time, error) {
	if fixed, ok := normaliseTimestamp(s); ok {
		return time.Parse(time.RFC3339Nano, fixed)
	}
	return time.Time{}, errors.New("not a timestamp")
}
