package unpack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testZips returns every zip the other tests build, as fuzzing seeds.
// Absolute names point into outside.
func testZips(tb testing.TB, outside string) [][]byte {
	var zips [][]byte
	for _, tc := range hostileCases(outside) {
		zips = append(zips, buildZip(tb, tc.entries...))
	}
	for _, tc := range nestedCases(tb, outside) {
		zips = append(zips, buildZip(tb, tc.entries...))
	}
	for _, tc := range limitCases(tb) {
		zips = append(zips, buildZip(tb, tc.entries...))
	}
	for _, tc := range bigCases(tb) {
		zips = append(zips, buildZip(tb, tc.entry))
	}
	valid := validZip(tb)
	return append(zips,
		buildZip(tb, harmlessEntries()...),
		buildZip(tb, permEntries()...),
		valid, valid[:len(valid)/2], nil,
	)
}

// FuzzZip extracts arbitrary bytes with small limits and checks the
// invariants that hold for any input: no panic, nothing written beside dest,
// only directories and regular files in dest, the byte limit kept, and any
// error wrapping a sentinel and naming the artifact.
func FuzzZip(f *testing.F) {
	outside := f.TempDir()
	for _, z := range testZips(f, outside) {
		f.Add(z)
	}
	lim := Limits{MaxTotalBytes: 1 << 20, MaxEntries: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := filepath.Join(tmp, "in.zip")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(tmp, "root")
		if err := os.Mkdir(root, 0o755); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(root, "dest")

		res, err := Zip(context.Background(), src, dest, lim)

		if err != nil && !isSentinel(err) {
			t.Errorf("Zip error %q wraps no sentinel", err)
		}
		if err != nil && !strings.Contains(err.Error(), src) {
			t.Errorf("Zip error %q does not name the artifact", err)
		}
		if names := dirNames(t, root); len(names) > 1 || (len(names) == 1 && names[0] != "dest") {
			t.Errorf("root holds %q, want only dest", names)
		}
		if names := dirNames(t, tmp); !slices.Equal(names, []string{"in.zip", "root"}) {
			t.Errorf("temp dir holds %q, want in.zip and root", names)
		}
		if names := dirNames(t, outside); len(names) > 0 {
			t.Errorf("%s holds %q, want nothing", outside, names)
		}
		assertOnlyDirsAndFiles(t, dest)
		if n := diskBytes(t, dest); n > lim.MaxTotalBytes || res.Bytes > lim.MaxTotalBytes {
			t.Errorf("%d bytes on disk, Result.Bytes = %d; want at most %d", n, res.Bytes, lim.MaxTotalBytes)
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrNotZip, ErrCorrupt, ErrLimit} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
