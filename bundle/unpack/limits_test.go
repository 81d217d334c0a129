package unpack

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type limitCase struct {
	name    string
	entries []entry
	lim     Limits
	wantIn  []string // substrings of the error; none means success
}

func limitCases(tb testing.TB) []limitCase {
	kib := strings.Repeat("x", 600)
	nested := func(entries ...entry) string { return string(buildZip(tb, entries...)) }
	return []limitCase{{
		name:    "total bytes",
		entries: []entry{{name: "a", body: kib, store: true}, {name: "b", body: kib, store: true}},
		lim:     Limits{MaxTotalBytes: 1000},
		wantIn:  []string{`entry "b"`, "total unpacked size limit of 1000 bytes", "--max-unpacked-bytes"},
	}, {
		name:    "total bytes across nested archives",
		entries: []entry{{name: "a", body: kib, store: true}, {name: "in.zip", body: nested(entry{name: "b", body: kib, store: true}), store: true}},
		lim:     Limits{MaxTotalBytes: 1500},
		wantIn:  []string{"!/in.zip", `entry "b"`, "total unpacked size limit of 1500 bytes", "--max-unpacked-bytes"},
	}, {
		name:    "entry bytes",
		entries: []entry{{name: "a", body: kib + kib}},
		lim:     Limits{MaxEntryBytes: 1000},
		wantIn:  []string{`entry "a"`, "per-entry size limit of 1000 bytes", "--max-unpacked-bytes"},
	}, {
		name:    "entry count",
		entries: []entry{{name: "a"}, {name: "b"}, {name: "c"}, {name: "d"}},
		lim:     Limits{MaxEntries: 3},
		wantIn:  []string{"4 entries", "entry count limit of 3", "--max-entries"},
	}, {
		name:    "entry count across nested archives",
		entries: []entry{{name: "a"}, {name: "in.zip", body: nested(entry{name: "b"}, entry{name: "c"}, entry{name: "d"})}},
		lim:     Limits{MaxEntries: 4},
		wantIn:  []string{"!/in.zip", "entry count limit of 4", "--max-entries"},
	}, {
		name:    "directories count as entries",
		entries: []entry{{name: "a/b/c/d/e/f.txt", body: "x"}},
		lim:     Limits{MaxEntries: 3},
		wantIn:  []string{"more than 3 directories", "entry count limit of 3", "--max-entries"},
	}, {
		name:    "compression ratio",
		entries: []entry{{name: "small.txt", body: "ok"}, {name: "zeros.bin", zeros: 2 << 20}},
		wantIn:  []string{`entry "zeros.bin"`, "compression ratio limit of 200:1", "--max-ratio"},
	}, {
		name:    "ratio not applied up to 1 MiB",
		entries: []entry{{name: "zeros.bin", zeros: 1 << 20}},
	}, {
		name:    "ratio raised",
		entries: []entry{{name: "zeros.bin", zeros: 2 << 20}},
		lim:     Limits{MaxRatio: 5000},
	}}
}

func TestZipLimits(t *testing.T) {
	for _, tc := range limitCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			src := writeArtifact(t, "limits.zip", buildZip(t, tc.entries...))
			res, err := Zip(context.Background(), src, sb.dest, tc.lim)
			if len(tc.wantIn) == 0 {
				if err != nil {
					t.Fatalf("Zip: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("Zip error = %v, want ErrLimit", err)
			}
			for _, s := range append(tc.wantIn, src) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			lim := tc.lim.withDefaults()
			if n := diskBytes(t, sb.dest); n > lim.MaxTotalBytes || res.Bytes > lim.MaxTotalBytes {
				t.Errorf("%d bytes on disk, Result.Bytes = %d; want at most %d", n, res.Bytes, lim.MaxTotalBytes)
			}
			sb.assertConfined(t)
		})
	}
}

func TestLimitsDefaults(t *testing.T) {
	want := Limits{MaxTotalBytes: 250 << 20, MaxEntryBytes: 250 << 20, MaxEntries: 200_000, MaxRatio: 200, MaxDepth: 3}
	for name, lim := range map[string]Limits{"DefaultLimits": DefaultLimits(), "zero Limits": {}} {
		if diff := cmp.Diff(want, lim.withDefaults()); diff != "" {
			t.Errorf("%s in effect (-want +got):\n%s", name, diff)
		}
	}
	// Raising the total alone, as --max-unpacked-bytes does, raises the per-entry limit too.
	raised := DefaultLimits()
	raised.MaxTotalBytes = 1 << 30
	if got := raised.withDefaults().MaxEntryBytes; got != 1<<30 {
		t.Errorf("MaxEntryBytes = %d after raising MaxTotalBytes, want %d", got, 1<<30)
	}
	got := Limits{MaxTotalBytes: 10, MaxDepth: -1}.withDefaults()
	if got.MaxEntryBytes != 10 || got.MaxDepth != 3 {
		t.Errorf("MaxEntryBytes = %d, MaxDepth = %d; want MaxTotalBytes (10) and 3", got.MaxEntryBytes, got.MaxDepth)
	}
}

