package image

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/google/go-cmp/cmp"
)

// The corpus image of media-pipeline's ThumbnailFunction, and its ImageUri
// in media-pipeline/template.yaml.
const (
	corpusImage = "media-pipeline/images/thumbnailer-1.4.2.tar"
	corpusRef   = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/media-pipeline/thumbnailer:1.4.2"
)

// expectedLocation is one ThumbnailFunction row of EXPECTED.tsv, its
// location split as "<image>!/<layer blob>!/<path in layer>".
type expectedLocation struct{ pkg, layer, path string }

// thumbnailerRows reads the ThumbnailFunction rows of EXPECTED.tsv.
func thumbnailerRows(t *testing.T, corpus string) []expectedLocation {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []expectedLocation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 6 || cols[1] != "ThumbnailFunction" {
			continue
		}
		parts := strings.SplitN(cols[5], "!/", 3)
		if len(parts) != 3 || parts[0] != corpusImage {
			t.Fatalf("EXPECTED.tsv location %q is not %s!/<layer>!/<path>", cols[5], corpusImage)
		}
		// npm rows mark the function root: ".../var/task!/node_modules/...".
		rows = append(rows, expectedLocation{cols[3], parts[1], strings.ReplaceAll(parts[2], "!/", "/")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCorpusImage(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	im, err := Open(context.Background(), filepath.Join(corpus, corpusImage), corpusRef)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Entrypoint: []string{"/usr/local/bin/npx", "aws-lambda-ric"}, Cmd: []string{"app.handler"},
		WorkingDir: "/var/task", Architecture: "amd64", OS: "linux",
		Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LAMBDA_TASK_ROOT=/var/task"},
	}
	if diff := cmp.Diff(want, im.Config()); diff != "" {
		t.Errorf("Config() mismatch (-want +got):\n%s", diff)
	}
	dest := filepath.Join(t.TempDir(), "root")
	res, err := im.Flatten(context.Background(), dest, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 0 || len(res.Notes) != 1 {
		t.Errorf("Rejected = %v, Notes = %q; want no rejection and one note (the OS layer names its entries from /)", res.Rejected, res.Notes)
	}
	for _, p := range []string{"etc/os-release", "var/lib/dpkg/status", "var/task/node_modules/file-type/package.json"} {
		if fi, err := os.Stat(filepath.Join(dest, p)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file after Flatten: %v", p, err)
		}
	}
	rows := thumbnailerRows(t, corpus)
	if len(rows) < 50 {
		t.Fatalf("%d ThumbnailFunction rows in EXPECTED.tsv, want the 37 Debian and 19 npm ones", len(rows))
	}
	for _, r := range rows {
		if got := res.Origin(r.path); got != r.layer {
			t.Errorf("%s: Origin(%q) = %q, want %q as in EXPECTED.tsv", r.pkg, r.path, got, r.layer)
		}
	}
}

func BenchmarkFlattenCorpusImage(b *testing.B) {
	src := filepath.Join(sharedtest.Dir(b, "corpus"), corpusImage)
	fi, err := os.Stat(src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	for b.Loop() {
		im, err := Open(context.Background(), src, corpusRef)
		if err != nil {
			b.Fatal(err)
		}
		dest := filepath.Join(b.TempDir(), "root")
		if _, err := im.Flatten(context.Background(), dest, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
