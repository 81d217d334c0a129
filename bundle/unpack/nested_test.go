package unpack

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type nestedCase struct {
	name    string
	entries []entry
	lim     Limits
	want    *Result // Bytes is not compared; $SRC stands for the artifact path
	tree    map[string]string
}

// nestedCases are archives holding other archives. Absolute names point into
// outside.
func nestedCases(tb testing.TB, outside string) []nestedCase {
	z := func(entries ...entry) string { return string(buildZip(tb, entries...)) }
	layer := z(entry{name: "nodejs/node_modules/x/package.json", body: `{"name":"x"}`})
	chain := z(entry{name: "b.zip", body: z(entry{name: "c.zip", body: z(entry{name: "d.txt", body: "deep"})})})
	corruptData := buildZip(tb, entry{name: "first.txt", body: "fine", store: true}, entry{name: "second.txt", body: "hello", store: true})
	corruptData = bytes.Replace(corruptData, []byte("hello"), []byte("jello"), 1)
	abs := filepath.Join(outside, "evil-nested.txt")
	const zipFile = "-rw-r--r-- (zip)"
	return []nestedCase{{
		name:    "layer zip",
		entries: []entry{{name: "index.js", body: "ok"}, {name: "layers/common.zip", body: layer}},
		want:    &Result{Files: 3, Nested: []string{"layers/common.zip"}},
		tree: map[string]string{
			"index.js": "-rw-r--r-- ok", "layers": "drwxr-xr-x", "layers/common.zip": zipFile,
			"layers/common.zip!":                                    "drwxr-xr-x",
			"layers/common.zip!/nodejs":                             "drwxr-xr-x",
			"layers/common.zip!/nodejs/node_modules":                "drwxr-xr-x",
			"layers/common.zip!/nodejs/node_modules/x":              "drwxr-xr-x",
			"layers/common.zip!/nodejs/node_modules/x/package.json": `-rw-r--r-- {"name":"x"}`,
		},
	}, {
		name:    "upper-case extension",
		entries: []entry{{name: "LAYER.ZIP", body: z(entry{name: "a.txt", body: "a"})}},
		want:    &Result{Files: 2, Nested: []string{"LAYER.ZIP"}},
		tree:    map[string]string{"LAYER.ZIP": zipFile, "LAYER.ZIP!": "drwxr-xr-x", "LAYER.ZIP!/a.txt": "-rw-r--r-- a"},
	}, {
		name: "jars and fake zips are left alone",
		entries: []entry{
			{name: "lib/app.jar", body: z(entry{name: "META-INF/MANIFEST.MF", body: "m"})},
			{name: "notes.zip", body: "just text"},
		},
		want: &Result{Files: 2},
		tree: map[string]string{"lib": "drwxr-xr-x", "lib/app.jar": zipFile, "notes.zip": "-rw-r--r-- just text"},
	}, {
		name:    "depth limit",
		entries: []entry{{name: "a.zip", body: chain}},
		want: &Result{Files: 3, Nested: []string{"a.zip", "a.zip!/b.zip"}, Notes: []string{
			"nested archive $SRC!/a.zip!/b.zip!/c.zip not extracted: over the nesting depth limit of 3 (raise --max-depth to extract it)",
		}},
		tree: map[string]string{
			"a.zip": zipFile, "a.zip!": "drwxr-xr-x", "a.zip!/b.zip": zipFile,
			"a.zip!/b.zip!": "drwxr-xr-x", "a.zip!/b.zip!/c.zip": zipFile,
		},
	}, {
		name:    "depth 4 reaches the end of the chain",
		entries: []entry{{name: "a.zip", body: chain}},
		lim:     Limits{MaxDepth: 4},
		want:    &Result{Files: 4, Nested: []string{"a.zip", "a.zip!/b.zip", "a.zip!/b.zip!/c.zip"}},
		tree: map[string]string{
			"a.zip": zipFile, "a.zip!": "drwxr-xr-x", "a.zip!/b.zip": zipFile,
			"a.zip!/b.zip!": "drwxr-xr-x", "a.zip!/b.zip!/c.zip": zipFile,
			"a.zip!/b.zip!/c.zip!": "drwxr-xr-x", "a.zip!/b.zip!/c.zip!/d.txt": "-rw-r--r-- deep",
		},
	}, {
		name:    "depth 1 extracts no nested archive",
		entries: []entry{{name: "a.zip", body: chain}},
		lim:     Limits{MaxDepth: 1},
		want: &Result{Files: 1, Notes: []string{
			"nested archive $SRC!/a.zip not extracted: over the nesting depth limit of 1 (raise --max-depth to extract it)",
		}},
		tree: map[string]string{"a.zip": zipFile},
	}, {
		name:    "truncated nested zip is a note",
		entries: []entry{{name: "index.js", body: "ok"}, {name: "layers/x.zip", body: layer[:len(layer)/2]}},
		want:    &Result{Files: 2, Notes: []string{"nested archive $SRC!/layers/x.zip: corrupt or truncated archive"}},
		tree:    map[string]string{"index.js": "-rw-r--r-- ok", "layers": "drwxr-xr-x", "layers/x.zip": zipFile},
	}, {
		name:    "nested zip with corrupt data is a note",
		entries: []entry{{name: "x.zip", body: string(corruptData)}},
		want:    &Result{Files: 2, Notes: []string{"nested archive $SRC!/x.zip: corrupt or truncated archive"}},
		tree:    map[string]string{"x.zip": zipFile, "x.zip!": "drwxr-xr-x", "x.zip!/first.txt": "-rw-r--r-- fine"},
	}, {
		name: "hostile nested zip",
		entries: []entry{{name: "layers/evil.zip", body: z(
			entry{name: "../../../../evil.txt", body: "x"},
			entry{name: abs, body: "x"},
			entry{name: "link", mode: symlink, body: "../../.."},
			entry{name: "ok.txt", body: "ok"},
		)}},
		want: &Result{Files: 2, Nested: []string{"layers/evil.zip"}, Rejected: []*EntryError{
			{Archive: "$SRC!/layers/evil.zip", Entry: "../../../../evil.txt", Reason: reasonEscapes},
			{Archive: "$SRC!/layers/evil.zip", Entry: abs, Reason: reasonAbsolute},
			{Archive: "$SRC!/layers/evil.zip", Entry: "link", Reason: reasonLinkOut + "../../.."},
		}},
		tree: map[string]string{
			"layers": "drwxr-xr-x", "layers/evil.zip": zipFile,
			"layers/evil.zip!": "drwxr-xr-x", "layers/evil.zip!/ok.txt": "-rw-r--r-- ok",
		},
	}, {
		name:    "name clash with the extraction directory",
		entries: []entry{{name: "x.zip!", body: "a file"}, {name: "x.zip", body: z(entry{name: "a.txt", body: "a"})}},
		want: &Result{Files: 2, Rejected: []*EntryError{
			{Archive: "$SRC", Entry: "x.zip", Reason: "cannot be written: not a directory (it clashes with an earlier entry)"},
		}},
		tree: map[string]string{"x.zip!": "-rw-r--r-- a file", "x.zip": zipFile},
	}}
}