func TestRatioExceeds(t *testing.T) {
	for _, tc := range []struct {
		size, compressed, ratio uint64
		want                    bool
	}{
		{200, 1, 200, false},
		{201, 1, 200, true},
		{400, 2, 200, false},
		{401, 2, 200, true},
		{1, 0, 200, true},
		{0, 0, 200, false},
		{1<<64 - 1, 1, 200, true},
		{1<<64 - 1, 1<<64 - 1, 200, false},
	} {
		if got := ratioExceeds(tc.size, tc.compressed, tc.ratio); got != tc.want {
			t.Errorf("ratioExceeds(%d, %d, %d) = %v, want %v", tc.size, tc.compressed, tc.ratio, got, tc.want)
		}
	}
}

// TestCopyCountsActualBytes feeds copy an endless stream whose header claims
// little: the limits must hold on the bytes actually produced.
func TestCopyCountsActualBytes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lim        Limits
		before     int64  // bytes already written by earlier entries
		compressed uint64 // declared compressed size
		maxWritten int64
		wantIn     string
	}{
		{"per-entry", Limits{MaxTotalBytes: 10 << 20, MaxEntryBytes: 100 << 10}, 0, 1 << 30, 100 << 10, "per-entry size limit of 102400 bytes"},
		{"total", Limits{MaxTotalBytes: 100 << 10}, 60 << 10, 1 << 30, 40 << 10, "total unpacked size limit of 102400 bytes"},
		{"ratio", Limits{MaxTotalBytes: 1 << 30, MaxRatio: 10}, 0, 200 << 10, 10 * 200 << 10, "compression ratio limit of 10:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &extractor{ctx: context.Background(), lim: tc.lim.withDefaults(), res: &Result{Bytes: tc.before}, buf: make([]byte, 32<<10)}
			f := &zip.File{FileHeader: zip.FileHeader{Name: "big.bin", CompressedSize64: tc.compressed, UncompressedSize64: 1}}
			var w countingWriter
			_, err := x.copy(&archive{name: "test.zip"}, f, tc.compressed, &w, zeroReader{})
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tc.wantIn) {
				t.Fatalf("copy error = %v, want ErrLimit naming %q", err, tc.wantIn)
			}
			if w.n > tc.maxWritten || x.res.Bytes-tc.before != w.n {
				t.Errorf("wrote %d bytes, counted %d; want at most %d, all counted", w.n, x.res.Bytes-tc.before, tc.maxWritten)
			}
		})
	}
}

