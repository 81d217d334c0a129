package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// openDocker opens the image ref of the docker archive in src: manifest.json
// lists, per image, its config file, its RepoTags and its layer blobs.
func openDocker(ctx context.Context, path string, src source, ref string) (*Image, error) {
	b, err := readSmall(src, "manifest.json", maxIndexBytes)
	if err != nil {
		return nil, corrupt(path, "reading manifest.json", err)
	}
	var m tarball.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, corrupt(path, "parsing manifest.json", err)
	}
	cands := make([]candidate, len(m))
	for i, d := range m {
		cands[i] = candidate{names: d.RepoTags, label: "untagged image with config " + d.Config}
	}
	i, err := pick(path, cands, ref)
	if err != nil {
		return nil, err
	}
	d := m[i]
	cfg, err := readConfig(path, src, d.Config, digestFromName(d.Config))
	if err != nil {
		return nil, err
	}
	if err := checkLayers(path, len(d.Layers), cfg.RootFS.DiffIDs); err != nil {
		return nil, err
	}
	layers := make([]Layer, len(d.Layers))
	for i, name := range d.Layers {
		if layers[i], err = dockerLayer(ctx, path, src, name, cfg.RootFS.DiffIDs[i]); err != nil {
			return nil, err
		}
	}
	return newImage(path, src, d.RepoTags, cfg, layers), nil
}

// dockerLayer describes the layer blob stored at name, whose uncompressed
// digest the config gives as diffID. Its own digest comes from its name when
// that is a digest, is diffID when the blob is not compressed, and is
// computed otherwise.
func dockerLayer(ctx context.Context, path string, src source, name string, diffID v1.Hash) (Layer, error) {
	rc, size, err := src.open(name)
	if err != nil {
		return Layer{}, corrupt(path, "layer "+name, err)
	}
	defer rc.Close()
	l := Layer{DiffID: diffID.String(), Path: name, Size: size}
	if d := digestFromName(name); d != (v1.Hash{}) {
		l.Digest = d.String()
		return l, nil
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(rc, head)
	if !compressed(head[:n]) {
		l.Digest = l.DiffID
		return l, nil
	}
	d, err := hashBlob(ctx, io.MultiReader(strings.NewReader(string(head[:n])), rc))
	if err != nil {
		return Layer{}, corrupt(path, "hashing layer "+name, err)
	}
	l.Digest = d.String()
	return l, nil
}

// compressed reports whether head starts a gzip or zstd stream, the
// compressions go-containerregistry decompresses.
func compressed(head []byte) bool {
	return strings.HasPrefix(string(head), gzipMagic) || strings.HasPrefix(string(head), zstdMagic)
}

// digestName matches the names docker save and go-containerregistry give
// blobs after their digest: "sha256:<hex>", "<hex>.json", "<hex>.tar.gz",
// "<hex>.tar", "blobs/sha256/<hex>".
var digestName = regexp.MustCompile(`^(?:blobs/sha256/|sha256:)?([0-9a-f]{64})(?:\.json|\.tar|\.tar\.gz)?$`)

// digestFromName returns the digest a blob's name claims, or the zero Hash.
func digestFromName(name string) v1.Hash {
	m := digestName.FindStringSubmatch(path.Clean(name))
	if m == nil {
		return v1.Hash{}
	}
	return v1.Hash{Algorithm: "sha256", Hex: m[1]}
}

// candidate is one image of an archive, as a reference may name it.
type candidate struct {
	names  []string // RepoTags, or OCI index names
	digest string   // the manifest digest in an OCI index, else ""
	label  string   // how to list it when it has no name
}

// pick returns the index of the candidate ref names; an empty ref picks the
// only candidate.
func pick(path string, cands []candidate, ref string) (int, error) {
	if len(cands) == 0 {
		return 0, corrupt(path, "the archive lists no image", nil)
	}
	if ref == "" {
		if len(cands) == 1 {
			return 0, nil
		}
		return 0, refError(path, cands, fmt.Sprintf("the archive holds %d images and no reference was given", len(cands)))
	}
	hit := -1
	for i, c := range cands {
		if !c.matches(ref) {
			continue
		}
		if hit >= 0 && !sameImage(cands[hit], c) {
			return 0, refError(path, cands, fmt.Sprintf("several images match %q", ref))
		}
		if hit < 0 {
			hit = i
		}
	}
	if hit < 0 {
		return 0, refError(path, cands, fmt.Sprintf("no image is named %q", ref))
	}
	return hit, nil
}

// sameImage reports whether two candidates are the same image listed twice.
func sameImage(a, b candidate) bool {
	return a.digest != "" && a.digest == b.digest || a.digest == "" && a.label == b.label
}

// refError builds the ErrRefNotFound error, listing what the archive holds.
func refError(path string, cands []candidate, reason string) error {
	var have []string
	for _, c := range cands {
		if len(c.names) == 0 {
			have = append(have, c.label)
		}
		have = append(have, c.names...)
	}
	return fmt.Errorf("opening image %s: %w: %s; the archive has: %s",
		path, ErrRefNotFound, reason, strings.Join(have, ", "))
}
