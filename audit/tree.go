package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// treeSHA256 digests a folder artifact (a `sam build` output, a function
// app folder) so that it is catalogued once per run and cached across runs
// like a zip: SHA-256 over every entry in walk order (names sorted), each as
// its slash path, its type and, for a regular file, its content's SHA-256,
// for a symlink its target. Reads go through os.Root, so a symlink is never
// followed out of the folder.
func treeSHA256(dir string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", dir, err)
	}
	defer root.Close()
	h := sha256.New()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", p, d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := root.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00", target)
		case d.Type().IsRegular():
			f, err := root.Open(p)
			if err != nil {
				return err
			}
			fh := sha256.New()
			_, err = io.Copy(fh, f)
			f.Close()
			if err != nil {
				return err
			}
			h.Write(fh.Sum(nil))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("%s: reading artifact: %w", dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
