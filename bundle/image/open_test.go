package image

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/unpack"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// twoImages are the images of a two-image archive, by tag, each with one
// file saying which it is.
func twoImages(tb testing.TB) map[string]v1.Image {
	return map[string]v1.Image{
		testTag:           buildImage(tb, layerTar(tb, file("which", "ecr"))),
		"thumbnailer:2.0": buildImage(tb, layerTar(tb, file("which", "hub"))),
	}
}

func TestOpenRef(t *testing.T) {
	images := twoImages(t)
	docker := writeDocker(t, filepath.Join(t.TempDir(), "two.tar"), images)
	oci := writeOCIDir(t, filepath.Join(t.TempDir(), "layout"), images)
	bare := writeOCIDir(t, filepath.Join(t.TempDir(), "bare"), map[string]v1.Image{"1.4.2": images[testTag]})
	digest, err := images[testTag].Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, ref, which string
		tags                   []string
	}{
		{"docker archive, registry tag", docker, testTag, "ecr", []string{testTag}},
		{"docker archive, Docker Hub tag", docker, "thumbnailer:2.0", "hub", []string{"thumbnailer:2.0"}},
		{"docker archive, normalised tag", docker, "docker.io/library/thumbnailer:2.0", "hub", []string{"thumbnailer:2.0"}},
		{"OCI layout, ref.name", oci, "thumbnailer:2.0", "hub", []string{"thumbnailer:2.0"}},
		{"OCI layout, normalised ref.name", oci, "index.docker.io/library/thumbnailer:2.0", "hub", []string{"thumbnailer:2.0"}},
		{"OCI layout, bare tag", bare, testTag, "ecr", []string{"1.4.2"}},
		{"OCI layout, manifest digest", oci, "thumbnailer@" + digest.String(), "ecr", []string{testTag}},
		{"OCI layout, one image, no ref", bare, "", "ecr", []string{"1.4.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := Open(context.Background(), tc.path, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.tags, im.Tags()); diff != "" {
				t.Errorf("Tags() mismatch (-want +got):\n%s", diff)
			}
			dest := filepath.Join(t.TempDir(), "root")
			if _, err := im.Flatten(context.Background(), dest, unpack.Limits{}); err != nil {
				t.Fatal(err)
			}
			if got := snapshot(t, dest)["which"]; got != "-rw-r--r-- "+tc.which {
				t.Errorf("which = %q, want the %s image", got, tc.which)
			}
		})
	}
}

func TestOpenRefNotFound(t *testing.T) {
	images := twoImages(t)
	docker := writeDocker(t, filepath.Join(t.TempDir(), "two.tar"), images)
	oci := writeOCIDir(t, filepath.Join(t.TempDir(), "layout"), images)
	for _, tc := range []struct{ name, path, ref, want string }{
		{"docker archive, no ref", docker, "", "the archive holds 2 images and no reference was given; the archive has: "},
		{"docker archive, unknown tag", docker, "thumbnailer:9", `no image is named "thumbnailer:9"; the archive has: `},
		{"docker archive, other registry", docker, "thumbnailer:1.4.2", `no image is named "thumbnailer:1.4.2"`},
		{"OCI layout, no ref", oci, "", "the archive holds 2 images"},
		{"OCI layout, unknown digest", oci, "x@sha256:" + strings.Repeat("0", 64), "no image is named"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.path, tc.ref)
			if !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("Open error = %v, want ErrRefNotFound naming %s and saying %q", err, tc.path, tc.want)
			}
			for _, tag := range []string{testTag, "thumbnailer:2.0"} {
				if !strings.Contains(err.Error(), tag) {
					t.Errorf("error %q does not list %s", err, tag)
				}
			}
		})
	}
}

// platformIndex returns an index of one image per platform ("os/arch"),
// plus an attestation manifest as buildx adds them, and the images.
func platformIndex(tb testing.TB, platforms ...string) (v1.ImageIndex, map[string]v1.Image) {
	images := map[string]v1.Image{}
	var idx v1.ImageIndex = empty.Index
	for _, p := range append(platforms, "unknown/unknown") {
		img := buildImage(tb, layerTar(tb, file("platform", p)))
		images[p] = img
		os, arch, _ := strings.Cut(p, "/")
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: os, Architecture: arch},
		}})
	}
	return idx, images
}

