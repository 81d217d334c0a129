package image

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations of an OCI index entry that name the image.
const (
	annotationRefName    = "org.opencontainers.image.ref.name"
	annotationContainerd = "io.containerd.image.name"
	maxIndexDepth        = 4 // nested indexes followed (a multi-platform image is one level)
)

// openOCI opens the image ref of the OCI image layout in src: index.json
// lists manifests (or nested indexes) by digest, each blob is stored at
// blobs/<algorithm>/<hex>.
func openOCI(path string, src source, ref string) (*Image, error) {
	b, err := readSmall(src, "index.json", maxIndexBytes)
	if err != nil {
		return nil, corrupt(path, "reading index.json", err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(b))
	if err != nil {
		return nil, corrupt(path, "parsing index.json", err)
	}
	cands := make([]candidate, len(idx.Manifests))
	for i, d := range idx.Manifests {
		cands[i] = candidate{names: ociNames(d), digest: d.Digest.String(), label: "unnamed image " + d.Digest.String()}
	}
	i, err := pick(path, cands, ref)
	if err != nil {
		return nil, err
	}
	m, err := resolveManifest(path, src, idx.Manifests[i], 0)
	if err != nil {
		return nil, err
	}
	cfg, err := readConfig(path, src, blobPath(m.Config.Digest), m.Config.Digest)
	if err != nil {
		return nil, err
	}
	layers, err := ociLayers(path, src, m, cfg.RootFS.DiffIDs)
	if err != nil {
		return nil, err
	}
	return newImage(path, src, cands[i].names, cfg, layers), nil
}

// ociNames returns the names an index entry gives its image.
func ociNames(d v1.Descriptor) []string {
	var names []string
	for _, k := range []string{annotationRefName, annotationContainerd} {
		if n := d.Annotations[k]; n != "" {
			names = append(names, n)
		}
	}
	return names
}

// blobPath is where an OCI layout stores the blob of digest h.
func blobPath(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// readBlob reads the metadata blob desc describes, checking its size and
// digest.
func readBlob(src source, desc v1.Descriptor, limit int64) ([]byte, error) {
	if desc.Size > limit {
		return nil, fmt.Errorf("blob %s declares %d bytes, more than the %d any manifest needs", desc.Digest, desc.Size, limit)
	}
	b, err := readSmall(src, blobPath(desc.Digest), limit)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != desc.Size {
		return nil, fmt.Errorf("blob %s is %d bytes, its descriptor says %d", desc.Digest, len(b), desc.Size)
	}
	return b, checkDigest(b, desc.Digest)
}

// resolveManifest returns the image manifest desc points at, choosing a
// platform when it points at an index.
func resolveManifest(path string, src source, desc v1.Descriptor, depth int) (*v1.Manifest, error) {
	if depth > maxIndexDepth {
		return nil, corrupt(path, fmt.Sprintf("indexes nested more than %d deep", maxIndexDepth), nil)
	}
	b, err := readBlob(src, desc, maxManifestBytes)
	if err != nil {
		return nil, corrupt(path, "reading manifest "+desc.Digest.String(), err)
	}
	mt := desc.MediaType
	if mt == "" {
		mt = sniffMediaType(b)
	}
	switch {
	case mt.IsImage():
		m, err := v1.ParseManifest(bytes.NewReader(b))
		if err != nil {
			return nil, corrupt(path, "parsing manifest "+desc.Digest.String(), err)
		}
		return m, nil
	case mt.IsIndex():
		idx, err := v1.ParseIndexManifest(bytes.NewReader(b))
		if err != nil {
			return nil, corrupt(path, "parsing index "+desc.Digest.String(), err)
		}
		child, err := pickPlatform(path, idx.Manifests)
		if err != nil {
			return nil, err
		}
		return resolveManifest(path, src, child, depth+1)
	}
	return nil, notImage(path, fmt.Sprintf("%s is a %q, not an image manifest or index", desc.Digest, mt))
}

// sniffMediaType returns the media type a manifest blob declares, or infers
// it from its fields when a descriptor leaves it out.
func sniffMediaType(b []byte) types.MediaType {
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Layers    json.RawMessage `json:"layers"`
	}
	json.Unmarshal(b, &m) // a bad blob fails in its parser
	switch {
	case m.MediaType != "":
		return m.MediaType
	case m.Manifests != nil:
		return types.OCIImageIndex
	case m.Layers != nil:
		return types.OCIManifestSchema1
	}
	return ""
}

// The platform chosen in a multi-platform index: Lambda's default
// architecture.
const defaultOS, defaultArch = "linux", "amd64"

// pickPlatform chooses the image of a multi-platform index: the only one
// that is not an attestation, else linux/amd64.
func pickPlatform(path string, manifests []v1.Descriptor) (v1.Descriptor, error) {
	var imgs []v1.Descriptor
	var platforms []string
	for _, d := range manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
			d.Platform != nil && d.Platform.OS == "unknown" {
			continue
		}
		imgs = append(imgs, d)
		if d.Platform != nil {
			platforms = append(platforms, d.Platform.String())
		}
	}
	if len(imgs) == 1 {
		return imgs[0], nil
	}
	for _, d := range imgs {
		if d.Platform != nil && d.Platform.OS == defaultOS && d.Platform.Architecture == defaultArch {
			return d, nil
		}
	}
	return v1.Descriptor{}, fmt.Errorf("opening image %s: %w: the index holds %d images, none for %s/%s (platforms: %s)",
		path, ErrRefNotFound, len(imgs), defaultOS, defaultArch, strings.Join(platforms, ", "))
}

// ociLayers describes the layers of m, checking that each blob is there
// with the size its descriptor gives.
func ociLayers(path string, src source, m *v1.Manifest, diffIDs []v1.Hash) ([]Layer, error) {
	if err := checkLayers(path, len(m.Layers), diffIDs); err != nil {
		return nil, err
	}
	layers := make([]Layer, len(m.Layers))
	for i, d := range m.Layers {
		p := blobPath(d.Digest)
		rc, size, err := src.open(p)
		if err != nil {
			return nil, corrupt(path, "layer "+d.Digest.String(), err)
		}
		rc.Close()
		if size != d.Size {
			return nil, corrupt(path, fmt.Sprintf("layer %s is %d bytes, its descriptor says %d", p, size, d.Size), nil)
		}
		layers[i] = Layer{Digest: d.Digest.String(), DiffID: diffIDs[i].String(), Path: p, Size: size}
	}
	return layers, nil
}
