package cloudformation

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Bounds of the search for image archives near a template.
const (
	imageSearchDepth   = 3       // folders below the template's
	imageSearchEntries = 20_000  // directory entries visited
	imageSearchTars    = 64      // archives opened
	tarHeadersRead     = 10_000  // tar headers read per archive
	tarManifestBytes   = 4 << 20 // manifest.json / index.json size
)

// imageIndex finds docker-archive (`docker save`) and OCI archive tars
// near a template by the image references they hold: manifest.json
// RepoTags, and the image name annotations of an OCI index.json. The
// folder is searched once, on first use.
type imageIndex struct {
	root     string
	warn     *warnings
	searched bool
	// refs maps a normalised image reference to the archives holding it,
	// in path order.
	refs map[string][]string
}

func newImageIndex(root string, w *warnings) *imageIndex {
	return &imageIndex{root: root, warn: w}
}

// find returns the first archive holding one of the references, or "".
func (x *imageIndex) find(ctx context.Context, refs []string) (path, ref string) {
	if len(refs) == 0 || x == nil {
		return "", ""
	}
	if !x.searched {
		x.searched = true
		x.search(ctx)
	}
	for _, r := range refs {
		if paths := x.refs[normalizeRef(r)]; len(paths) > 0 {
			return paths[0], r
		}
	}
	return "", ""
}

// search walks the root down to imageSearchDepth for *.tar files,
// skipping hidden folders and node_modules, within bounds.
func (x *imageIndex) search(ctx context.Context) {
	x.refs = map[string][]string{}
	visited, opened := 0, 0
	_ = filepath.WalkDir(x.root, func(p string, d fs.DirEntry, err error) error {
		visited++
		if ctx.Err() != nil || visited > imageSearchEntries {
			return fs.SkipAll
		}
		if err != nil {
			if d != nil && d.IsDir() && p != x.root {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(x.root, p)
		depth := strings.Count(filepath.ToSlash(rel), "/")
		if d.IsDir() {
			if p != x.root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || depth >= imageSearchDepth) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(p), ".tar") || opened >= imageSearchTars {
			return nil
		}
		opened++
		refs, err := archiveRefs(p)
		if err != nil {
			x.warn.add(fmt.Sprintf("%s: not read as an image archive: %s", p, err))
			return nil
		}
		for _, r := range refs {
			n := normalizeRef(r)
			if !slices.Contains(x.refs[n], p) {
				x.refs[n] = append(x.refs[n], p)
			}
		}
		return nil
	})
}

// archiveRefs reads the image references of a docker-archive or OCI
// archive tar: only its manifest.json and index.json are read (each at
// most tarManifestBytes); other entries are skipped without being read.
func archiveRefs(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var refs []string
	seenManifest, seenIndex := false, false
	for i := 0; i < tarHeadersRead && !(seenManifest && seenIndex); i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return refs, fmt.Errorf("reading tar: %w", err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if (name != "manifest.json" && name != "index.json") || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > tarManifestBytes {
			return refs, fmt.Errorf("%s is larger than %d MiB", name, tarManifestBytes>>20)
		}
		data, err := io.ReadAll(io.LimitReader(tr, tarManifestBytes))
		if err != nil {
			return refs, fmt.Errorf("reading %s: %w", name, err)
		}
		if name == "manifest.json" {
			seenManifest = true
			refs = append(refs, dockerManifestRefs(data)...)
		} else {
			seenIndex = true
			refs = append(refs, ociIndexRefs(data)...)
		}
	}
	return refs, nil
}

// dockerManifestRefs reads RepoTags from a docker-archive manifest.json.
func dockerManifestRefs(data []byte) []string {
	var m []struct {
		RepoTags []string `json:"RepoTags"`
	}
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	var out []string
	for _, e := range m {
		out = append(out, e.RepoTags...)
	}
	return out
}

// ociIndexRefs reads the full image names an OCI index.json records
// (io.containerd.image.name, and org.opencontainers.image.ref.name when it
// is a full reference rather than a bare tag).
func ociIndexRefs(data []byte) []string {
	var idx struct {
		Manifests []struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"manifests"`
	}
	if json.Unmarshal(data, &idx) != nil {
		return nil
	}
	var out []string
	for _, m := range idx.Manifests {
		if n := m.Annotations["io.containerd.image.name"]; n != "" {
			out = append(out, n)
		}
		if n := m.Annotations["org.opencontainers.image.ref.name"]; strings.Contains(n, "/") {
			out = append(out, n)
		}
	}
	return out
}

// normalizeRef normalises an image reference for comparison: Docker Hub
// prefixes removed, ":latest" added when there is no tag or digest.
func normalizeRef(r string) string {
	r = strings.TrimSpace(r)
	for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"} {
		if strings.HasPrefix(r, p) {
			r = strings.TrimPrefix(r, p)
			break
		}
	}
	last := r[strings.LastIndex(r, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(r, "@") {
		r += ":latest"
	}
	return r
}
