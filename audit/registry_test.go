package audit

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/fnaudit/fnaudit/reports"
)

// pushTestImage pushes a small Debian-based Lambda image to an in-process
// registry on loopback and returns its reference.
func pushTestImage(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{
		"etc/os-release":                            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
		"var/lib/dpkg/status":                       "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nSource: zlib\nArchitecture: amd64\n\n",
		"var/task/node_modules/lodash/package.json": `{"name":"lodash","version":"4.17.15"}`,
	} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimPrefix(srv.URL, "http://") + "/thumbnailer:1.0"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

func packageNames(fn reports.Function) string {
	var names []string
	for _, p := range fn.Packages {
		names = append(names, p.Ecosystem+"/"+p.Name+"@"+p.Version)
	}
	return strings.Join(names, " ")
}

// TestRegistryImages: an image named on the command line is pulled from its
// registry; one a manifest names is pulled only with AllowNetwork, and
// otherwise the function is incomplete with a way to provide it.
func TestRegistryImages(t *testing.T) {
	ref := pushTestImage(t)
	cfg := DefaultConfig()
	cfg.DBDir = "../testdata/osvdb"
	want := "Debian:12/zlib@1:1.2.13.dfsg-1 npm/lodash@4.17.15"

	r, err := Run(context.Background(), cfg, "registry:"+ref)
	if err != nil {
		t.Fatal(err)
	}
	if fn := r.Functions[0]; fn.Status != reports.StatusOK || packageNames(fn) != want {
		t.Fatalf("registry:%s: %s %v, packages %q", ref, fn.Status, fn.Errors, packageNames(fn))
	}

	dir := t.TempDir()
	template := "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n" +
		"  Thumbnail:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: " + ref + "\n"
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Run(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if fn := r.Functions[0]; fn.Status != reports.StatusIncomplete || !strings.Contains(strings.Join(fn.Errors, " "), "--allow-network") {
		t.Fatalf("without --allow-network: %s %v", fn.Status, fn.Errors)
	}
	cfg.AllowNetwork = true
	r, err = Run(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if fn := r.Functions[0]; fn.Status != reports.StatusOK || packageNames(fn) != want {
		t.Fatalf("with --allow-network: %s %v, packages %q", fn.Status, fn.Errors, packageNames(fn))
	}
}
