package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/fnaudit/fnaudit/bundle/unpack"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image is one container image in a local archive or layout directory.
// [Open] reads its metadata only; [Image.Flatten] writes its root file system.
// An Image holds no open file and may be flattened several times.
type Image struct {
	path   string
	src    source
	tags   []string
	config Config
	layers []Layer
}

// Config is the part of the image configuration an audit reports: what the
// container runs. For a Lambda function image, Cmd holds the handler.
type Config struct {
	Entrypoint   []string
	Cmd          []string
	WorkingDir   string
	Env          []string // KEY=value, as in the image
	Architecture string   // amd64, arm64, ...
	OS           string   // linux
}

// Layer describes one layer of an image, lowest first.
type Layer struct {
	// Digest is the digest of the blob as stored ("sha256:..."): from the
	// manifest for OCI layouts; for docker archives from the blob's name
	// when it is a digest, the DiffID for an uncompressed blob, else computed
	// by Open. Flatten checks it against the bytes it reads.
	Digest string
	// DiffID is the digest of the uncompressed tar, from the image config
	// (rootfs.diff_ids); Flatten checks it too.
	DiffID string
	// Path is the blob's slash path inside the archive or layout:
	// "blobs/sha256/ab12...", "ab12....tar.gz", "ab12.../layer.tar". Reports
	// locate a file as "<image>!/<Path>!/<path in layer>" (for a layout
	// directory, "<dir>/<Path>!/<path in layer>").
	Path string
	// Size is the blob's size in bytes as stored.
	Size int64
}

// Open opens the image at path: a docker-archive tar (docker save, also the
// Docker 25+ format with an OCI index inside), an OCI image layout tar, or an
// OCI image layout directory. ref picks the image: a RepoTag such as
// "123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnailer:1.4.2" in a docker
// archive, or a name in an OCI layout's index (the annotation
// org.opencontainers.image.ref.name, which may be a full reference or a bare
// tag, or io.containerd.image.name), or "repo@sha256:..." for an OCI manifest
// digest. Names compare as references, so "ubuntu" matches
// "docker.io/library/ubuntu:latest". With one image in the archive ref may
// be empty. Nothing is extracted: Open reads the archive's headers and its
// metadata files, bounded in size, and checks the config against its digest.
func Open(ctx context.Context, path, ref string) (*Image, error) {
	src, err := openSource(ctx, path)
	if err != nil {
		return nil, err
	}
	switch {
	case src.has("manifest.json"):
		return openDocker(ctx, path, src, ref)
	case src.has("index.json") && src.has("oci-layout"):
		return openOCI(path, src, ref)
	}
	return nil, notImage(path, "no manifest.json or index.json (with oci-layout) in it")
}

// openSource returns the source of the archive or layout directory at path.
func openSource(ctx context.Context, path string) (source, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("opening image %s: %w; check the path, or save the image first (docker save -o FILE IMAGE)",
			path, unpack.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("opening image %s: %w", path, err)
	case fi.IsDir():
		return dirSource(path), nil
	case !fi.Mode().IsRegular():
		return nil, notImage(path, "it is not a regular file")
	}
	return indexTar(ctx, path)
}

// Tags returns the references the image is known by in the archive (its
// RepoTags, or its names in an OCI index), sorted.
func (im *Image) Tags() []string { return slices.Clone(im.tags) }

// Config returns what the image runs.
func (im *Image) Config() Config {
	c := im.config
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.Cmd = slices.Clone(c.Cmd)
	c.Env = slices.Clone(c.Env)
	return c
}

// Layers returns the image's layers in the order they apply, lowest first.
func (im *Image) Layers() []Layer { return slices.Clone(im.layers) }

// newImage builds the Image whose config file is cfg.
func newImage(path string, src source, tags []string, cfg *v1.ConfigFile, layers []Layer) *Image {
	tags = slices.Clone(tags)
	slices.Sort(tags)
	return &Image{
		path: path,
		src:  src,
		tags: slices.Compact(tags),
		config: Config{
			Entrypoint:   cfg.Config.Entrypoint,
			Cmd:          cfg.Config.Cmd,
			WorkingDir:   cfg.Config.WorkingDir,
			Env:          cfg.Config.Env,
			Architecture: cfg.Architecture,
			OS:           cfg.OS,
		},
		layers: layers,
	}
}

// Bounds of the metadata files Open reads whole.
const (
	maxIndexBytes    = 16 << 20 // manifest.json, index.json
	maxManifestBytes = 4 << 20  // an image manifest or index blob (registries cap them at 4 MiB)
	maxConfigBytes   = 16 << 20 // an image config
)

// readConfig reads and parses the image config stored at name, checking it
// against want unless want is zero.
func readConfig(path string, src source, name string, want v1.Hash) (*v1.ConfigFile, error) {
	b, err := readSmall(src, name, maxConfigBytes)
	if err != nil {
		return nil, corrupt(path, "reading the image config", err)
	}
	if err := checkDigest(b, want); err != nil {
		return nil, corrupt(path, "image config "+name, err)
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(b))
	if err != nil {
		return nil, corrupt(path, "parsing the image config "+name, err)
	}
	return cfg, nil
}

// checkDigest returns an error unless b has the digest want; a zero want
// checks nothing.
func checkDigest(b []byte, want v1.Hash) error {
	if want == (v1.Hash{}) {
		return nil
	}
	h, err := v1.Hasher(want.Algorithm)
	if err != nil {
		return err
	}
	h.Write(b)
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want.Hex {
		return fmt.Errorf("content does not match its digest %s (it hashes to %s:%s)", want, want.Algorithm, got)
	}
	return nil
}

// checkLayers returns an error unless there is one diff ID per layer.
func checkLayers(path string, layers int, diffIDs []v1.Hash) error {
	if layers != len(diffIDs) {
		return corrupt(path, fmt.Sprintf("the manifest lists %d layers but the config lists %d rootfs.diff_ids", layers, len(diffIDs)), nil)
	}
	return nil
}

// hashBlob returns the sha256 digest of r, checking ctx between chunks.
func hashBlob(ctx context.Context, r io.Reader) (v1.Hash, error) {
	h, _ := v1.Hasher("sha256")
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return v1.Hash{}, err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h.Sum(nil))}, nil
		}
		if err != nil {
			return v1.Hash{}, err
		}
	}
}
