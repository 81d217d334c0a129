package bundled

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Bounds on what is read of an artifact. Bundles, maps and metafiles are
// hostile input: a file over its limit is skipped and named in a warning,
// never read in part as if it were whole.
const (
	// maxFileBytes bounds one map, metafile, stats file, SBOM or bundle.
	maxFileBytes = 64 << 20
	// maxTotalBytes bounds everything read from one artifact.
	maxTotalBytes = 512 << 20
	// maxEntries bounds the entries walked in one artifact.
	maxEntries = 200_000
	// maxCandidates bounds the files examined in one artifact.
	maxCandidates = 10_000
	// headBytes is how much of a file is sniffed (JSON kind, bundle signs).
	headBytes = 64 << 10
	// tailBytes is how much of a bundle's end Detect reads for its
	// sourceMappingURL comment.
	tailBytes = 8 << 10
)

// errTooLarge marks a file over maxFileBytes or over the artifact's budget.
var errTooLarge = errors.New("too large")

// fileKind is what a candidate file may be.
type fileKind int

const (
	kindJS      fileKind = iota // .js, .mjs, .cjs: a bundle or first-party code
	kindMap                     // *.map: a source map
	kindJSON                    // *.json: maybe a metafile, stats file or SBOM
	kindLicense                 // *.LICENSE.txt (webpack), *.LEGAL.txt (esbuild): extracted legal comments
)

// candidate is a file of the artifact worth reading.
type candidate struct {
	rel  string // slash path relative to the artifact root
	kind fileKind
	size int64
}

// tree is an unpacked artifact opened for reading: every open goes through
// an os.Root, so no path (a sourceMappingURL, a symlink) reaches outside
// the artifact, and every read counts against one budget.
type tree struct {
	root   *os.Root
	files  []candidate // in walk (lexical) order
	index  map[string]bool
	budget int64 // bytes left to read (whole files and sniffs)
	// truncated is set when the walk stopped at maxEntries or maxCandidates.
	truncated bool
}

// openTree lists the candidate files of dir, outside node_modules.
func openTree(dir string) (*tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	t := &tree{root: root, index: map[string]bool{}, budget: maxTotalBytes}
	if err := t.walk(); err != nil {
		root.Close()
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	return t, nil
}

var errStop = errors.New("stop")

func (t *tree) walk() error {
	seen := 0
	err := fs.WalkDir(t.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // an unreadable folder: what else is readable still counts
		}
		if seen++; seen > maxEntries || len(t.files) >= maxCandidates {
			t.truncated = true
			return errStop
		}
		if d.IsDir() {
			if p != "." && (d.Name() == "node_modules" || d.Name() == ".git") {
				return fs.SkipDir
			}
			return nil
		}
		k, ok := kindOf(d.Name())
		if !ok || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		t.files = append(t.files, candidate{rel: p, kind: k, size: info.Size()})
		t.index[p] = true
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// kindOf classifies a file by its name.
func kindOf(name string) (fileKind, bool) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".map"):
		return kindMap, true
	case strings.HasSuffix(lower, ".json"):
		return kindJSON, true
	case strings.HasSuffix(lower, ".license.txt"), strings.HasSuffix(lower, ".legal.txt"):
		return kindLicense, true
	}
	switch path.Ext(lower) {
	case ".js", ".mjs", ".cjs":
		return kindJS, true
	}
	return 0, false
}

func (t *tree) close() { t.root.Close() }

// has says whether rel is a candidate file of the artifact.
func (t *tree) has(rel string) bool { return t.index[rel] }

// read returns the whole of file rel, failing with errTooLarge rather than
// returning a part of it.
func (t *tree) read(rel string) ([]byte, error) {
	f, err := t.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxFileBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the %d MiB limit", errTooLarge, fi.Size(), maxFileBytes>>20)
	}
	if fi.Size() > t.budget {
		return nil, fmt.Errorf("%w: over the %d MiB read per artifact", errTooLarge, maxTotalBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, min(maxFileBytes, t.budget)+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > min(maxFileBytes, t.budget) {
		return nil, fmt.Errorf("%w: grew while read", errTooLarge)
	}
	t.budget -= int64(len(data))
	return data, nil
}

// sniff returns up to headBytes of the start of file rel and up to
// tailBytes of its end (nil when the head holds the whole file).
func (t *tree) sniff(rel string) (head, tail []byte, err error) {
	f, err := t.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if t.budget < headBytes+tailBytes {
		return nil, nil, fmt.Errorf("%w: over the %d MiB read per artifact", errTooLarge, maxTotalBytes>>20)
	}
	head, err = io.ReadAll(io.LimitReader(f, headBytes))
	t.budget -= int64(len(head))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() <= headBytes {
		return head, nil, err
	}
	off := max(fi.Size()-tailBytes, headBytes)
	tail = make([]byte, fi.Size()-off)
	n, err := f.ReadAt(tail, off)
	t.budget -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return head, tail[:n], nil
}
