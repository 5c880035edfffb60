package generator

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"testing"

	"github.com/finobs/finobs/pipeline/transaction"
)

func gen(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDeterministic(t *testing.T) {
	a, b, c := gen(t, Config{Seed: 7}), gen(t, Config{Seed: 7}), gen(t, Config{Seed: 8})
	var x, y, z transaction.Transaction
	same := 0
	for i := 0; i < 10000; i++ {
		a.Next(&x)
		b.Next(&y)
		c.Next(&z)
		if x != y {
			t.Fatalf("record %d differs for the same seed:\n%+v\n%+v", i, x, y)
		}
		if x == z {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d records equal across different seeds", same)
	}
}

// Every record is valid, decodes to itself, is about 250 bytes, has unique ids and
// increasing times.
func TestRecordsValid(t *testing.T) {
	g := gen(t, Config{Seed: 1})
	var tx transaction.Transaction
	ids := map[transaction.UUID]bool{}
	var sizes []int
	buf := make([]byte, 0, 512)
	var last int64
	for i := 0; i < 100000; i++ {
		g.Next(&tx)
		if err := tx.Validate(); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if ids[tx.TransactionID] {
			t.Fatalf("duplicate id %s", tx.TransactionID)
		}
		ids[tx.TransactionID] = true
		if v := tx.TransactionID[6] >> 4; v != 4 {
			t.Fatalf("UUID version %d", v)
		}
		if tx.TransactionTime <= last {
			t.Fatalf("time went back: %d after %d", tx.TransactionTime, last)
		}
		last = tx.TransactionTime
		buf = tx.AppendJSON(buf[:0])
		sizes = append(sizes, len(buf))
		if i%1000 == 0 {
			var back transaction.Transaction
			if err := json.Unmarshal(buf, &back); err != nil || back != tx {
				t.Fatalf("round trip of %s: %v", buf, err)
			}
		}
	}
	sort.Ints(sizes)
	p1, p50, p99 := sizes[len(sizes)/100], sizes[len(sizes)/2], sizes[len(sizes)*99/100]
	t.Logf("value bytes: min %d p1 %d median %d p99 %d max %d", sizes[0], p1, p50, p99, sizes[len(sizes)-1])
	if p50 < 240 || p50 > 270 || sizes[len(sizes)-1] > 300 {
		t.Fatalf("sizes out of the expected 240..300 band: median %d max %d", p50, sizes[len(sizes)-1])
	}
}

func TestDistributions(t *testing.T) {
	const n = 500_000
	g := gen(t, Config{Seed: 3, AnomalyRate: 0.01})
	var tx transaction.Transaction
	perMerchant := map[transaction.MerchantID]int{}
	var normal []float64
	anomalies, intlNormal, intlAnomalous := 0, 0, 0
	types := map[transaction.Type]int{}
	for i := 0; i < n; i++ {
		g.Next(&tx)
		perMerchant[tx.MerchantID]++
		types[tx.TransactionType]++
		if tx.IsAnomalous() {
			anomalies++
			if tx.IsInternational {
				intlAnomalous++
			}
			continue
		}
		if tx.IsInternational {
			intlNormal++
		}
		if tx.TransactionType == transaction.Purchase {
			normal = append(normal, math.Log(float64(tx.Amount)))
		}
	}
	// Anomalies: the configured share, within 4 standard deviations.
	if sd := math.Sqrt(n * 0.01 * 0.99); math.Abs(float64(anomalies)-n*0.01) > 4*sd {
		t.Errorf("anomalies %d, want about %d", anomalies, n/100)
	}
	if r := float64(intlNormal) / float64(n-anomalies); math.Abs(r-0.08) > 0.005 {
		t.Errorf("international share %.4f, want 0.08", r)
	}
	if r := float64(intlAnomalous) / float64(anomalies); r < 0.5 {
		t.Errorf("anomalies should be mostly international, got %.2f", r)
	}
	// Amounts: log-normal around the median 45.00 with sigma 1.1.
	mean, sd := meanSD(normal)
	if math.Abs(mean-math.Log(4500)) > 0.02 || math.Abs(sd-1.1) > 0.02 {
		t.Errorf("log amount mean %.3f sd %.3f, want %.3f and 1.1", mean, sd, math.Log(4500))
	}
	// Merchants: Zipf with s = 0.9 over 10000: rank 1 vs rank 10 about 10^0.9 ≈ 7.9.
	counts := make([]int, 0, len(perMerchant))
	for _, c := range perMerchant {
		counts = append(counts, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	top1 := float64(counts[0]) / n
	wantTop1 := 1 / harmonic(10000, 0.9)
	if math.Abs(top1-wantTop1) > 0.1*wantTop1 {
		t.Errorf("top merchant share %.4f, want %.4f", top1, wantTop1)
	}
	if r := float64(perMerchant[1]) / float64(perMerchant[10]); math.Abs(r-math.Pow(10, 0.9)) > 0.8 {
		t.Errorf("M00001/M00010 = %.2f, want %.2f", r, math.Pow(10, 0.9))
	}
	top100 := 0
	for _, c := range counts[:100] {
		top100 += c
	}
	t.Logf("merchants seen %d; top 1 %.2f%%, top 100 %.1f%% of records; types %v", len(perMerchant), 100*top1, 100*float64(top100)/n, types)
	if r := float64(types[transaction.Purchase]) / n; math.Abs(r-0.88) > 0.01 {
		t.Errorf("purchase share %.3f", r)
	}
}

func TestNoAnomalies(t *testing.T) {
	g := gen(t, Config{Seed: 1, NoAnomalies: true})
	var tx transaction.Transaction
	for i := 0; i < 200000; i++ {
		g.Next(&tx)
		if tx.IsAnomalous() {
			t.Fatalf("anomaly with NoAnomalies: %+v", tx)
		}
	}
	g = gen(t, Config{Seed: 1, AnomalyRate: 1})
	for i := 0; i < 1000; i++ {
		g.Next(&tx)
		if !tx.IsAnomalous() {
			t.Fatalf("normal record with AnomalyRate 1: %+v", tx)
		}
	}
}

func TestBadConfig(t *testing.T) {
	for _, c := range []Config{
		{Merchants: -1}, {Merchants: 100000}, {Users: 10_000_000}, {AnomalyRate: -0.1}, {AnomalyRate: 2},
		{MedianAmount: transaction.AnomalyThreshold}, {MerchantSkew: -1}, {InternationalRate: math.NaN()},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	g := gen(t, Config{Seed: 1})
	var tx transaction.Transaction
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(10000, func() {
		g.Next(&tx)
		buf = tx.AppendJSON(buf[:0])
	}); n != 0 {
		t.Fatalf("%v allocations per record", n)
	}
}

func TestClock(t *testing.T) {
	now := int64(1764111600123)
	g := gen(t, Config{Seed: 1, Now: func() int64 { return now }})
	var tx transaction.Transaction
	g.Next(&tx)
	if tx.TransactionTime != now {
		t.Fatalf("time %d, want %d", tx.TransactionTime, now)
	}
	a, b := gen(t, Config{Seed: 1}), gen(t, Config{Seed: 1})
	var x, y bytes.Buffer
	for i := 0; i < 100; i++ {
		a.Next(&tx)
		x.Write(tx.AppendJSON(nil))
		b.Next(&tx)
		y.Write(tx.AppendJSON(nil))
	}
	if x.String() != y.String() {
		t.Fatal("encoded streams differ for the same seed")
	}
}

func meanSD(xs []float64) (float64, float64) {
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(xs)))
}

func harmonic(n int, s float64) float64 {
	h := 0.0
	for k := 1; k <= n; k++ {
		h += math.Pow(float64(k), -s)
	}
	return h
}

func BenchmarkNextAndEncode(b *testing.B) {
	g := gen(b, Config{Seed: 1})
	var tx transaction.Transaction
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		g.Next(&tx)
		buf = tx.AppendJSON(buf[:0])
	}
}
