package store

import (
	"bytes"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// maxDecoded bounds what one stored value may decompress to.
const maxDecoded = 1 << 30

// codec compresses the large values the store keeps (report JSON, SBOM
// documents) with zstd: JSON shrinks about tenfold, which is most of the
// cost of writing and reading them. Values without the zstd magic are read
// as they are. EncodeAll and DecodeAll are safe for concurrent use.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() (codec, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return codec{}, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDecoded))
	if err != nil {
		return codec{}, err
	}
	return codec{enc: enc, dec: dec}, nil
}

func (c codec) pack(data []byte) []byte { return c.enc.EncodeAll(data, nil) }

func (c codec) unpack(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, zstdMagic) {
		return data, nil
	}
	out, err := c.dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("decompressing a stored value: %w", err)
	}
	return out, nil
}

func (c codec) close() {
	c.enc.Close()
	c.dec.Close()
}
