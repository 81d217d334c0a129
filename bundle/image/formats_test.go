package image

import (
	"archive/tar"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// format writes images, by name, in one of the forms Open reads, under dir,
// and returns the path to open.
type format struct {
	name  string
	write func(tb testing.TB, dir string, images map[string]v1.Image) string
}

// formats are every form of image Open reads.
var formats = []format{
	{"docker-archive", func(tb testing.TB, dir string, images map[string]v1.Image) string {
		return writeDocker(tb, filepath.Join(dir, "image.tar"), images)
	}},
	{"docker-archive, legacy layout", writeLegacy},
	{"docker-archive with an OCI index (Docker 25+)", writeDocker25},
	{"oci-layout directory", func(tb testing.TB, dir string, images map[string]v1.Image) string {
		return writeOCIDir(tb, filepath.Join(dir, "layout"), images)
	}},
	{"oci-layout tar", func(tb testing.TB, dir string, images map[string]v1.Image) string {
		return tarDir(tb, writeOCIDir(tb, filepath.Join(dir, "layout"), images), filepath.Join(dir, "oci.tar"))
	}},
}

// writeLegacy writes the images as docker save did before Docker 25:
// "<id>/layer.tar" uncompressed, the config as "<hex>.json", and a layer that
// repeats an earlier one stored as a symlink to it.
func writeLegacy(tb testing.TB, dir string, images map[string]v1.Image) string {
	tb.Helper()
	var files []tarFile
	var manifest []map[string]any
	seen := map[v1.Hash]string{}
	for _, tag := range slices.Sorted(maps.Keys(images)) {
		img := images[tag]
		cfgName, cfg := rawConfig(tb, img)
		files = append(files, tarFile{name: cfgName, body: cfg})
		var layerNames []string
		for i, l := range layers(tb, img) {
			diffID, err := l.DiffID()
			if err != nil {
				tb.Fatal(err)
			}
			id := fmt.Sprintf("%s-%d", tag[len(tag)-3:], i)
			layerNames = append(layerNames, id+"/layer.tar")
			files = append(files, tarFile{name: id + "/", typ: tar.TypeDir})
			if first, ok := seen[diffID]; ok {
				files = append(files, tarFile{name: id + "/layer.tar", typ: tar.TypeSymlink, link: "../" + first})
				continue
			}
			seen[diffID] = id + "/layer.tar"
			files = append(files, tarFile{name: id + "/layer.tar", body: uncompressed(tb, l)})
		}
		manifest = append(manifest, map[string]any{"Config": cfgName, "RepoTags": []string{tag}, "Layers": layerNames})
	}
	files = append(files, tarFile{name: "manifest.json", body: mustJSON(tb, manifest)})
	return writeTar(tb, filepath.Join(dir, "legacy.tar"), files...)
}

// writeDocker25 writes the images as Docker 25+ saves them: an OCI layout
// (index.json names each image) with a manifest.json beside it pointing into
// blobs/sha256.
func writeDocker25(tb testing.TB, dir string, images map[string]v1.Image) string {
	tb.Helper()
	ld := filepath.Join(dir, "layout")
	p, err := layout.Write(ld, empty.Index)
	if err != nil {
		tb.Fatal(err)
	}
	var manifest []map[string]any
	for _, tag := range slices.Sorted(maps.Keys(images)) {
		img := images[tag]
		err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
			annotationContainerd: tag, annotationRefName: tag[len(tag)-3:],
		}))
		if err != nil {
			tb.Fatal(err)
		}
		m, err := img.Manifest()
		if err != nil {
			tb.Fatal(err)
		}
		var layerNames []string
		for _, l := range m.Layers {
			layerNames = append(layerNames, blobPath(l.Digest))
		}
		manifest = append(manifest, map[string]any{"Config": blobPath(m.Config.Digest), "RepoTags": []string{tag}, "Layers": layerNames})
	}
	writeFile(tb, filepath.Join(ld, "manifest.json"), mustJSON(tb, manifest))
	return tarDir(tb, ld, filepath.Join(dir, "docker25.tar"))
}

// rawConfig returns the name docker save gives img's config, and the config.
func rawConfig(tb testing.TB, img v1.Image) (string, string) {
	tb.Helper()
	b, err := img.RawConfigFile()
	if err != nil {
		tb.Fatal(err)
	}
	h, err := img.ConfigName()
	if err != nil {
		tb.Fatal(err)
	}
	return h.Hex + ".json", string(b)
}

func layers(tb testing.TB, img v1.Image) []v1.Layer {
	tb.Helper()
	ls, err := img.Layers()
	if err != nil {
		tb.Fatal(err)
	}
	return ls
}

func uncompressed(tb testing.TB, l v1.Layer) string {
	tb.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
