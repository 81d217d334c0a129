package vuln

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"time"
)

// EcosystemStatus describes one archive of the database (`fnaudit db
// status`).
type EcosystemStatus struct {
	EcosystemInfo
	// Withdrawn counts the records marked withdrawn (included in Records).
	Withdrawn int
	// Size and ModTime are the archive file's.
	Size    int64
	ModTime time.Time
	// Updated, Checked and Source come from the state file when it
	// describes this archive (see ArchiveState); zero and "" for an archive
	// placed by hand.
	Updated, Checked time.Time
	Source           string
	// Err is why the archive could not be read; only Name, Path, Size and
	// ModTime are set then.
	Err error
}

// Status loads the ecosystems named (every one in the database when none
// is) and describes them, sorted by name. Loading goes through the archive
// indexes: records are not decoded. An archive that cannot be read is
// described with its error; the error returned is ctx's, or the state
// file's when it exists but cannot be read (the statuses are then returned
// too, without Updated and Source).
func (db *DB) Status(ctx context.Context, names ...string) ([]EcosystemStatus, error) {
	if len(names) == 0 {
		names = slices.Collect(maps.Keys(db.zips))
	}
	names = slices.Clone(names)
	slices.Sort(names)
	state, stateErr := ReadState(db.dir)
	var out []EcosystemStatus
	for _, name := range slices.Compact(names) {
		s, err := db.status(ctx, name, state)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, stateErr
}

// status describes one archive.
func (db *DB) status(ctx context.Context, name string, state State) (EcosystemStatus, error) {
	s := EcosystemStatus{EcosystemInfo: EcosystemInfo{Name: name, Path: db.zips[name]}}
	if s.Path == "" {
		s.Err = errNoArchive
		return s, nil
	}
	if fi, err := os.Stat(s.Path); err == nil {
		s.Size, s.ModTime = fi.Size(), fi.ModTime()
	}
	d, err := db.load(ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return s, ctx.Err()
		}
		s.Err = err
		return s, nil
	}
	s.EcosystemInfo, s.Withdrawn, s.Size, s.ModTime = d.info(), d.withdrawn, d.size, d.mtime
	if a, ok := state.Ecosystems[name]; ok && a.describes(d.size, d.mtime, func() string { return d.sha }) {
		s.Updated, s.Checked, s.Source = a.Updated, a.Checked, a.Source
	}
	return s, nil
}

// Updated returns when the archive of the ecosystem folder name was last
// known current: when the state file describes the archive, the later of
// its install and its last unchanged check (ArchiveState.Current), else the
// archive's modification time. It is false when the database has no such
// archive or it cannot be read.
func (db *DB) Updated(name string) (time.Time, bool) {
	path, ok := db.zips[name]
	if !ok {
		return time.Time{}, false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, false
	}
	state, _ := ReadState(db.dir)
	if a, ok := state.Ecosystems[name]; ok && a.describes(fi.Size(), fi.ModTime(), func() string { return fileSHA256(path) }) {
		return a.Current(), true
	}
	return fi.ModTime(), true
}

// errNoArchive is the status error of an ecosystem the database has no
// archive for.
var errNoArchive = errors.New("no archive for this ecosystem")
