package generator

import "math/bits"

// alias samples an index with given weights in O(1) (Vose's alias method): one 64-bit draw
// picks a column and decides between the column and its alias.
type alias struct {
	prob  []uint32 // keep the column when the low 32 bits of the draw are below this
	alias []uint32
}

func newAlias(w []float64) alias {
	n := len(w)
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	a := alias{prob: make([]uint32, n), alias: make([]uint32, n)}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(scaled[s] * (1 << 32))
		a.alias[s] = uint32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left has probability 1, up to rounding.
	for _, i := range append(small, large...) {
		a.prob[i] = 1<<32 - 1
		a.alias[i] = uint32(i)
	}
	return a
}

func (a *alias) pick(x uint64) int {
	col, _ := bits.Mul64(x>>32, uint64(len(a.prob))<<32)
	if uint32(x) < a.prob[col] {
		return int(col)
	}
	return int(a.alias[col])
}
