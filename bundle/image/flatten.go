package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fnaudit/fnaudit/bundle/unpack"
)

// flattener is the state of one Flatten call.
type flattener struct {
	ctx     context.Context
	im      *Image
	lim     limits
	res     *Result
	root    *os.Root // dest: every write goes through it
	tree    *node    // the image root: what dest holds, plus the symlinks
	entries int      // layer entries read so far, all layers
	dirs    int      // directories created so far
	stream  int64    // tar stream bytes inflated so far, all layers
	buf     []byte   // the one copy buffer
	cache   dirCache // the directory last written in

	notes            int // per-entry notes listed
	unlistedRejected int // rejections beyond maxListed
	unlistedNotes    int // per-entry notes beyond maxListed
}

// layerRun is one layer being applied.
type layerRun struct {
	index    int32
	name     string // "<image>!/<blob path>": the archive of its EntryErrors
	absolute int    // entries named with a leading "/"
	links    int    // symlinks recorded
	through  int    // entries placed through a symlink in their directory
	example  string // the first of those, for the note
	st       *layerStream
}

// Flatten writes the image's root file system into dest, which is created if
// missing and must be empty: the layers apply in order, lowest first, with
// OCI/Docker whiteouts (".wh.<name>" deletes <name> of the layers below,
// ".wh..wh..opq" hides everything the layers below put in its directory).
// Zero fields of lim take the [DefaultLimits]; the ratio limit applies to
// each layer's stream as a whole.
//
// Every write goes through an os.Root on dest. Entries that climb out of the
// image with ".." are rejected; a leading "/" means the image root, as for
// docker and containerd. Symlinks are never created: they are listed in
// Result.Symlinks, and later entries whose directory is a symlink are placed
// where the symlink leads inside the image, as the runtime would place them.
// Hard links become copies of their target, which must be a regular file the
// image already holds. Devices and fifos are skipped with a note; files are
// written 0644, or 0755 when any exec bit is set; directories 0755.
//
// A fatal problem returns an error wrapping unpack.ErrCorrupt (including a
// layer whose bytes do not match its digest or diff ID), unpack.ErrLimit or
// ctx.Err(), naming the image and the layer; dest may then hold a partial
// tree, which must not be catalogued. The Result is never nil.
func (im *Image) Flatten(ctx context.Context, dest string, lim unpack.Limits) (*Result, error) {
	f := &flattener{
		ctx:  ctx,
		im:   im,
		lim:  limits{withDefaults(lim)},
		tree: &node{kind: kindDir, kids: map[string]*node{}},
		buf:  make([]byte, 256<<10),
	}
	f.res = &Result{root: f.tree, Symlinks: map[string]string{}}
	for _, l := range im.layers {
		f.res.layers = append(f.res.layers, l.Path)
	}
	root, err := openDest(im.path, dest)
	if err != nil {
		return f.res, err
	}
	defer root.Close()
	f.root = root
	defer f.closeCache()
	for i := range im.layers {
		if err = f.layer(int32(i)); err != nil {
			break
		}
	}
	f.finish()
	return f.res, err
}

// openDest creates dest if needed, opens it as the root of every write and
// checks that it is empty.
func openDest(image, dest string) (*os.Root, error) {
	if err := os.MkdirAll(dest, dirPerm); err != nil {
		return nil, fmt.Errorf("flattening %s: creating the destination: %w", image, err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("flattening %s: opening the destination: %w", image, err)
	}
	d, err := root.Open(".")
	if err == nil {
		var names []string
		names, err = d.Readdirnames(1)
		d.Close()
		if len(names) > 0 {
			err = errors.New("not empty; flatten each image into a fresh directory")
		} else if errors.Is(err, io.EOF) {
			return root, nil
		}
	}
	root.Close()
	return nil, fmt.Errorf("flattening %s: destination %s: %w", image, dest, err)
}

// layer applies the layer of index i.
func (f *flattener) layer(i int32) error {
	l := f.im.layers[i]
	run := &layerRun{index: i, name: f.im.path + "!/" + l.Path}
	st, err := f.openLayer(run, l)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := f.apply(run, st); err != nil {
		return err
	}
	if err := st.finish(); err != nil {
		return err
	}
	f.noteLayer(run)
	return nil
}

// apply reads the entries of the layer's tar stream and applies each.
func (f *flattener) apply(run *layerRun, st *layerStream) error {
	tr := tar.NewReader(st)
	for {
		if err := f.ctx.Err(); err != nil {
			return fmt.Errorf("flattening %s: %w", run.name, err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return st.fail(err, "reading the next entry")
		}
		f.entries++
		if err := f.lim.entries(run.name, f.entries); err != nil {
			return err
		}
		if err := f.entry(run, hdr, tr); err != nil {
			return err
		}
	}
}

// noteLayer adds the layer's summary notes.
func (f *flattener) noteLayer(run *layerRun) {
	if run.absolute > 0 {
		f.res.Notes = append(f.res.Notes, fmt.Sprintf("%s: %d entries named from \"/\" were placed relative to the image root, as docker and containerd place them",
			run.name, run.absolute))
	}
	if run.links > 0 {
		f.res.Notes = append(f.res.Notes, fmt.Sprintf("%s: %d symlinks not materialised (those still in the image are in Result.Symlinks)",
			run.name, run.links))
	}
	if run.through > 0 {
		f.res.Notes = append(f.res.Notes, fmt.Sprintf("%s: %d entries placed through a symlink in their directory, as the runtime would (e.g. %s)",
			run.name, run.through, run.example))
	}
}

// maxListed bounds Result.Rejected and the per-entry Notes: a hostile
// layer of a million long names must not hold gigabytes of them.
const maxListed = 1000

// reject records a hostile entry that was skipped.
func (f *flattener) reject(run *layerRun, entry, reason string) {
	if len(f.res.Rejected) >= maxListed {
		f.unlistedRejected++
		return
	}
	f.res.Rejected = append(f.res.Rejected, &unpack.EntryError{Archive: run.name, Entry: entry, Reason: reason})
}

// note records a harmless entry that was skipped.
func (f *flattener) note(run *layerRun, entry, text string) {
	if f.notes >= maxListed {
		f.unlistedNotes++
		return
	}
	f.notes++
	f.res.Notes = append(f.res.Notes, fmt.Sprintf("%s: entry %q: %s", run.name, entry, text))
}

// finish completes the Result: the symlinks left, and what was not listed.
func (f *flattener) finish() {
	f.res.collectSymlinks()
	if f.unlistedRejected > 0 {
		f.res.Rejected = append(f.res.Rejected, &unpack.EntryError{Archive: f.im.path,
			Reason: fmt.Sprintf("%d more entries rejected, not listed", f.unlistedRejected)})
	}
	if f.unlistedNotes > 0 {
		f.res.Notes = append(f.res.Notes, fmt.Sprintf("%s: %d more entries skipped, not listed", f.im.path, f.unlistedNotes))
	}
}