// TestCopyChecksContext cancels the context while an entry is being copied.
func TestCopyChecksContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x := &extractor{ctx: ctx, lim: DefaultLimits().withDefaults(), res: &Result{}, buf: make([]byte, 32<<10)}
	f := &zip.File{FileHeader: zip.FileHeader{Name: "big.bin", CompressedSize64: 1 << 30}}
	var w countingWriter
	_, err := x.copy(&archive{name: "test.zip"}, f, f.CompressedSize64, &w, cancelingReader{cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("copy error = %v, want context.Canceled", err)
	}
	if w.n > 32<<10 {
		t.Errorf("wrote %d bytes after cancellation, want at most one chunk", w.n)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// cancelingReader reads zeros and cancels its context on the first read.
type cancelingReader struct{ cancel context.CancelFunc }

func (r cancelingReader) Read(p []byte) (int, error) {
	r.cancel()
	return zeroReader{}.Read(p)
}

func TestZipCancelled(t *testing.T) {
	sb := newSandbox(t)
	src := writeArtifact(t, "app.zip", buildZip(t, entry{name: "index.js", body: "ok"}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Zip(ctx, src, sb.dest, Limits{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), src) {
		t.Fatalf("Zip error = %v, want context.Canceled naming %s", err, src)
	}
	if got := tree(t, sb.dest); len(got) != 0 {
		t.Errorf("dest holds %v after cancellation, want nothing", got)
	}
}

type bigCase struct {
	name     string
	entry    entry
	lim      Limits
	wantErr  error
	wantTree map[string]string
}

// bigCases are zips written by archive/zip with data descriptors and zip64
// sizes, and large entries of zeros under low limits.
func bigCases(tb testing.TB) []bigCase {
	hello := []byte("hello zip64")
	return []bigCase{{
		name:     "data descriptor",
		entry:    entry{name: "dd.txt", body: "streamed"},
		wantTree: map[string]string{"dd.txt": "-rw-r--r-- streamed"},
	}, {
		name:     "zip64 sizes",
		entry:    entry{name: "z64.txt", body: deflated(tb, hello), raw: &rawData{method: zip.Deflate, size: uint64(len(hello)), crc: crc(hello), zip64: true}},
		wantTree: map[string]string{"z64.txt": "-rw-r--r-- hello zip64"},
	}, {
		name:     "zip64 sizes and data descriptor",
		entry:    entry{name: "z64dd.txt", flags: 0x8, body: deflated(tb, hello), raw: &rawData{method: zip.Deflate, size: uint64(len(hello)), crc: crc(hello), zip64: true}},
		wantTree: map[string]string{"z64dd.txt": "-rw-r--r-- hello zip64"},
	}, {
		name:    "64 MiB of zeros with a data descriptor, 1 MiB limit",
		entry:   entry{name: "zeros.bin", zeros: 64 << 20},
		lim:     Limits{MaxTotalBytes: 1 << 20, MaxRatio: 1 << 20},
		wantErr: ErrLimit,
	}, {
		name:    "zip64 entry declaring 5 GiB",
		entry:   entry{name: "huge.bin", body: deflated(tb, make([]byte, 4<<20)), raw: &rawData{method: zip.Deflate, size: 5 << 30}},
		wantErr: ErrLimit,
	}, {
		name:    "header overstating the compressed size to hide the ratio",
		entry:   entry{name: "zeros.bin", body: deflated(tb, make([]byte, 8<<20)), raw: &rawData{method: zip.Deflate, size: 8 << 20, crc: crc(make([]byte, 8<<20)), compressed: 1 << 30}},
		wantErr: ErrLimit,
	}, {
		name:    "header declaring less than the data inflates to",
		entry:   entry{name: "liar.bin", body: deflated(tb, make([]byte, 8<<20)), raw: &rawData{method: zip.Deflate, size: 1000}},
		wantErr: ErrCorrupt,
	}}
}

func TestZipZip64AndDataDescriptor(t *testing.T) {
	for _, tc := range bigCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			data := buildZip(t, tc.entry)
			assertZipFeatures(t, data, tc.entry)
			src := writeArtifact(t, "big.zip", data)
			start := time.Now()
			res, err := Zip(context.Background(), src, sb.dest, tc.lim)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Zip error = %v, want %v", err, tc.wantErr)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Zip took %v, want it stopped quickly", d)
			}
			if tc.wantTree != nil {
				if diff := cmp.Diff(tc.wantTree, tree(t, sb.dest)); diff != "" {
					t.Errorf("dest tree (-want +got):\n%s", diff)
				}
			}
			lim := tc.lim.withDefaults()
			if n := diskBytes(t, sb.dest); n > lim.MaxEntryBytes || res.Bytes > lim.MaxEntryBytes {
				t.Errorf("%d bytes on disk, Result.Bytes = %d; want at most %d", n, res.Bytes, lim.MaxEntryBytes)
			}
			if tc.entry.raw != nil && uint64(res.Bytes) > tc.entry.raw.size {
				t.Errorf("wrote %d bytes of an entry declaring %d", res.Bytes, tc.entry.raw.size)
			}
			sb.assertConfined(t)
		})
	}
}

// assertZipFeatures checks that the built zip really uses the feature a case
// is about: a data descriptor, or 32-bit sizes deferring to zip64 fields.
func assertZipFeatures(t *testing.T, data []byte, e entry) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[0]
	if e.raw == nil && f.Flags&0x8 == 0 {
		t.Errorf("entry %q has no data descriptor (flags %#x)", f.Name, f.Flags)
	}
	if e.raw != nil && e.raw.zip64 && f.UncompressedSize != 0xFFFFFFFF {
		t.Errorf("entry %q 32-bit size = %#x, want 0xFFFFFFFF (zip64)", f.Name, f.UncompressedSize)
	}
	if e.raw != nil && e.raw.size > 0xFFFFFFFF && f.UncompressedSize64 != e.raw.size {
		t.Errorf("entry %q size = %d, want %d from its zip64 field", f.Name, f.UncompressedSize64, e.raw.size)
	}
}
