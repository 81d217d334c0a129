package image

import (
	"bufio"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// blob is a layer blob as go-containerregistry's partial package sees it:
// the layer built from it decompresses gzip or nothing, as the blob's first
// bytes say, whatever its name or media type claims.
type blob struct {
	l    Layer
	open func() (io.ReadCloser, error)
}

var _ partial.CompressedLayer = blob{}

// Digest implements partial.CompressedLayer.
func (b blob) Digest() (v1.Hash, error) { return v1.NewHash(b.l.Digest) }

// Compressed implements partial.CompressedLayer.
func (b blob) Compressed() (io.ReadCloser, error) { return b.open() }

// Size implements partial.CompressedLayer.
func (b blob) Size() (int64, error) { return b.l.Size, nil }

// MediaType implements partial.CompressedLayer; decompression does not
// depend on it.
func (b blob) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// layerStream is the tar stream of one layer. It hashes the blob and the
// stream, so that finish can check them against the layer's digest and diff
// ID, and applies the ratio and stream limits to every byte inflated.
type layerStream struct {
	f        *flattener
	run      *layerRun
	l        Layer
	packed   *hashReader   // the blob as stored
	tar      io.ReadCloser // the blob uncompressed; closing it closes packed
	diff     hash.Hash     // of the tar stream; nil when it is the blob (DiffID == Digest)
	inflated int64         // bytes of the tar stream read so far
	err      error         // a limit hit while inflating: reported rather than what tar makes of it
}

// hashReader counts and hashes what is read through it.
type hashReader struct {
	io.ReadCloser
	h hash.Hash
	n int64
}

// Read implements io.Reader.
func (r *hashReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	return n, err
}

// openLayer opens the blob of l and its tar stream.
func (f *flattener) openLayer(run *layerRun, l Layer) (*layerStream, error) {
	dh, err := hasherFor(l.Digest)
	if err != nil {
		return nil, layerCorrupt(run.name, "layer digest", err)
	}
	xh, err := hasherFor(l.DiffID)
	if err != nil {
		return nil, layerCorrupt(run.name, "layer diff ID", err)
	}
	if l.DiffID == l.Digest {
		// An uncompressed blob (what docker save writes): its tar stream is
		// the blob itself, which the digest check already covers; finish
		// checks that the stream was indeed as long as the blob.
		xh = nil
	}
	rc, size, err := f.im.src.open(l.Path)
	if err != nil {
		return nil, layerCorrupt(run.name, "opening the layer blob", err)
	}
	st := &layerStream{f: f, run: run, l: l, diff: xh, packed: &hashReader{ReadCloser: rc, h: dh}}
	if size != l.Size {
		rc.Close()
		return nil, layerCorrupt(run.name, fmt.Sprintf("the blob is now %d bytes, it was %d when the image was opened", size, l.Size), nil)
	}
	if st.tar, err = uncompress(l, st.packed); err != nil {
		rc.Close()
		return nil, layerCorrupt(run.name, "decompressing the layer", err)
	}
	run.st = st
	return st, nil
}

// zstdMagic starts a zstd frame.
const zstdMagic = "\x28\xb5\x2f\xfd"

// maxZstdWindow is the largest zstd window decoded: what zstd's strongest
// level without --long uses (windowLog 27). go-containerregistry's decoder
// allows 512 MiB, allocated up front, so that a 400-byte layer declaring that
// window costs 512 MiB of memory.
const maxZstdWindow = 128 << 20

// uncompress returns the tar stream of the blob l read from packed: zstd is
// decoded with a bounded window, gzip or plain tar by go-containerregistry.
// Closing the stream closes packed.
func uncompress(l Layer, packed io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReader(packed)
	if head, _ := br.Peek(len(zstdMagic)); string(head) == zstdMagic {
		d, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, err
		}
		return readCloser{d, func() error { d.Close(); return packed.Close() }}, nil
	}
	rc := readCloser{br, packed.Close}
	layer, err := partial.CompressedToLayer(blob{l: l, open: func() (io.ReadCloser, error) { return rc, nil }})
	if err != nil {
		return nil, err
	}
	return layer.Uncompressed()
}

// readCloser reads from a reader and closes with a function.
type readCloser struct {
	io.Reader
	close func() error
}

// Close implements io.Closer.
func (r readCloser) Close() error { return r.close() }

// hasherFor returns a hash for the algorithm of digest.
func hasherFor(digest string) (hash.Hash, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, err
	}
	return v1.Hasher(h.Algorithm)
}

// Read implements io.Reader for the tar reader.
func (s *layerStream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.tar.Read(p)
	if s.diff != nil {
		s.diff.Write(p[:n])
	}
	s.inflated += int64(n)
	s.f.stream += int64(n)
	if lerr := s.f.lim.ratio(s.run.name, s.inflated, s.l.Size); lerr != nil {
		s.err = lerr
	} else if lerr := s.f.lim.stream(s.run.name, s.f.stream); lerr != nil {
		s.err = lerr
	}
	if s.err != nil {
		return 0, s.err
	}
	return n, err
}

// Close closes the blob.
func (s *layerStream) Close() error { return s.tar.Close() }

// fail turns an error met reading the stream (what says while doing what)
// into the error Flatten returns: the limit hit if any, the context's error,
// or unpack.ErrCorrupt.
func (s *layerStream) fail(err error, what string) error {
	switch {
	case s.err != nil:
		return s.err
	case s.f.ctx.Err() != nil:
		return fmt.Errorf("flattening %s: %w", s.run.name, s.f.ctx.Err())
	}
	return layerCorrupt(s.run.name, what, err)
}

// finish reads the rest of the blob and checks its digest and diff ID.
func (s *layerStream) finish() error {
	if err := s.drain(s, "reading past the end of the layer's tar"); err != nil {
		return err
	}
	if err := s.drain(s.packed, "reading past the end of the compressed layer"); err != nil {
		return err
	}
	if got := sum(s.packed.h, s.l.Digest); got != s.l.Digest {
		return layerCorrupt(s.run.name, fmt.Sprintf("the blob does not match its digest %s (it hashes to %s)", s.l.Digest, got), nil)
	}
	if s.diff == nil {
		if s.inflated != s.packed.n {
			return layerCorrupt(s.run.name, fmt.Sprintf("the layer's diff ID is its blob's digest, but its %d bytes unpack to a %d-byte tar", s.packed.n, s.inflated), nil)
		}
		return nil
	}
	if got := sum(s.diff, s.l.DiffID); got != s.l.DiffID {
		return layerCorrupt(s.run.name, fmt.Sprintf("the layer does not match its diff ID %s from the image config (it hashes to %s)", s.l.DiffID, got), nil)
	}
	return nil
}

// drain reads r to its end, checking the context between chunks.
func (s *layerStream) drain(r io.Reader, what string) error {
	for {
		if err := s.f.ctx.Err(); err != nil {
			return fmt.Errorf("flattening %s: %w", s.run.name, err)
		}
		_, err := r.Read(s.f.buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return s.fail(err, what)
		}
	}
}

// sum returns the digest h computed, written like digest ("sha256:...").
func sum(h hash.Hash, digest string) string {
	d, _ := v1.NewHash(digest) // parsed by hasherFor already
	return fmt.Sprintf("%s:%x", d.Algorithm, h.Sum(nil))
}
