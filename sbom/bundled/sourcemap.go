package bundled

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// sourceMap is the part of a source map (ECMA-426, "Source Map Format
// Specification" revision 3) fnaudit reads: the original files and,
// when present, their contents. "mappings" is never decoded.
type sourceMap struct {
	Version        int       `json:"version"`
	File           string    `json:"file"`
	SourceRoot     string    `json:"sourceRoot"`
	Sources        []*string `json:"sources"`
	SourcesContent []*string `json:"sourcesContent"`
	// Sections make an index map: each holds a regular map.
	Sections []struct {
		Map *sourceMap `json:"map"`
	} `json:"sections"`
}

// mapSource is one original file of a map.
type mapSource struct {
	path    string // sourceRoot joined with the source, as the map says
	content string // its sourcesContent entry, "" when absent
}

// parseSourceMap decodes a source map and lists its sources, those of
// an index map's sections included (sections nested in sections are not
// allowed by the specification and are ignored).
func parseSourceMap(data []byte) (file string, sources []mapSource, err error) {
	var m sourceMap
	if err := decodeBounded(data, maxDepthMap, &m); err != nil {
		return "", nil, err
	}
	if m.Version != 3 {
		return "", nil, fmt.Errorf("source map version %d: want 3", m.Version)
	}
	sources = m.list()
	for _, s := range m.Sections {
		if s.Map != nil {
			sources = append(sources, s.Map.list()...)
		}
	}
	return m.File, sources, nil
}

func (m *sourceMap) list() []mapSource {
	out := make([]mapSource, 0, len(m.Sources))
	for i, s := range m.Sources {
		if s == nil {
			continue
		}
		src := mapSource{path: *s}
		if m.SourceRoot != "" {
			src.path = strings.TrimSuffix(m.SourceRoot, "/") + "/" + *s
		}
		if i < len(m.SourcesContent) && m.SourcesContent[i] != nil {
			src.content = *m.SourcesContent[i]
		}
		out = append(out, src)
	}
	return out
}

// sourceMappingURL is the comment that links a bundle to its map.
var (
	mapURLPrefixes = [][]byte{[]byte("//# sourceMappingURL="), []byte("//@ sourceMappingURL=")}
	errNoMapURL    = errors.New("no sourceMappingURL")
)

// mapURL returns the last sourceMappingURL of a bundle's text.
func mapURL(text []byte) (string, error) {
	best := -1
	var prefix []byte
	for _, p := range mapURLPrefixes {
		if i := bytes.LastIndex(text, p); i > best {
			best, prefix = i, p
		}
	}
	if best < 0 {
		return "", errNoMapURL
	}
	rest := text[best+len(prefix):]
	if i := bytes.IndexAny(rest, "\r\n \t*"); i >= 0 {
		rest = rest[:i]
	}
	if len(rest) == 0 {
		return "", errNoMapURL
	}
	return string(rest), nil
}

// inlineMap decodes a data: URL holding a map (base64 or percent-encoded).
// ok is false when u is not a data: URL.
func inlineMap(u string) (data []byte, ok bool, err error) {
	rest, found := strings.CutPrefix(u, "data:")
	if !found {
		return nil, false, nil
	}
	meta, payload, found := strings.Cut(rest, ",")
	if !found {
		return nil, true, errors.New("data URL without a comma")
	}
	if len(payload) > maxFileBytes*4/3+4 {
		return nil, true, fmt.Errorf("%w: inline map over %d MiB", errTooLarge, maxFileBytes>>20)
	}
	if strings.HasSuffix(meta, ";base64") {
		data, err = base64.StdEncoding.DecodeString(payload)
		if err != nil {
			data, err = base64.RawStdEncoding.DecodeString(payload)
		}
	} else {
		var s string
		s, err = url.PathUnescape(payload)
		data = []byte(s)
	}
	if err != nil {
		return nil, true, fmt.Errorf("decoding inline map: %w", err)
	}
	return data, true, nil
}

// resolveMapURL resolves a sourceMappingURL against the bundle's folder.
// ok is false for URLs that do not name a file inside the artifact (http:,
// absolute paths, paths climbing out): those are never opened.
func resolveMapURL(bundle, u string) (string, bool) {
	if strings.Contains(u, ":") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, `\`) {
		return "", false
	}
	if dec, err := url.PathUnescape(u); err == nil {
		u = dec
	}
	p := path.Join(path.Dir(bundle), u)
	if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return "", false
	}
	return p, true
}
