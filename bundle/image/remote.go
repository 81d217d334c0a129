package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// ErrRegistry marks a failure to pull an image from its registry.
var ErrRegistry = errors.New("pulling the image failed")

// Pull downloads the image ref (a registry reference such as
// "123.dkr.ecr.eu-west-1.amazonaws.com/app:1.2" or "ghcr.io/org/app@sha256:…")
// into a new OCI image layout under dir and returns the layout's path, ready
// for [Open]. Credentials come from the usual keychains (Docker config,
// credential helpers). It is the only function of fnaudit that opens a
// network connection for images, and the audit calls it only when the user
// allowed it. The compressed layers' declared sizes are checked against
// lim.MaxTotalBytes before anything is downloaded; [Image.Flatten] bounds the
// rest. For a multi-platform index, linux/amd64 is pulled.
func Pull(ctx context.Context, ref, dir string, lim unpack.Limits) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not an image reference: %w", ErrRegistry, ref, err)
	}
	img, err := remote.Image(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"}))
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrRegistry, ref, err)
	}
	if err := checkPullSize(ref, img, withDefaults(lim)); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "oci")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", fmt.Errorf("pulling %s: %w", ref, err)
	}
	p, err := layout.Write(out, empty.Index)
	if err != nil {
		return "", fmt.Errorf("pulling %s: %w", ref, err)
	}
	annotations := map[string]string{"org.opencontainers.image.ref.name": ref}
	if err := p.AppendImage(img, layout.WithAnnotations(annotations)); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrRegistry, ref, err)
	}
	return out, nil
}

// checkPullSize refuses an image whose compressed layers alone exceed the
// unpacked size limit, before downloading them.
func checkPullSize(ref string, img v1.Image, lim unpack.Limits) error {
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrRegistry, ref, err)
	}
	var total int64
	for _, l := range m.Layers {
		total += l.Size
	}
	if total > lim.MaxTotalBytes {
		return limitError(ref, fmt.Sprintf("its layers are %d bytes compressed, over the image size limit of %d bytes", total, lim.MaxTotalBytes), "--max-image-bytes")
	}
	return nil
}
