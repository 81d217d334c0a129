package serverless

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle/bundletest"
	"github.com/fnaudit/fnaudit/internal/testfs"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		path  string // given to Detect, relative to the temp dir
		want  string // "" when not detected
	}{
		{"state preferred", []string{".serverless/serverless-state.json", "serverless.yml"}, ".", ".serverless/serverless-state.json"},
		{"yml", []string{"serverless.yml", "template.yaml"}, ".", "serverless.yml"},
		{"yaml", []string{"serverless.yaml"}, ".", "serverless.yaml"},
		{"json", []string{"serverless.json"}, ".", "serverless.json"},
		{"yml before yaml", []string{"serverless.yaml", "serverless.yml"}, ".", "serverless.yml"},
		{"typescript", []string{"serverless.ts"}, ".", "serverless.ts"},
		{"packaged folder itself", []string{".serverless/serverless-state.json"}, ".serverless", ".serverless/serverless-state.json"},
		{"file given", []string{"serverless.yml"}, "serverless.yml", "serverless.yml"},
		{"state file given", []string{".serverless/serverless-state.json"}, ".serverless/serverless-state.json", ".serverless/serverless-state.json"},
		{"other file", []string{"template.yaml"}, "template.yaml", ""},
		{"other folder", []string{"template.yaml", "host.json"}, ".", ""},
		{"missing", nil, "nope", ""},
		{"manifest name is a folder", []string{"serverless.yml/x"}, ".", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = "service: x\n"
			}
			testfs.WriteFiles(t, dir, files)
			given := filepath.Join(dir, tt.path)
			got, ok := New().Detect(given)
			want := ""
			if tt.want != "" {
				want = filepath.Join(dir, tt.want)
			}
			if ok != (tt.want != "") || got != want && ok {
				t.Errorf("Detect(%s) = %q, %v; want %q", tt.path, got, ok, want)
			}
		})
	}
}

// TestDetectKeepsRelativePaths checks that the manifest path is joined
// from the given path, not made absolute.
func TestDetectKeepsRelativePaths(t *testing.T) {
	got, ok := New().Detect(filepath.Join("testdata", "packaged"))
	if want := filepath.Join("testdata", "packaged", ".serverless", "serverless-state.json"); !ok || got != want {
		t.Errorf("Detect = %q, %v; want %q", got, ok, want)
	}
}

// TestLoadCodeConfig checks that a configuration written as code is
// refused with advice.
func TestLoadCodeConfig(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{"serverless.ts": "export default {}"})
	_, err := New().Load(t.Context(), filepath.Join(dir, "serverless.ts"))
	if err == nil || !strings.Contains(err.Error(), "serverless package") || !strings.HasPrefix(err.Error(), dir) {
		t.Errorf("Load = %v, want an error naming the file and advising `serverless package`", err)
	}
}

// TestImageArchive checks that a saved image beside the state is used.
func TestImageArchive(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteFiles(t, dir, map[string]string{
		"serverless.yml": `service: img
provider:
  name: aws
  ecr:
    images:
      app:
        path: ./app
functions:
  byName:
    image: app
  byURI:
    image:
      uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1
`,
		".serverless/app.tar":   "not really a tar",
		".serverless/byURI.tar": "not really a tar",
	})
	app := bundletest.Load(t, New(), dir)
	for _, f := range app.Functions {
		a := f.Artifacts[0]
		want := filepath.Join(dir, ".serverless", map[string]string{"byName": "app.tar", "byURI": "byURI.tar"}[f.Name])
		if f.PackageType != "image" || a.Role != "image" || a.Path != want || a.Problem != "" {
			t.Errorf("%s: %s %+v, want image at %s", f.Name, f.PackageType, a, want)
		}
	}
}

// TestLoadCancelled checks that a cancelled context stops Load.
func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := New().Load(ctx, filepath.Join("testdata", "workers", "serverless.yml"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load = %v, want %v", err, context.Canceled)
	}
}
