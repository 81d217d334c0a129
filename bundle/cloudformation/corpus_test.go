package cloudformation

import (
	"bufio"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/bundle"
	"github.com/fnaudit/fnaudit/internal/sharedtest"
	"github.com/google/go-cmp/cmp"
)

// corpusExposure reads EXPOSURE.tsv: app → function → [exposure, privilege].
func corpusExposure(t *testing.T, corpus string) map[string]map[string][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPOSURE.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][2]string{}
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		if out[cols[0]] == nil {
			out[cols[0]] = map[string][2]string{}
		}
		out[cols[0]][cols[1]] = [2]string{cols[2], cols[3]}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// privilegeMatches reads EXPOSURE.tsv's privilege column: scoped-or-other
// is scoped or unknown, never admin or broad.
func privilegeMatches(want string, got bundle.Privilege) bool {
	if want == "scoped-or-other" {
		return got == bundle.PrivilegeScoped || got == bundle.PrivilegeUnknown
	}
	return string(got) == want
}

// TestCorpusApps loads the corpus's SAM and CloudFormation applications and
// checks functions, artifacts (on disk, in order), exposure and privilege
// against INDEX.md and EXPOSURE.tsv.
func TestCorpusApps(t *testing.T) {
	corpus := sharedtest.Dir(t, "corpus")
	expo := corpusExposure(t, corpus)
	artifacts := map[string]map[string][]string{
		"media-pipeline": {
			"UploadApiFunction":       {"build/UploadApiFunction", "dist/shared-py-layer.zip"},
			"ThumbnailFunction":       {"images/thumbnailer-1.4.2.tar"},
			"MetadataIndexerFunction": {"dist/metadata-indexer.zip"},
			"StatusFunction":          {"dist/status.zip"},
			"CleanupFunction":         {"dist/cleanup.zip", "dist/shared-py-layer.zip"},
		},
		"billing-sync": {
			"InvoiceApiFunction":   {"artifacts/invoice-api.zip"},
			"LedgerWorkerFunction": {"artifacts/ledger-worker.zip"},
			"ExportFunction":       {"artifacts/export.zip"},
		},
	}
	kinds := map[string]bundle.Kind{"media-pipeline": bundle.KindSAM, "billing-sync": bundle.KindCloudFormation}
	for app, fns := range artifacts {
		t.Run(app, func(t *testing.T) {
			dir := filepath.Join(corpus, app)
			manifest, ok := New().Detect(dir)
			if !ok {
				t.Fatalf("Detect(%s) = false", dir)
			}
			a, err := New().Load(context.Background(), manifest)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != kinds[app] || a.Name != app {
				t.Errorf("application %s (%s), want %s (%s)", a.Name, a.Kind, app, kinds[app])
			}
			if len(a.Warnings) > 0 {
				t.Errorf("warnings: %q", a.Warnings)
			}
			var names []string
			for _, fn := range a.Functions {
				names = append(names, fn.Name)
			}
			if diff := cmp.Diff(slices.Sorted(maps.Keys(expo[app])), names); diff != "" {
				t.Errorf("functions (-want +got):\n%s", diff)
			}
			for _, fn := range a.Functions {
				checkCorpusFunction(t, dir, fn, fns[fn.Name], expo[app][fn.Name])
			}
		})
	}
}

func checkCorpusFunction(t *testing.T, dir string, fn *bundle.Function, wantPaths []string, want [2]string) {
	t.Helper()
	var got []string
	for _, a := range fn.Artifacts {
		if a.Problem != "" {
			t.Errorf("%s: artifact %s has a problem: %s", fn.Name, a.Name, a.Problem)
			continue
		}
		rel, err := filepath.Rel(dir, a.Path)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(rel))
		if _, err := os.Stat(a.Path); err != nil {
			t.Errorf("%s: artifact %s: %v", fn.Name, a.Path, err)
		}
	}
	if diff := cmp.Diff(wantPaths, got); diff != "" {
		t.Errorf("%s: artifacts (-want +got):\n%s", fn.Name, diff)
	}
	if string(fn.Exposure()) != want[0] {
		t.Errorf("%s: exposure %s, want %s (triggers %+v)", fn.Name, fn.Exposure(), want[0], fn.Triggers)
	}
	if !privilegeMatches(want[1], fn.Role.Privilege) {
		t.Errorf("%s: privilege %s %q, want %s", fn.Name, fn.Role.Privilege, fn.Role.Reasons, want[1])
	}
}

// TestCorpusBad loads the corpus's broken inputs: the plain CloudFormation
// template with broken artifacts and the SAM template whose artifact is
// missing load (the audit reports the artifacts); the malformed SAM
// template is a parse error naming the file and line.
func TestCorpusBad(t *testing.T) {
	bad := filepath.Join(sharedtest.Dir(t, "corpus"), "bad")
	t.Run("template.json", func(t *testing.T) {
		app, err := New().Load(context.Background(), filepath.Join(bad, "template.json"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"GoodFunction": "good.zip", "ZipSlipFunction": "zip-slip.zip", "AbsolutePathFunction": "absolute-path.zip",
			"SymlinkEscapeFunction": "symlink-escape.zip", "ZipBombFunction": "zip-bomb.zip", "TruncatedZipFunction": "truncated.zip",
			"NotAZipFunction": "not-a-zip.zip", "MissingArtifactFunction": "does-not-exist.zip",
		}
		if len(app.Functions) != len(want) {
			t.Errorf("%d functions, want %d", len(app.Functions), len(want))
		}
		for _, fn := range app.Functions {
			if len(fn.Artifacts) != 1 || fn.Artifacts[0].Path != filepath.Join(bad, "artifacts", want[fn.Name]) {
				t.Errorf("%s: artifacts %+v, want artifacts/%s", fn.Name, fn.Artifacts, want[fn.Name])
			}
			wantExposure := bundle.ExposureInternal
			if fn.Name == "ZipSlipFunction" {
				wantExposure = bundle.ExposurePublic
			}
			if fn.Exposure() != wantExposure {
				t.Errorf("%s: exposure %s, want %s", fn.Name, fn.Exposure(), wantExposure)
			}
		}
	})
	t.Run("missing-artifact-sam", func(t *testing.T) {
		manifest, ok := New().Detect(filepath.Join(bad, "missing-artifact-sam"))
		if !ok {
			t.Fatal("not detected")
		}
		app, err := New().Load(context.Background(), manifest)
		if err != nil {
			t.Fatal(err)
		}
		fn := function(t, app, "GhostFunction")
		if fn.Exposure() != bundle.ExposurePublic || fn.Artifacts[0].Path != filepath.Join(bad, "missing-artifact-sam", "dist", "ghost.zip") {
			t.Errorf("GhostFunction: exposure %s, artifacts %+v", fn.Exposure(), fn.Artifacts)
		}
	})
	t.Run("malformed-sam", func(t *testing.T) {
		manifest, ok := New().Detect(filepath.Join(bad, "malformed-sam"))
		if !ok {
			t.Fatal("not detected: Load must get to say why it is broken")
		}
		_, err := New().Load(context.Background(), manifest)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != manifest || pe.Line != 10 {
			t.Fatalf("Load = %v, want a parse error at %s:10 (the unclosed flow mapping)", err, manifest)
		}
		if !strings.HasPrefix(err.Error(), manifest+":10: ") {
			t.Errorf("error %q does not start with the file and line", err)
		}
	})
}
