package dbupdate

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/fnaudit/fnaudit/vuln"
)

// Limits on archive data (hostile-input rules), shared by Update and Import.
const (
	// maxArchiveBytes bounds a downloaded or written archive.
	maxArchiveBytes = 4 << 30
	// maxRecordBytes bounds one record; real ones are a few KB.
	maxRecordBytes = 16 << 20
	// maxRecords bounds the records of one archive or import.
	maxRecords = 4 << 20
)

// verifyArchive checks the archive at path: a readable zip whose every
// *.json entry decodes as an OSV record whose id is the entry's name
// without ".json". It returns the number of records.
func verifyArchive(ctx context.Context, path string) (int, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, fmt.Errorf("not a readable zip: %w", err)
	}
	defer zr.Close()
	var files []*zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") && !f.FileInfo().IsDir() {
			files = append(files, f)
		}
	}
	if len(files) > maxRecords {
		return 0, fmt.Errorf("%d records, more than %d", len(files), maxRecords)
	}
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for i := next.Add(1) - 1; i < int64(len(files)); i = next.Add(1) - 1 {
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := verifyEntry(files[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return len(files), nil
}

// verifyEntry checks one record of an archive.
func verifyEntry(f *zip.File) error {
	data, err := readZipEntry(f)
	if err != nil {
		return err
	}
	id, err := recordID(data)
	if err != nil {
		return fmt.Errorf("entry %s: %w", f.Name, err)
	}
	if id+".json" != f.Name {
		return fmt.Errorf("entry %s holds record %q: the id must equal the entry name", f.Name, id)
	}
	return nil
}

// recordID decodes an OSV record and returns its id.
func recordID(data []byte) (string, error) {
	v, err := vuln.DecodeRecord(data)
	if err != nil {
		return "", fmt.Errorf("not an OSV record: %w", err)
	}
	if v.GetId() == "" {
		return "", errors.New("record has no id")
	}
	return v.GetId(), nil
}

// readZipEntry reads one entry through the record size limit; the zip
// reader checks its CRC-32.
func readZipEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxRecordBytes {
		return nil, fmt.Errorf("entry %s: larger than %d bytes", f.Name, maxRecordBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, maxRecordBytes+1)); err != nil {
		return nil, fmt.Errorf("entry %s: %w", f.Name, err)
	}
	if buf.Len() > maxRecordBytes {
		return nil, fmt.Errorf("entry %s: larger than %d bytes", f.Name, maxRecordBytes)
	}
	return buf.Bytes(), nil
}
