package audit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTreeSHA256(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app.py", "print(1)")
	write("requests-2.28.1.dist-info/METADATA", "Name: requests\nVersion: 2.28.1\n")
	a, err := treeSHA256(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := treeSHA256(dir)
	if a != b || len(a) != 64 {
		t.Fatalf("digest not stable: %s %s", a, b)
	}
	write("requests-2.28.1.dist-info/METADATA", "Name: requests\nVersion: 2.31.0\n")
	if c, _ := treeSHA256(dir); c == a {
		t.Error("a changed file did not change the digest")
	}
	os.Symlink("/etc", filepath.Join(dir, "escape"))
	d, err := treeSHA256(dir)
	if err != nil || d == a {
		t.Errorf("symlink: %s, %v", d, err)
	}
}
