package vuln

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeTestState writes a state file for dir.
func writeTestState(t *testing.T, dir string, s State) {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, MetaDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(StatePath(dir), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDBStatus describes archives through the index: counts, size, and
// updated/source only when the state file describes the archive on disk.
func TestDBStatus(t *testing.T) {
	dir := managedDB(t, "npm", "PyPI", "Go")
	npm := filepath.Join(dir, "npm", zipName)
	fi, _ := os.Stat(npm)
	updated := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	checked := updated.Add(48 * time.Hour)
	writeTestState(t, dir, State{Ecosystems: map[string]ArchiveState{
		"npm": {Source: "https://mirror/npm/all.zip", Updated: updated, Checked: checked, Size: fi.Size(), ModTime: fi.ModTime()},
		// PyPI's state is for another archive: replaced by hand since.
		"PyPI": {Source: "https://mirror/PyPI/all.zip", Updated: updated, Size: 1, SHA256: "00"},
	}})
	os.WriteFile(filepath.Join(dir, "Go", zipName), []byte("not a zip"), 0o644)
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name             string
		Records, Size    int64
		Updated, Checked time.Time
		Source           string
		Broken           bool
	}
	var got []row
	for _, s := range st {
		got = append(got, row{s.Name, int64(s.Records), s.Size, s.Updated, s.Checked, s.Source, s.Err != nil})
		if s.Err == nil && (s.SHA256 != fileSHA256(s.Path) || !s.ModTime.Equal(mtime(t, s.Path))) {
			t.Errorf("%s: sha256 %s, mtime %v do not describe %s", s.Name, s.SHA256, s.ModTime, s.Path)
		}
	}
	want := []row{
		{Name: "Go", Size: 9, Broken: true},
		{Name: "PyPI", Records: 74, Size: size(t, filepath.Join(dir, "PyPI", zipName))},
		{Name: "npm", Records: 63, Size: fi.Size(), Updated: updated, Checked: checked, Source: "https://mirror/npm/all.zip"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if u, ok := db.Updated("npm"); !ok || !u.Equal(checked) {
		t.Errorf("Updated(npm) = %v, %v; want the last check %v", u, ok, checked)
	}
	if u, ok := db.Updated("PyPI"); !ok || !u.Equal(mtime(t, filepath.Join(dir, "PyPI", zipName))) {
		t.Errorf("Updated(PyPI) = %v, %v; want the archive's mtime", u, ok)
	}
	if _, ok := db.Updated("Maven"); ok {
		t.Error("Updated(Maven) is known for a database without Maven")
	}
}

// TestDBStatusCopiedArchive: a copy that kept the bytes but not the mtime
// is still described by the state (by SHA-256).
func TestDBStatusCopiedArchive(t *testing.T) {
	dir := managedDB(t, "npm")
	npm := filepath.Join(dir, "npm", zipName)
	fi, _ := os.Stat(npm)
	a := ArchiveState{Source: "s", Updated: time.Now(), Size: fi.Size(), SHA256: fileSHA256(npm),
		ModTime: fi.ModTime().Add(-time.Hour)}
	if !a.Describes(npm) {
		t.Error("the state does not describe a copy with the same bytes")
	}
	a.SHA256 = "other"
	if a.Describes(npm) {
		t.Error("the state describes an archive with other bytes")
	}
}

// TestDBStatusCorruptState: an unreadable state file is an error, the
// statuses still come.
func TestDBStatusCorruptState(t *testing.T) {
	dir := managedDB(t, "npm")
	os.WriteFile(StatePath(dir), []byte("{"), 0o644)
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(context.Background())
	if err == nil || len(st) != 1 || st[0].Records != 63 || st[0].Source != "" {
		t.Errorf("Status = %+v, %v; want npm's status and an error", st, err)
	}
}

func mtime(t *testing.T, p string) time.Time {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.ModTime()
}

func size(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