func TestOpenMultiPlatform(t *testing.T) {
	for _, tc := range []struct {
		name      string
		platforms []string
		want      string // the platform picked, or "" for ErrRefNotFound
	}{
		{"amd64 among others", []string{"linux/arm64", "linux/amd64", "linux/s390x"}, "linux/amd64"},
		{"a single platform", []string{"linux/arm64"}, "linux/arm64"},
		{"no amd64 among several", []string{"linux/arm64", "linux/s390x"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx, _ := platformIndex(t, tc.platforms...)
			dir := filepath.Join(t.TempDir(), "layout")
			p, err := layout.Write(dir, empty.Index)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{annotationRefName: "multi"})); err != nil {
				t.Fatal(err)
			}
			im, err := Open(context.Background(), dir, "")
			if tc.want == "" {
				if !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), "linux/s390x") {
					t.Fatalf("Open error = %v, want ErrRefNotFound listing the platforms", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "root")
			if _, err := im.Flatten(context.Background(), dest, unpack.Limits{}); err != nil {
				t.Fatal(err)
			}
			if got := snapshot(t, dest)["platform"]; got != "-rw-r--r-- "+tc.want {
				t.Errorf("flattened %q, want the %s image", got, tc.want)
			}
		})
	}
}

// openErrorCase is a path Open must refuse.
type openErrorCase struct {
	name string
	path func(t *testing.T, dir string) string
	want error
	text string // in the message
}

func openErrorCases(tb testing.TB) []openErrorCase {
	good := dockerBytes(tb, testTag, whiteoutImage(tb))
	return []openErrorCase{
		{"missing file", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope.tar") }, unpack.ErrNotFound, "docker save"},
		{"empty file", bytesAt(nil), ErrNotImage, "the file is empty"},
		{"a zip", bytesAt(zipBytes(tb)), ErrNotImage, "not a tar archive"},
		{"random bytes", bytesAt(randomBytes(4096)), ErrNotImage, "not a tar archive"},
		{"a gzipped docker archive", bytesAt(gz(tb, good)), ErrNotImage, "gzip-compressed"},
		{"a tar without manifest.json or index.json", func(t *testing.T, dir string) string {
			return writeTar(t, filepath.Join(dir, "x.tar"), tarFile{name: "README", body: "hi"})
		}, ErrNotImage, "no manifest.json or index.json"},
		{"a directory that is not a layout", func(t *testing.T, dir string) string { return dir }, ErrNotImage, "no manifest.json"},
		{"a truncated docker archive", bytesAt(good[:len(good)/2]), unpack.ErrCorrupt, "re-create"},
		{"manifest.json that is not JSON", rewrite(good, func(name string, b []byte) []byte {
			return when(name == "manifest.json", []byte("[{"), b)
		}), unpack.ErrCorrupt, "parsing manifest.json"},
		{"a config that does not match its digest", rewrite(good, func(name string, b []byte) []byte {
			return when(strings.HasPrefix(name, "sha256:"), bytes.Replace(b, []byte("amd64"), []byte("arm64"), 1), b)
		}), unpack.ErrCorrupt, "does not match its digest"},
		{"a layer blob missing", rewrite(good, func(name string, b []byte) []byte {
			return when(name == "manifest.json", bytes.Replace(b, []byte(".tar.gz"), []byte(".tgz"), 1), b)
		}), unpack.ErrCorrupt, "not exist"},
		{"more layers than diff IDs", rewrite(good, func(name string, b []byte) []byte {
			return when(name == "manifest.json", bytes.Replace(b, []byte(`"Layers":[`), []byte(`"Layers":["x.tar",`), 1), b)
		}), unpack.ErrCorrupt, "lists 4 layers but the config lists 3"},
		{"an OCI layout missing a layer blob", ociWithoutLayer(tb), unpack.ErrCorrupt, "layer sha256:"},
		{"an OCI index entry that is not an image", ociArtifact, ErrNotImage, "not an image manifest or index"},
		{"an OCI manifest declaring 5 MiB", ociHugeManifest, unpack.ErrCorrupt, "more than the 4194304 any manifest needs"},
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range openErrorCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path(t, t.TempDir())
			_, err := Open(context.Background(), p, "")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Open error = %v, want %v naming %s and saying %q", err, tc.want, p, tc.text)
			}
		})
	}
}