func TestZipNested(t *testing.T) {
	outside := t.TempDir()
	for _, tc := range nestedCases(t, outside) {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			sb.outside = outside
			src := writeArtifact(t, "app.zip", buildZip(t, tc.entries...))
			res, err := Zip(context.Background(), src, sb.dest, tc.lim)
			if err != nil {
				t.Fatalf("Zip: %v", err)
			}
			if diff := cmp.Diff(tc.want, redact(res, src), cmpopts.IgnoreFields(Result{}, "Bytes"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tree, tree(t, sb.dest)); diff != "" {
				t.Errorf("dest tree (-want +got):\n%s", diff)
			}
			sb.assertConfined(t)
		})
	}
}

// TestZipWheelsAndEggs: Python wheels and eggs shipped in a bundle are
// extracted beside themselves, so their metadata is catalogued; jars are
// left whole for syft.
func TestZipWheelsAndEggs(t *testing.T) {
	wheel := buildZip(t, entry{name: "requests-2.28.1.dist-info/METADATA", body: "Name: requests\nVersion: 2.28.1\n"})
	egg := buildZip(t, entry{name: "EGG-INFO/PKG-INFO", body: "Name: six\nVersion: 1.16.0\n"})
	jar := buildZip(t, entry{name: "META-INF/MANIFEST.MF", body: "Manifest-Version: 1.0\n"})
	src := writeArtifact(t, "fn.zip", buildZip(t,
		entry{name: "vendor/requests-2.28.1-py3-none-any.whl", body: string(wheel), store: true},
		entry{name: "vendor/six-1.16.0-py3.11.egg", body: string(egg), store: true},
		entry{name: "lib/app.jar", body: string(jar), store: true},
	))
	dest := filepath.Join(t.TempDir(), "d")
	res, err := Zip(context.Background(), src, dest, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"vendor/requests-2.28.1-py3-none-any.whl", "vendor/six-1.16.0-py3.11.egg"}
	if diff := cmp.Diff(want, res.Nested); diff != "" {
		t.Errorf("nested (-want +got):\n%s", diff)
	}
	for _, p := range []string{"vendor/requests-2.28.1-py3-none-any.whl!/requests-2.28.1.dist-info/METADATA", "vendor/six-1.16.0-py3.11.egg!/EGG-INFO/PKG-INFO"} {
		if _, err := os.Stat(filepath.Join(dest, filepath.FromSlash(p))); err != nil {
			t.Errorf("%s not extracted: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "lib", "app.jar!")); err == nil {
		t.Error("a jar was extracted; syft reads jars itself")
	}
}
