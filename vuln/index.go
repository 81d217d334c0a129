package vuln

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// An archive index is what the pre-scan learns about one ecosystem archive,
// kept in <dir>/.fnaudit/index/<Ecosystem>.idx so that the next Open reads
// it instead of pre-scanning every record again.
//
// It is a cache, never trusted: it is used only when the archive's size and
// modification time, and the name, CRC-32 and uncompressed size of every
// JSON entry of the archive's central directory, equal what the index
// recorded; anything else (another archive, a truncated or corrupt index, a
// newer format) makes the load pre-scan the archive and write a new index.
//
// Format (integers are unsigned varints unless said otherwise; a string is
// its length then its bytes):
//
//	magic "fnaudit-osv-index" 0x00 0x01 (the last byte is the version)
//	archive size, archive mtime (signed varint, Unix ns), SHA-256 (32 bytes)
//	entry count, then per entry:
//	  name, CRC-32 (4 bytes, big endian), uncompressed size, flags
//	  (1 withdrawn, 2 id stored, 4 error stored), id (when its name is
//	  not <id>.json), modified, names count, normalised package names,
//	  error (when the pre-scan failed)
//	CRC-32C of everything before it (4 bytes, big endian)
const indexMagic = "fnaudit-osv-index\x00\x01"

// Index flags.
const (
	flagWithdrawn = 1 << iota
	flagID
	flagErr
)

// minIndexEntry is the smallest encoded entry: empty strings, no names.
const minIndexEntry = 1 + 4 + 1 + 1 + 1 + 1

// castagnoli is the CRC-32C table (the index trailer).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// archiveIndex is the decoded form of an index file.
type archiveIndex struct {
	size    int64
	mtime   int64 // Unix ns
	sha256  [32]byte
	entries []indexEntry
}

// indexEntry is one JSON entry of the archive and its pre-scan.
type indexEntry struct {
	name      string
	crc       uint32
	usize     uint64
	id        string
	modified  string
	withdrawn bool
	names     []string
	err       string
}

// matches reports whether ix describes the archive of the given size and
// mtime whose JSON entries are files.
func (ix *archiveIndex) matches(size, mtime int64, files []*zip.File) bool {
	if ix.size != size || ix.mtime != mtime || len(ix.entries) != len(files) {
		return false
	}
	for i, f := range files {
		e := &ix.entries[i]
		if e.name != f.Name || e.crc != f.CRC32 || e.usize != f.UncompressedSize64 {
			return false
		}
	}
	return true
}

// encode returns the index file bytes.
func (ix *archiveIndex) encode() []byte {
	b := []byte(indexMagic)
	b = binary.AppendUvarint(b, uint64(ix.size))
	b = binary.AppendVarint(b, ix.mtime)
	b = append(b, ix.sha256[:]...)
	b = binary.AppendUvarint(b, uint64(len(ix.entries)))
	for i := range ix.entries {
		b = ix.entries[i].append(b)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// append appends the encoding of e to b.
func (e *indexEntry) append(b []byte) []byte {
	flags := byte(0)
	if e.withdrawn {
		flags |= flagWithdrawn
	}
	if e.id+".json" != e.name {
		flags |= flagID
	}
	if e.err != "" {
		flags |= flagErr
	}
	b = appendString(b, e.name)
	b = binary.BigEndian.AppendUint32(b, e.crc)
	b = binary.AppendUvarint(b, e.usize)
	b = append(b, flags)
	if flags&flagID != 0 {
		b = appendString(b, e.id)
	}
	b = appendString(b, e.modified)
	b = binary.AppendUvarint(b, uint64(len(e.names)))
	for _, n := range e.names {
		b = appendString(b, n)
	}
	if flags&flagErr != 0 {
		b = appendString(b, e.err)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// errBadIndex marks index bytes that do not decode.
var errBadIndex = errors.New("not a valid index")

// decodeIndex decodes index file bytes. Every length is checked against the
// bytes left, so hostile input cannot make it allocate more than a small
// multiple of len(data) or panic.
func decodeIndex(data []byte) (*archiveIndex, error) {
	if len(data) < len(indexMagic)+4 || string(data[:len(indexMagic)]) != indexMagic {
		return nil, fmt.Errorf("%w: bad header", errBadIndex)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", errBadIndex)
	}
	r := &indexReader{b: body[len(indexMagic):]}
	ix := &archiveIndex{size: int64(r.uvarint()), mtime: r.varint()}
	copy(ix.sha256[:], r.bytes(32))
	n := r.count(minIndexEntry)
	if r.err == nil {
		ix.entries = make([]indexEntry, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		ix.entries[i] = r.entry()
	}
	switch {
	case r.err != nil:
		return nil, r.err
	case len(r.b) != 0:
		return nil, fmt.Errorf("%w: %d trailing bytes", errBadIndex, len(r.b))
	case ix.size < 0:
		return nil, fmt.Errorf("%w: archive size out of range", errBadIndex)
	}
	return ix, nil
}

// indexReader reads the fields of an index; the first error sticks and
// every later read returns zero values.
type indexReader struct {
	b   []byte
	err error
}

func (r *indexReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated or malformed %s", errBadIndex, what)
	}
	r.b = nil
}

func (r *indexReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *indexReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count of items each at least size bytes long.
func (r *indexReader) count(size int) int {
	v := r.uvarint()
	if v > uint64(len(r.b)/size) {
		r.fail("count")
		return 0
	}
	return int(v)
}

func (r *indexReader) bytes(n int) []byte {
	if n > len(r.b) {
		r.fail("field")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *indexReader) string() string {
	return string(r.bytes(r.count(1)))
}

func (r *indexReader) entry() indexEntry {
	e := indexEntry{name: r.string()}
	if b := r.bytes(4); b != nil {
		e.crc = binary.BigEndian.Uint32(b)
	}
	e.usize = r.uvarint()
	flags := r.bytes(1)
	if flags == nil {
		return e
	}
	e.withdrawn = flags[0]&flagWithdrawn != 0
	e.id = e.name[:len(e.name)-min(len(e.name), len(".json"))]
	if flags[0]&flagID != 0 {
		e.id = r.string()
	}
	e.modified = r.string()
	if n := r.count(1); n > 0 {
		e.names = make([]string, n)
		for i := range e.names {
			e.names[i] = r.string()
		}
	}
	if flags[0]&flagErr != 0 {
		e.err = r.string()
	}
	if flags[0]&^(flagWithdrawn|flagID|flagErr) != 0 {
		r.fail("flags")
	}
	return e
}

// readIndex reads and decodes the index file at path.
func readIndex(path string) (*archiveIndex, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeIndex(data)
}

// writeIndex writes ix at path atomically: a reader sees the old file or
// the new one. Indexes are caches, so the data is not fsynced: a torn file
// after a crash fails its checksum and is rebuilt.
func writeIndex(path string, ix *archiveIndex) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".idx-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(ix.encode())
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
