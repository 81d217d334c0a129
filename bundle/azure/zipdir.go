package azure

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// Bounds on a zip's central directory, checked before archive/zip reads it
// (it keeps every entry in memory).
const (
	maxZipEntries   = 200_000
	maxZipDirectory = 64 << 20
)

// errNotZip is returned for a file without a zip end-of-central-directory
// record.
var errNotZip = errors.New("not a zip file")

// readZip reads the central directory of the zip f after checking that its
// size and entry count are within bounds.
func readZip(f *os.File) (*zip.Reader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotZip
	}
	if err := checkDirectory(f, fi.Size()); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if errors.Is(err, zip.ErrInsecurePath) && zr != nil {
		// Entries such as ../x are left out of the reader's file system
		// view; the unpacker rejects them when it audits the zip.
		err = nil
	}
	return zr, err
}

// checkDirectory finds the zip's end-of-central-directory record (and its
// zip64 form) and checks the entry count and directory size it declares.
func checkDirectory(r io.ReaderAt, size int64) error {
	const eocdLen, maxComment = 22, 0xffff
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	at := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if at < 0 || len(buf)-at < eocdLen {
		return errNotZip
	}
	eocd := buf[at:]
	entries := uint64(binary.LittleEndian.Uint16(eocd[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(eocd[12:]))
	if entries == 0xffff || dirSize == 0xffffffff || binary.LittleEndian.Uint32(eocd[16:]) == 0xffffffff {
		var err error
		if entries, dirSize, err = zip64Directory(r, size-tail+int64(at)); err != nil {
			return err
		}
	}
	if entries > maxZipEntries {
		return fmt.Errorf("zip declares %d entries, over the limit of %d", entries, maxZipEntries)
	}
	if dirSize > maxZipDirectory {
		return fmt.Errorf("zip declares a %d-byte central directory, over the limit of %d", dirSize, maxZipDirectory)
	}
	return nil
}

// zip64Directory reads the entry count and central directory size from the
// zip64 end-of-central-directory record whose locator precedes the record
// at eocd.
func zip64Directory(r io.ReaderAt, eocd int64) (entries, dirSize uint64, err error) {
	const locatorLen, recordLen = 20, 56
	if eocd < locatorLen {
		return 0, 0, errNotZip
	}
	loc := make([]byte, locatorLen)
	if _, err := r.ReadAt(loc, eocd-locatorLen); err != nil {
		return 0, 0, errNotZip
	}
	if !bytes.HasPrefix(loc, []byte("PK\x06\x07")) {
		return 0, 0, errNotZip
	}
	off := binary.LittleEndian.Uint64(loc[8:])
	if off > uint64(eocd) {
		return 0, 0, errNotZip
	}
	rec := make([]byte, recordLen)
	if _, err := r.ReadAt(rec, int64(off)); err != nil || !bytes.HasPrefix(rec, []byte("PK\x06\x06")) {
		return 0, 0, errNotZip
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]), nil
}

// isPackageZip says whether file is a zip with host.json at its root: a
// function app's run-from-package zip. It reads the central directory only.
func isPackageZip(file string) bool {
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return false // a FIFO would block the open
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := readZip(f)
	if err != nil {
		return false
	}
	return hasRootHost(zr)
}

// hasRootHost says whether the zip holds host.json at its root.
func hasRootHost(zr *zip.Reader) bool {
	for _, e := range zr.File {
		name := strings.TrimLeft(strings.ReplaceAll(e.Name, `\`, "/"), "/")
		if path.Clean(name) == hostFile && !e.FileInfo().IsDir() {
			return true
		}
	}
	return false
}
