package visitors

import (
	"errors"
	"fmt"
	"testing"

	"github.com/axiomhq/hyperloglog"
)

func sketchOf(n int) []byte {
	sk := hyperloglog.New()
	for i := range n {
		sk.Insert(fmt.Appendf(nil, "v%d", i))
	}
	b, err := sk.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

func TestDecodeSketch(t *testing.T) {
	for _, n := range []int{0, 1, 50, 100_000} { // sparse and dense encodings
		sk, err := decodeSketch(sketchOf(n))
		if err != nil {
			t.Fatalf("decodeSketch(%d visitors) = %v", n, err)
		}
		if got := int(sk.Estimate()); got < n*98/100 || got > n*102/100 {
			t.Errorf("decodeSketch(%d visitors).Estimate() = %d", n, got)
		}
	}
	good := sketchOf(10)
	huge := append([]byte(nil), good...)
	huge[4], huge[5], huge[6], huge[7] = 0xff, 0xff, 0xff, 0xff // a set of 4 billion keys
	for name, b := range map[string][]byte{
		"empty": nil, "short": good[:7], "truncated": good[:len(good)-1], "extended": append(good, 0),
		"huge set": huge, "other precision": append([]byte{2, 16}, good[2:]...),
	} {
		if _, err := decodeSketch(b); !errors.Is(err, errDamagedSketch) {
			t.Errorf("decodeSketch(%s) = %v, want errDamagedSketch", name, err)
		}
	}
}

// FuzzDecodeSketch checks that no stored bytes panic the decoder or leave a
// sketch that panics when merged into the counter's.
func FuzzDecodeSketch(f *testing.F) {
	f.Add(sketchOf(0))
	f.Add(sketchOf(30))
	f.Add(sketchOf(50_000))
	f.Fuzz(func(t *testing.T, b []byte) {
		sk, err := decodeSketch(b)
		if err != nil {
			return
		}
		into := hyperloglog.New()
		into.Insert([]byte("x"))
		if err := into.Merge(sk); err != nil {
			t.Fatalf("Merge(decoded) = %v", err)
		}
		into.Estimate()
	})
}
