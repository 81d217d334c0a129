package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// entry is one member of a layer tar built by a test.
type entry struct {
	name  string
	body  string
	typ   byte   // 0 means a regular file, or a directory when name ends in "/"
	link  string // target of a symlink or hard link
	mode  int64  // 0 means 0644 (0755 for directories)
	zeros int64  // if set, the body is this many zero bytes
}

// dir, file, exe, symlink and hardlink shorten the entries of test tables.
func dir(name string) entry              { return entry{name: name, typ: tar.TypeDir} }
func file(name, body string) entry       { return entry{name: name, body: body} }
func exe(name, body string) entry        { return entry{name: name, body: body, mode: 0o4755} }
func symlink(name, target string) entry  { return entry{name: name, typ: tar.TypeSymlink, link: target} }
func hardlink(name, target string) entry { return entry{name: name, typ: tar.TypeLink, link: target} }

// layerTar returns an uncompressed layer tar holding entries.
func layerTar(tb testing.TB, entries ...entry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := addEntry(tw, e); err != nil {
			tb.Fatalf("building layer entry %q: %v", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func addEntry(tw *tar.Writer, e entry) error {
	h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: e.mode, Format: tar.FormatPAX}
	if h.Typeflag == 0 {
		h.Typeflag = tar.TypeReg
	}
	if h.Mode == 0 {
		h.Mode = 0o644
		if h.Typeflag == tar.TypeDir {
			h.Mode = 0o755
		}
	}
	if h.Typeflag == tar.TypeReg {
		h.Size = int64(len(e.body)) + e.zeros
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if e.zeros > 0 {
		if _, err := io.CopyN(tw, zeroReader{}, e.zeros); err != nil {
			return err
		}
	}
	_, err := io.WriteString(tw, e.body)
	return err
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// gz returns b gzip-compressed.
func gz(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// layerOf returns a go-containerregistry layer of the tar (or compressed
// tar) b.
func layerOf(tb testing.TB, b []byte, opts ...tarball.LayerOption) v1.Layer {
	tb.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// testConfig is the config every test image gets.
var testConfig = Config{
	Entrypoint:   []string{"/lambda-entrypoint.sh"},
	Cmd:          []string{"app.handler"},
	WorkingDir:   "/var/task",
	Env:          []string{"PATH=/usr/bin", "LAMBDA_TASK_ROOT=/var/task"},
	Architecture: "amd64",
	OS:           "linux",
}

// buildImage returns an image of the layers (tars, gzipped by
// go-containerregistry), with testConfig.
func buildImage(tb testing.TB, layers ...[]byte) v1.Image {
	tb.Helper()
	ls := make([]v1.Layer, len(layers))
	for i, b := range layers {
		ls[i] = layerOf(tb, b)
	}
	return imageOf(tb, ls...)
}

// imageOf returns an image of the layers, with testConfig.
func imageOf(tb testing.TB, layers ...v1.Layer) v1.Image {
	tb.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		tb.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		tb.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = testConfig.Architecture, testConfig.OS
	cf.Config.Entrypoint, cf.Config.Cmd = testConfig.Entrypoint, testConfig.Cmd
	cf.Config.WorkingDir, cf.Config.Env = testConfig.WorkingDir, testConfig.Env
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// writeDocker writes the images, by tag, as a docker archive (what docker
// save writes) at path.
func writeDocker(tb testing.TB, path string, images map[string]v1.Image) string {
	tb.Helper()
	refs := map[name.Reference]v1.Image{}
	for tag, img := range images {
		t, err := name.NewTag(tag)
		if err != nil {
			tb.Fatal(err)
		}
		refs[t] = img
	}
	if err := tarball.MultiRefWriteToFile(path, refs); err != nil {
		tb.Fatal(err)
	}
	return path
}

// dockerBytes returns the docker archive of img tagged tag.
func dockerBytes(tb testing.TB, tag string, img v1.Image) []byte {
	tb.Helper()
	p := writeDocker(tb, filepath.Join(tb.TempDir(), "image.tar"), map[string]v1.Image{tag: img})
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// writeOCIDir writes the images, by ref.name annotation, as an OCI image
// layout directory at dir.
func writeOCIDir(tb testing.TB, dir string, images map[string]v1.Image) string {
	tb.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, 0, len(images))
	for n := range images {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := p.AppendImage(images[n], layout.WithAnnotations(map[string]string{annotationRefName: n})); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// tarDir packs the directory dir into the tar file out, in name order.
func tarDir(tb testing.TB, dir, out string) string {
	tb.Helper()
	var files []tarFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			files = append(files, tarFile{name: filepath.ToSlash(rel) + "/", typ: tar.TypeDir})
			return nil
		}
		b, err := os.ReadFile(p)
		files = append(files, tarFile{name: filepath.ToSlash(rel), body: string(b)})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return writeTar(tb, out, files...)
}

// tarFile is one member of an archive's outer tar built by a test.
type tarFile struct {
	name, body string
	typ        byte
	link       string
}

// writeTar writes files as a tar at path.
func writeTar(tb testing.TB, path string, files ...tarFile) string {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Linkname: f.link, Mode: 0o644, Size: int64(len(f.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// writeFile writes body at path.
func writeFile(tb testing.TB, path, body string) string {
	tb.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mustJSON returns v as JSON.
func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// snapshot returns everything under dest: "drwxr-xr-x" for a directory,
// "<mode> <content>" for a file. Anything else is a test failure.
func snapshot(tb testing.TB, dest string) map[string]string {
	tb.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dest {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			got[filepath.ToSlash(rel)] = fi.Mode().String()
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[filepath.ToSlash(rel)] = fi.Mode().String() + " " + string(b)
		default:
			tb.Errorf("%s is a %v: only directories and regular files may be written", rel, fi.Mode().Type())
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// dirNames returns the names in dir, sorted.
func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}
