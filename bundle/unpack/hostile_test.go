package unpack

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	symlink = fs.ModeSymlink | 0o777
	srcTag  = "$SRC" // stands for the artifact path in expected messages
)

// rejection is an expected EntryError of the artifact itself.
type rejection struct{ entry, reason string }

type hostileCase struct {
	name     string
	entries  []entry
	rejected []rejection
	tree     map[string]string // everything expected under dest
}

// hostileCases are archives whose hostile entries must be skipped while the
// rest is extracted. Absolute names point into outside.
func hostileCases(outside string) []hostileCase {
	abs := filepath.Join(outside, "evil-absolute.txt")
	return []hostileCase{{
		name: "dot-dot traversal",
		entries: []entry{
			{name: "index.js", body: "ok"},
			{name: "../evil-1.txt", body: "x"},
			{name: "../../evil-2.txt", body: "x"},
			{name: "../../../evil-3.txt", body: "x"},
			{name: "node_modules/../../evil-4.txt", body: "x"},
			{name: "..", body: "x"},
			{name: "lib/../inside.txt", body: "in"},
		},
		rejected: []rejection{
			{"../evil-1.txt", reasonEscapes},
			{"../../evil-2.txt", reasonEscapes},
			{"../../../evil-3.txt", reasonEscapes},
			{"node_modules/../../evil-4.txt", reasonEscapes},
			{"..", reasonEscapes},
		},
		tree: map[string]string{"index.js": "-rw-r--r-- ok", "inside.txt": "-rw-r--r-- in"},
	}, {
		name: "absolute paths",
		entries: []entry{
			{name: abs, body: "x"},
			{name: `C:\evil.txt`, body: "x"},
			{name: "c:/evil.txt", body: "x"},
			{name: "C:evil.txt", body: "x"},
			{name: `\\host\share\evil.txt`, body: "x"},
			{name: "//host/share/evil.txt", body: "x"},
			{name: `\evil.txt`, body: "x"},
		},
		rejected: []rejection{
			{abs, reasonAbsolute},
			{`C:\evil.txt`, reasonDrive},
			{"c:/evil.txt", reasonDrive},
			{"C:evil.txt", reasonDrive},
			{`\\host\share\evil.txt`, reasonAbsolute},
			{"//host/share/evil.txt", reasonAbsolute},
			{`\evil.txt`, reasonAbsolute},
		},
		tree: map[string]string{},
	}, {
		name: "backslash separators",
		entries: []entry{
			{name: `..\evil.txt`, body: "x"},
			{name: `lib\..\..\evil.txt`, body: "x"},
			{name: `lib\ok.txt`, body: "ok"},
		},
		rejected: []rejection{{`..\evil.txt`, reasonEscapes}, {`lib\..\..\evil.txt`, reasonEscapes}},
		tree:     map[string]string{"lib": "drwxr-xr-x", "lib/ok.txt": "-rw-r--r-- ok"},
	}, {
		name:     "NUL in name",
		entries:  []entry{{name: "a.txt\x00../../evil.txt", body: "x"}, {name: "b.txt", body: "b"}},
		rejected: []rejection{{"a.txt\x00../../evil.txt", reasonNUL}},
		tree:     map[string]string{"b.txt": "-rw-r--r-- b"},
	}, {
		name: "symlinks out of the archive",
		entries: []entry{
			{name: "passwd-link", mode: symlink, body: "../../../../../../etc/passwd"},
			{name: "abs-link", mode: symlink, body: outside},
			{name: "lib/up", mode: symlink, body: "../../index.js"},
			{name: "win-link", mode: symlink, body: `C:\Windows`},
			{name: "lib/in", mode: symlink, body: "../index.js"},
		},
		rejected: []rejection{
			{"passwd-link", reasonLinkOut + "../../../../../../etc/passwd"},
			{"abs-link", reasonLinkOut + outside},
			{"lib/up", reasonLinkOut + "../../index.js"},
			{"win-link", reasonLinkOut + `C:\Windows`},
		},
		tree: map[string]string{},
	}, {
		name: "write through a symlink entry",
		entries: []entry{
			{name: "escape", mode: symlink, body: outside},
			{name: "escape/evil-through-symlink.txt", body: "x"},
		},
		rejected: []rejection{{"escape", reasonLinkOut + outside}},
		tree:     map[string]string{"escape": "drwxr-xr-x", "escape/evil-through-symlink.txt": "-rw-r--r-- x"},
	}, {
		name: "names the file system cannot hold",
		entries: []entry{
			{name: strings.Repeat("d/", 2100) + "f.txt", body: "x"},
			{name: strings.Repeat("d/", 129) + "f.txt", body: "x"},
			{name: strings.Repeat("n", 300), body: "x"},
			{name: "ok.txt", body: "ok"},
		},
		rejected: []rejection{
			{strings.Repeat("d/", 2100) + "f.txt", reasonTooLong},
			{strings.Repeat("d/", 129) + "f.txt", reasonTooDeep},
			{strings.Repeat("n", 300), "cannot be written: file name too long"},
		},
		tree: map[string]string{"ok.txt": "-rw-r--r-- ok"},
	}, {
		name: "entries that cannot be audited",
		entries: []entry{
			{name: "secret.js", body: "x", flags: 0x1},
			{name: "lzma.js", body: "x", raw: &rawData{method: 14, size: 1}},
		},
		rejected: []rejection{
			{"secret.js", "encrypted entry: its contents cannot be audited"},
			{"lzma.js", "unsupported compression method 14: its contents cannot be audited"},
		},
		tree: map[string]string{},
	}, {
		name: "file and directory with one name",
		entries: []entry{
			{name: "a", body: "file"},
			{name: "a/b", body: "x"},
			{name: "d/"},
			{name: "d", body: "x"},
		},
		rejected: []rejection{
			{"a/b", "cannot be written: not a directory (it clashes with an earlier entry)"},
			{"d", "cannot be written: is a directory (it clashes with an earlier entry)"},
		},
		tree: map[string]string{"a": "-rw-r--r-- file", "d": "drwxr-xr-x"},
	}}
}

