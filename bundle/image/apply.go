package image

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// entry applies one layer entry, or skips it with a note or a rejection.
func (f *flattener) entry(run *layerRun, hdr *tar.Header, r io.Reader) error {
	name, absolute, reason := entryPath(hdr.Name)
	if reason != "" {
		f.reject(run, hdr.Name, reason)
		return nil
	}
	if absolute {
		run.absolute++
	}
	if base := path.Base(name); strings.HasPrefix(base, whiteoutPrefix) {
		return f.whiteout(run, hdr.Name, name)
	}
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			f.note(run, hdr.Name, "entry for the image root itself skipped")
		}
		return nil
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return f.dir(run, hdr.Name, name)
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		return f.file(run, hdr, name, r)
	case tar.TypeSymlink:
		return f.symlink(run, hdr, name)
	case tar.TypeLink:
		return f.hardlink(run, hdr, name)
	case tar.TypeXGlobalHeader:
		return nil
	}
	f.note(run, hdr.Name, typeName(hdr.Typeflag)+" skipped")
	return nil
}

// typeName names a tar entry type that is not written, in plain words.
func typeName(t byte) string {
	switch t {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "named pipe"
	}
	return "entry of unsupported type " + strconv.QuoteRune(rune(t))
}

// place resolves the entry name through the image's symlinks and creates
// its directory. It returns the path to write and its parent directory, or a
// nil parent when the entry was rejected (err is then fatal or nil).
func (f *flattener) place(run *layerRun, raw, name string) (string, *node, error) {
	p, err := f.tree.resolve(name)
	if err != nil {
		f.reject(run, raw, err.Error())
		return "", nil, nil
	}
	if reason := sizeReason(p); reason != "" {
		f.reject(run, raw, reason+" once its directory's symlinks are followed")
		return "", nil, nil
	}
	if p != name {
		if run.through++; run.example == "" {
			run.example = fmt.Sprintf("%q placed at %q", raw, p)
		}
	}
	parent, err := f.mkdirs(run, raw, path.Dir(p))
	return p, parent, err
}

// dir applies a directory entry.
func (f *flattener) dir(run *layerRun, raw, name string) error {
	p, parent, err := f.place(run, raw, name)
	if parent == nil {
		return err
	}
	if err := f.clear(parent, p, kindDir); err != nil {
		return err
	}
	_, err = f.mkdirs(run, raw, p)
	return err
}

// file applies a regular-file entry.
func (f *flattener) file(run *layerRun, hdr *tar.Header, name string, r io.Reader) error {
	if err := f.lim.size(run.name, hdr.Name, "declares", hdr.Size, f.res.Bytes); err != nil {
		return err
	}
	p, parent, err := f.place(run, hdr.Name, name)
	if parent == nil {
		return err
	}
	return f.write(run, hdr.Name, parent, p, permFor(hdr.Mode), r, func(err error) error {
		return run.st.fail(err, fmt.Sprintf("reading entry %q", hdr.Name))
	})
}

// symlink records a symlink entry, replacing what its path held.
func (f *flattener) symlink(run *layerRun, hdr *tar.Header, name string) error {
	if len(hdr.Linkname) > maxNameLen || strings.ContainsRune(hdr.Linkname, 0) {
		f.reject(run, hdr.Name, reasonLinkLong)
		return nil
	}
	p, parent, err := f.place(run, hdr.Name, name)
	if parent == nil {
		return err
	}
	return f.setLink(run, parent, p, hdr.Linkname)
}

// setLink records at p, in parent, a symlink to target.
func (f *flattener) setLink(run *layerRun, parent *node, p, target string) error {
	if err := f.clear(parent, p, kindSymlink); err != nil {
		return err
	}
	parent.kids[strings.Clone(path.Base(p))] = &node{kind: kindSymlink, target: strings.Clone(target), layer: run.index}
	run.links++
	return nil
}

// hardlink applies a hard link entry as a copy of its target, which must be
// a regular file the image holds already; a link to a symlink is one more
// symlink.
func (f *flattener) hardlink(run *layerRun, hdr *tar.Header, name string) error {
	target, _, reason := entryPath(hdr.Linkname)
	if reason != "" {
		f.reject(run, hdr.Name, "hard link target "+strconv.Quote(hdr.Linkname)+": "+reason)
		return nil
	}
	tp, err := f.tree.resolve(target)
	var tn *node
	if err == nil {
		tn = f.tree.lookup(tp)
	}
	if tn == nil || tn.kind == kindDir {
		f.reject(run, hdr.Name, "hard link to "+strconv.Quote(hdr.Linkname)+", which is not a file the image holds at this point")
		return nil
	}
	p, parent, err := f.place(run, hdr.Name, name)
	switch {
	case parent == nil:
		return err
	case tn.kind == kindSymlink:
		return f.setLink(run, parent, p, tn.target)
	case p == tp:
		f.note(run, hdr.Name, "hard link to itself skipped")
		return nil
	case strings.HasPrefix(tp, p+"/"):
		f.reject(run, hdr.Name, "hard link would replace the directory that holds its target "+strconv.Quote(hdr.Linkname))
		return nil
	}
	return f.copyLink(run, hdr.Name, parent, p, tp)
}

// whiteout applies a whiteout entry: ".wh..wh..opq" hides what the layers
// below put in its directory, ".wh.<name>" deletes <name> of the layers
// below. Whatever this layer wrote stays: the OCI spec applies whiteouts to
// lower layers only, whatever the order of the entries.
func (f *flattener) whiteout(run *layerRun, raw, name string) error {
	p, err := f.tree.resolve(name)
	if err != nil {
		f.reject(run, raw, err.Error())
		return nil
	}
	dir, base := path.Split(p)
	dirNode := f.tree.lookup(path.Clean(dir))
	victim := strings.TrimPrefix(base, whiteoutPrefix)
	switch {
	case base == opaqueMarker:
		if dirNode == nil || dirNode.kind != kindDir {
			return nil // nothing below to hide
		}
		return f.opaque(run, dirNode, path.Clean(dir))
	case strings.HasPrefix(base, whiteoutMeta):
		return nil
	case victim == "" || victim == "." || victim == "..":
		f.reject(run, raw, "whiteout of no file")
		return nil
	}
	kid := dirNode.child(victim)
	switch {
	case kid == nil:
		return nil
	case kid.layer != run.index:
		return f.remove(dirNode, path.Join(dir, victim))
	case kid.kind == kindDir:
		return f.opaque(run, kid, path.Join(dir, victim))
	}
	return nil
}

// opaque removes from the directory d at p everything the layers below the
// current one put there.
func (f *flattener) opaque(run *layerRun, d *node, p string) error {
	for name, kid := range d.kids {
		kp := path.Join(p, name)
		var err error
		switch {
		case kid.layer != run.index:
			err = f.remove(d, kp)
		case kid.kind == kindDir:
			err = f.opaque(run, kid, kp)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
