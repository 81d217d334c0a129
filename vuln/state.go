package vuln

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// MetaDir is the folder of a database directory in which fnaudit keeps what
// it knows about the database: state.json (see [State]), the lock and temp
// dir of `fnaudit db update` and `db import`, and the archive indexes
// (index/<Ecosystem>.idx). Open writes indexes only when this folder exists,
// so a directory fnaudit does not manage (osv-scanner's cache, a fixture, a
// read-only volume) is never written to.
const MetaDir = ".fnaudit"

// maxStateBytes bounds state.json.
const maxStateBytes = 16 << 20

// State is what `fnaudit db update` and `db import` remember about a
// database, in <dir>/.fnaudit/state.json.
type State struct {
	// Ecosystems maps an ecosystem folder name to its archive's state.
	Ecosystems map[string]ArchiveState `json:"ecosystems"`
}

// ArchiveState describes one ecosystem archive as fnaudit installed it.
type ArchiveState struct {
	// Source is the URL the archive was downloaded from, or "import PATH"
	// when `db import` wrote it.
	Source string `json:"source"`
	// Updated is when the archive was installed.
	Updated time.Time `json:"updated"`
	// Checked is when the source last confirmed the archive is current
	// (installed, or found unchanged by a later update).
	Checked time.Time `json:"checked,omitzero"`
	// ETag and LastModified are the server's validators, sent back on the
	// next update so that an unchanged archive is not downloaded again.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// SHA256, Size and ModTime identify the archive file installed.
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

// Current returns when the archive was last known current: the later of
// Updated and Checked.
func (a ArchiveState) Current() time.Time {
	if a.Checked.After(a.Updated) {
		return a.Checked
	}
	return a.Updated
}

// StatePath returns the path of the state file of database dir.
func StatePath(dir string) string { return filepath.Join(dir, MetaDir, "state.json") }

// ReadState reads the state file of database dir. A database without one
// has an empty state and no error.
func ReadState(dir string) (State, error) {
	path := StatePath(dir)
	s := State{Ecosystems: map[string]ArchiveState{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	if err != nil {
		return s, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxStateBytes {
		return s, fmt.Errorf("reading %s: larger than %d bytes", path, maxStateBytes)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return State{Ecosystems: map[string]ArchiveState{}}, fmt.Errorf("reading %s: %w", path, err)
	}
	if s.Ecosystems == nil {
		s.Ecosystems = map[string]ArchiveState{}
	}
	return s, nil
}

// Describes reports whether a is the state of the archive file at path:
// same size, and same modification time or same SHA-256 (a copy that kept
// its content but not its mtime). An archive replaced by hand is not
// described by the state fnaudit wrote for its predecessor.
func (a ArchiveState) Describes(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	return a.describes(fi.Size(), fi.ModTime(), func() string { return fileSHA256(path) })
}

// describes is Describes for a known size and mtime; sha is called only
// when the mtimes differ.
func (a ArchiveState) describes(size int64, mtime time.Time, sha func() string) bool {
	if a.Size != size || a.SHA256 == "" && a.ModTime.IsZero() {
		return false
	}
	return a.ModTime.Equal(mtime) || a.SHA256 != "" && sha() == a.SHA256
}

// fileSHA256 returns the hex SHA-256 of the file at path ("" on error).
func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
