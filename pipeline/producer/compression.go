package producer

import (
	"bytes"
	"encoding/binary"

	"github.com/klauspost/compress/s2"
	"github.com/twmb/franz-go/pkg/kgo"
)

// xerialSnappy compresses every batch in the xerial framing the Java clients write: a
// header, then snappy blocks of at most 32 KB, each behind its length. franz-go writes a
// batch it does not merge as one raw snappy block, which the broker can only read whole:
// snappy-java copies it into a growing array and inflates it at once. That was 12% of the
// local broker's CPU samples (JFR) under cmd/bench producer; framed, the broker inflates
// one block at a time into a reused buffer.
type xerialSnappy struct{}

var xerialHeader = []byte{130, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

const xerialBlock = 32 << 10

func (xerialSnappy) Compress(dst *bytes.Buffer, src []byte, _ ...kgo.CompressFlag) ([]byte, kgo.CompressionCodecType) {
	// Grow the pooled buffer itself, so that its array is reused by the next batch.
	dst.Grow(len(xerialHeader) + (len(src)/xerialBlock+1)*(4+s2.MaxEncodedLen(xerialBlock)))
	out := append(dst.Bytes()[:0], xerialHeader...)
	for len(src) > 0 {
		n := min(xerialBlock, len(src))
		at := len(out)
		block := s2.EncodeSnappy(out[at+4:cap(out)], src[:n]) // in place, given the room
		out = binary.BigEndian.AppendUint32(out, uint32(len(block)))
		out = out[:at+4+len(block)]
		src = src[n:]
	}
	return out, kgo.CodecSnappy
}

// CompressionRatio is how many times smaller the codec named compression makes sample, as
// the producer would compress it: a batch's records. Java's batch.size bounds a batch's
// compressed size, franz-go's ProducerBatchMaxBytes its uncompressed size; this ratio
// converts one into the other.
func CompressionRatio(compression string, sample []byte) (float64, error) {
	cc, err := codec(compression)
	if err != nil || compression == "none" || len(sample) == 0 {
		return 1, err
	}
	var c kgo.Compressor = xerialSnappy{}
	if compression != "snappy" {
		if c, err = kgo.DefaultCompressor(cc); err != nil {
			return 0, err
		}
	}
	out, _ := c.Compress(new(bytes.Buffer), sample)
	return float64(len(sample)) / float64(len(out)), nil
}
