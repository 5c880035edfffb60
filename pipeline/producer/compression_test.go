package producer

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestXerialSnappy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	json := bytes.Repeat([]byte(`{"transactionId":"0b0e4a5c","amount":123.45},`), 5000)
	noise := make([]byte, 70_000)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	var dst bytes.Buffer
	for _, src := range [][]byte{json[:1], json[:xerialBlock], json[:xerialBlock+1], json, noise} {
		dst.Reset()
		out, codec := xerialSnappy{}.Compress(&dst, src)
		if codec != kgo.CodecSnappy {
			t.Fatalf("codec %v, want snappy", codec)
		}
		// The framing the broker streams: the header, then length-prefixed blocks that
		// each inflate to at most 32 KB.
		if !bytes.HasPrefix(out, xerialHeader) {
			t.Fatalf("%d bytes: no xerial header: % x", len(src), out[:min(16, len(out))])
		}
		blocks := 0
		for rest := out[len(xerialHeader):]; len(rest) > 0; blocks++ {
			n := int(binary.BigEndian.Uint32(rest))
			if n > len(rest)-4 {
				t.Fatalf("%d bytes: block %d claims %d bytes, %d left", len(src), blocks, n, len(rest)-4)
			}
			rest = rest[4+n:]
		}
		if want := (len(src) + xerialBlock - 1) / xerialBlock; blocks != want {
			t.Errorf("%d bytes: %d blocks, want %d", len(src), blocks, want)
		}
		got, err := kgo.DefaultDecompressor().Decompress(out, kgo.CodecSnappy)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("%d bytes: round trip through franz-go's decompressor: %v (equal %v)", len(src), err, bytes.Equal(got, src))
		}
	}
	// The pooled buffer is reused: no allocation once it has grown.
	if n := testing.AllocsPerRun(20, func() { dst.Reset(); xerialSnappy{}.Compress(&dst, json) }); n != 0 {
		t.Errorf("%.0f allocations per batch, want 0", n)
	}
}

func TestCompressionRatio(t *testing.T) {
	sample := bytes.Repeat([]byte(`{"transactionId":"0b0e4a5c","amount":123.45},`), 5000)
	for _, c := range Compressions {
		r, err := CompressionRatio(c, sample)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if c == "none" && r != 1 || c != "none" && r < 5 { // the sample repeats: every codec shrinks it a lot
			t.Errorf("%s: ratio %.2f", c, r)
		}
	}
	if _, err := CompressionRatio("brotli", sample); err == nil {
		t.Error("brotli: no error")
	}
}