// bytesAt returns a path maker writing b.
func bytesAt(b []byte) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string { return writeFile(t, filepath.Join(dir, "in.tar"), string(b)) }
}

// when returns a if cond, else b.
func when(cond bool, a, b []byte) []byte {
	if cond {
		return a
	}
	return b
}

// rewrite returns a path maker writing the archive b with each member's
// body passed through fn.
func rewrite(b []byte, fn func(name string, body []byte) []byte) func(t *testing.T, dir string) string {
	return rewriteNames(b, func(name string, body []byte) (string, []byte) { return name, fn(name, body) })
}

// rewriteNames returns a path maker writing the archive b with each member's
// name and body passed through fn.
func rewriteNames(b []byte, fn func(name string, body []byte) (string, []byte)) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		var files []tarFile
		tr := tar.NewReader(bytes.NewReader(b))
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			name, body := fn(hdr.Name, body)
			files = append(files, tarFile{name: name, body: string(body), typ: hdr.Typeflag, link: hdr.Linkname})
		}
		return writeTar(t, filepath.Join(dir, "rewritten.tar"), files...)
	}
}

func zipBytes(tb testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("index.js")
	io.WriteString(w, "exports.handler = 1")
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// ociWithoutLayer returns a path maker writing an OCI layout of
// whiteoutImage without its first layer's blob.
func ociWithoutLayer(tb testing.TB) func(t *testing.T, dir string) string {
	img := whiteoutImage(tb)
	return func(t *testing.T, dir string) string {
		d := writeOCIDir(t, filepath.Join(dir, "layout"), map[string]v1.Image{"x": img})
		l, _ := layers(t, img)[0].Digest()
		if err := os.Remove(filepath.Join(d, filepath.FromSlash(blobPath(l)))); err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// ociArtifact writes an OCI layout whose only entry is an artifact, not an
// image.
func ociArtifact(t *testing.T, dir string) string {
	d := filepath.Join(dir, "layout")
	p, err := layout.Write(d, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"schemaVersion":2}`)
	h, _, err := v1.SHA256(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteBlob(h, io.NopCloser(bytes.NewReader(body))); err != nil {
		t.Fatal(err)
	}
	desc := v1.Descriptor{MediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Size: int64(len(body)), Digest: h}
	if err := p.AppendDescriptor(desc); err != nil {
		t.Fatal(err)
	}
	return d
}

// ociHugeManifest writes an OCI layout whose index points at a manifest
// declared 5 MiB.
func ociHugeManifest(t *testing.T, dir string) string {
	d := filepath.Join(dir, "layout")
	p, err := layout.Write(d, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	h := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	if err := p.AppendDescriptor(v1.Descriptor{MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 5 << 20, Digest: h}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTarSourceLinks reads members of an outer tar through the links
// docker save and hand-made archives use.
func TestTarSourceLinks(t *testing.T) {
	p := writeTar(t, filepath.Join(t.TempDir(), "links.tar"),
		tarFile{name: "./a/layer.tar", body: "A"},
		tarFile{name: "b/layer.tar", typ: tar.TypeSymlink, link: "../a/layer.tar"},
		tarFile{name: "c/layer.tar", typ: tar.TypeSymlink, link: "/a/layer.tar"},
		tarFile{name: "d/layer.tar", typ: tar.TypeLink, link: "b/layer.tar"},
		tarFile{name: "loop", typ: tar.TypeSymlink, link: "loop"},
		tarFile{name: "dir/", typ: tar.TypeDir},
		tarFile{name: "out", typ: tar.TypeSymlink, link: "../../../etc/passwd"},
	)
	src, err := indexTar(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a/layer.tar", "/a/layer.tar", "b/layer.tar", "c/layer.tar", "d/layer.tar"} {
		rc, size, err := src.open(name)
		if err != nil {
			t.Errorf("open(%q): %v", name, err)
			continue
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "A" || size != 1 {
			t.Errorf("open(%q) = %q (%d bytes), want A", name, b, size)
		}
	}
	for _, name := range []string{"loop", "dir", "out", "missing"} {
		if _, _, err := src.open(name); err == nil {
			t.Errorf("open(%q) succeeded, want an error", name)
		}
	}
}