func TestZipRejectsHostileEntries(t *testing.T) {
	outside := t.TempDir() // absolute names and link targets point here
	for _, tc := range hostileCases(outside) {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			sb.outside = outside
			src := writeArtifact(t, "hostile.zip", buildZip(t, tc.entries...))

			res, err := Zip(context.Background(), src, sb.dest, Limits{})
			if err != nil {
				t.Fatalf("Zip: %v", err)
			}
			var want []*EntryError
			for _, r := range tc.rejected {
				want = append(want, &EntryError{Archive: src, Entry: r.entry, Reason: r.reason})
			}
			if diff := cmp.Diff(want, res.Rejected); diff != "" {
				t.Errorf("Rejected (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tree, tree(t, sb.dest)); diff != "" {
				t.Errorf("dest tree (-want +got):\n%s", diff)
			}
			sb.assertConfined(t)
		})
	}
}

func TestEntryErrorMessage(t *testing.T) {
	e := &EntryError{Archive: "dist/app.zip", Entry: "../evil.txt", Reason: reasonEscapes}
	want := `dist/app.zip: entry "../evil.txt": path escapes the extraction directory`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestEntryPath(t *testing.T) {
	for _, tc := range []struct{ raw, clean, reason string }{
		{"a/b.txt", "a/b.txt", ""},
		{"a/./b/../c.txt", "a/c.txt", ""},
		{"a/../b", "b", ""},
		{"a/../../b", "", reasonEscapes},
		{"./", ".", ""},
		{`a\b\c.txt`, "a/b/c.txt", ""},
		{"dir/", "dir", ""},
		{"/x", "", reasonAbsolute},
		{`C:\x`, "", reasonDrive},
		{`\\host\x`, "", reasonAbsolute},
		{"a\x00b", "", reasonNUL},
		{"...", "...", ""},
		{"..a/b", "..a/b", ""},
		{strings.Repeat("d/", 128) + "f", strings.Repeat("d/", 128) + "f", ""},
		{strings.Repeat("d/", 129) + "f", "", reasonTooDeep},
		{strings.Repeat("d/", 200) + "../", "", reasonTooDeep},
		{strings.Repeat("a/../", 200) + "f", "f", ""},
		{strings.Repeat("x", 4097), "", reasonTooLong},
	} {
		clean, reason := entryPath(tc.raw)
		if clean != tc.clean || reason != tc.reason {
			t.Errorf("entryPath(%q) = %q, %q; want %q, %q", tc.raw, clean, reason, tc.clean, tc.reason)
		}
	}
}

func TestZipSkipsHarmlessEntries(t *testing.T) {
	sb := newSandbox(t)
	src := writeArtifact(t, "harmless.zip", buildZip(t, harmlessEntries()...))
	res, err := Zip(context.Background(), src, sb.dest, Limits{})
	if err != nil {
		t.Fatalf("Zip: %v", err)
	}
	want := &Result{Files: 1, Bytes: 2, Notes: []string{
		`$SRC: entry "lib/current": symlink -> v2 not materialised (symlinks are never created)`,
		`$SRC: entry "pipe": named pipe skipped`,
		`$SRC: entry "sock": socket skipped`,
		`$SRC: entry "tty": character device skipped`,
		`$SRC: entry "disk": device file skipped`,
		`$SRC: entry ".": file named after the extraction directory itself skipped`,
	}}
	if diff := cmp.Diff(want, redact(res, src)); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
	wantTree := map[string]string{"index.js": "-rw-r--r-- ok", "lib": "drwxr-xr-x", "lib/v2": "drwxr-xr-x"}
	if diff := cmp.Diff(wantTree, tree(t, sb.dest)); diff != "" {
		t.Errorf("dest tree (-want +got):\n%s", diff)
	}
	sb.assertConfined(t)
}

// redact returns a copy of res with the artifact path src replaced by $SRC.
func redact(res *Result, src string) *Result {
	out := *res
	out.Notes = nil
	for _, n := range res.Notes {
		out.Notes = append(out.Notes, strings.ReplaceAll(n, src, srcTag))
	}
	out.Rejected = nil
	for _, r := range res.Rejected {
		e := *r
		e.Archive = strings.ReplaceAll(e.Archive, src, srcTag)
		out.Rejected = append(out.Rejected, &e)
	}
	return &out
}

func TestZipPermissions(t *testing.T) {
	sb := newSandbox(t)
	src := writeArtifact(t, "perms.zip", buildZip(t, permEntries()...))
	res, err := Zip(context.Background(), src, sb.dest, Limits{})
	if err != nil {
		t.Fatalf("Zip: %v", err)
	}
	want := map[string]string{
		"private.txt":              "-rw-r--r-- a",
		"world-writable.txt":       "-rw-r--r-- b",
		"bin":                      "drwxr-xr-x",
		"bin/tool":                 "-rwxr-xr-x c",
		"bin/setuid":               "-rwxr-xr-x d",
		"bin/setgid":               "-rw-r--r-- e",
		"bin/sticky":               "-rwxr-xr-x f",
		"open":                     "drwxr-xr-x",
		"shared":                   "drwxr-xr-x",
		"implicit":                 "drwxr-xr-x",
		"implicit/parent":          "drwxr-xr-x",
		"implicit/parent/file.txt": "-rw-r--r-- g",
	}
	if diff := cmp.Diff(want, tree(t, sb.dest)); diff != "" {
		t.Errorf("dest tree (-want +got):\n%s", diff)
	}
	if res.Files != 7 {
		t.Errorf("Files = %d, want 7", res.Files)
	}
}

func TestZipDuplicateNamesOverwrite(t *testing.T) {
	sb := newSandbox(t)
	src := writeArtifact(t, "dup.zip", buildZip(t,
		entry{name: "a.txt", body: "first"},
		entry{name: "a.txt", body: "second"},
		entry{name: "run.sh", body: "v1", mode: 0o755},
		entry{name: "lib/../run.sh", body: "v2", mode: 0o644},
	))
	res, err := Zip(context.Background(), src, sb.dest, Limits{})
	if err != nil {
		t.Fatalf("Zip: %v", err)
	}
	want := map[string]string{"a.txt": "-rw-r--r-- second", "run.sh": "-rw-r--r-- v2"}
	if diff := cmp.Diff(want, tree(t, sb.dest)); diff != "" {
		t.Errorf("dest tree (-want +got):\n%s", diff)
	}
	if res.Files != 4 || len(res.Rejected) != 0 {
		t.Errorf("Files = %d, Rejected = %v; want 4 files written, none rejected", res.Files, res.Rejected)
	}
	sb.assertConfined(t)
}

// harmlessEntries are skipped with notes, never rejected.
func harmlessEntries() []entry {
	return []entry{
		{name: "index.js", body: "ok"},
		{name: "lib/current", mode: symlink, body: "v2"},
		{name: "lib/v2/", mode: fs.ModeDir | 0o755},
		{name: "pipe", mode: fs.ModeNamedPipe | 0o644},
		{name: "sock", mode: fs.ModeSocket | 0o644},
		{name: "tty", mode: fs.ModeDevice | fs.ModeCharDevice | 0o644},
		{name: "disk", mode: fs.ModeDevice | 0o644},
		{name: "./"},
		{name: ".", body: "x"},
	}
}

// permEntries carry modes that must not reach the disk as they are.
func permEntries() []entry {
	return []entry{
		{name: "private.txt", body: "a", mode: 0o600},
		{name: "world-writable.txt", body: "b", mode: 0o666},
		{name: "bin/tool", body: "c", mode: 0o700},
		{name: "bin/setuid", body: "d", mode: fs.ModeSetuid | 0o755},
		{name: "bin/setgid", body: "e", mode: fs.ModeSetgid | 0o644},
		{name: "bin/sticky", body: "f", mode: fs.ModeSticky | 0o777},
		{name: "open/", mode: fs.ModeDir | 0o777},
		{name: "shared/", mode: fs.ModeDir | fs.ModeSetgid | fs.ModeSticky | 0o777},
		{name: "implicit/parent/file.txt", body: "g"},
	}
}
