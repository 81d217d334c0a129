package unpack

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validZip is a small deployment zip, big enough that its first half holds
// whole entries but no central directory.
func validZip(tb testing.TB) []byte {
	return buildZip(tb,
		entry{name: "index.js", body: strings.Repeat("exports.handler = async () => 1;\n", 40)},
		entry{name: "node_modules/x/package.json", body: `{"name":"x","version":"1.0.0"}`},
		entry{name: "node_modules/x/index.js", body: strings.Repeat("module.exports = 1;\n", 40)},
	)
}

func TestZipArtifactErrors(t *testing.T) {
	html := "<html><body><h1>404</h1></body></html>\r\n"
	valid := validZip(t)
	storedHello := buildZip(t, entry{name: "a.txt", body: "hello, world", store: true})
	for _, tc := range []struct {
		name   string
		src    func(t *testing.T) string
		want   error
		wantIn []string
	}{{
		name:   "not a zip (40 bytes of HTML)",
		src:    func(t *testing.T) string { return writeArtifact(t, "not-a-zip.zip", []byte(html)) },
		want:   ErrNotZip,
		wantIn: []string{"not a zip archive", "40 bytes", "<html>"},
	}, {
		name:   "truncated (first half of a valid zip)",
		src:    func(t *testing.T) string { return writeArtifact(t, "truncated.zip", valid[:len(valid)/2]) },
		want:   ErrCorrupt,
		wantIn: []string{"corrupt or truncated archive", "re-download"},
	}, {
		name:   "empty file",
		src:    func(t *testing.T) string { return writeArtifact(t, "empty.zip", nil) },
		want:   ErrNotZip,
		wantIn: []string{"not a zip archive", "empty"},
	}, {
		name:   "missing file",
		src:    func(t *testing.T) string { return filepath.Join(t.TempDir(), "does-not-exist.zip") },
		want:   ErrNotFound,
		wantIn: []string{"artifact not found"},
	}, {
		name:   "directory",
		src:    func(t *testing.T) string { return t.TempDir() },
		want:   ErrNotZip,
		wantIn: []string{"directory"},
	}, {
		name: "bad checksum",
		src: func(t *testing.T) string {
			return writeArtifact(t, "crc.zip", bytes.Replace(storedHello, []byte("hello"), []byte("jello"), 1))
		},
		want:   ErrCorrupt,
		wantIn: []string{`entry "a.txt"`, "checksum"},
	}, {
		name: "broken local header",
		src: func(t *testing.T) string {
			return writeArtifact(t, "header.zip", append([]byte("XX"), storedHello[2:]...))
		},
		want:   ErrCorrupt,
		wantIn: []string{`entry "a.txt"`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			src := tc.src(t)
			res, err := Zip(context.Background(), src, sb.dest, Limits{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Zip error = %v, want %v", err, tc.want)
			}
			for _, s := range append(tc.wantIn, src) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if res == nil {
				t.Error("Result is nil, want the partial result")
			}
			sb.assertConfined(t)
		})
	}
}

func TestZipDestMustBeEmpty(t *testing.T) {
	sb := newSandbox(t)
	if err := os.MkdirAll(sb.dest, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(sb.dest, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := writeArtifact(t, "app.zip", buildZip(t, entry{name: "keep.txt", body: "theirs"}))
	_, err := Zip(context.Background(), src, sb.dest, Limits{})
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), sb.dest) {
		t.Fatalf("Zip error = %v, want one naming %s as not empty", err, sb.dest)
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Errorf("keep.txt = %q, want it untouched", b)
	}
}

func TestZipCreatesDest(t *testing.T) {
	sb := newSandbox(t)
	src := writeArtifact(t, "app.zip", buildZip(t, entry{name: "index.js", body: "ok"}))
	res, err := Zip(context.Background(), src, sb.dest, Limits{})
	if err != nil {
		t.Fatalf("Zip: %v", err)
	}
	if res.Files != 1 || res.Bytes != 2 {
		t.Errorf("Files = %d, Bytes = %d; want 1, 2", res.Files, res.Bytes)
	}
	fi, err := os.Stat(sb.dest)
	if err != nil || !fi.IsDir() {
		t.Fatalf("dest not created: %v", err)
	}
}
