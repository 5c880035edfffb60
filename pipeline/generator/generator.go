// Package generator makes synthetic transactions with a realistic shape: merchant
// popularity follows a Zipf law, amounts are log-normal, a small configurable share is
// anomalous (see transaction.AnomalyThreshold). The same seed gives the same sequence.
//
// Generating and encoding do not allocate:
//
//	g, _ := generator.New(generator.Config{Seed: 1})
//	var t transaction.Transaction
//	buf := make([]byte, 0, 512)
//	for {
//		g.Next(&t)
//		buf = t.AppendJSON(buf[:0])
//	}
package generator

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/finobs/finobs/pipeline/transaction"
)

// Config shapes the generated traffic. The zero value of a field picks its default.
type Config struct {
	Seed uint64

	Merchants    int     // distinct merchants; default 10000
	MerchantSkew float64 // Zipf exponent of merchant popularity; default 0.9
	Users        int     // distinct card holders; default 1000000

	MedianAmount      transaction.Amount // median of normal amounts; default 45.00
	AmountSigma       float64            // log-normal shape; default 1.1
	InternationalRate float64            // share of normal transactions abroad; default 0.08
	// AnomalyRate is the share of anomalous transactions, in [0, 1]; default 0.001.
	// Set NoAnomalies for none (0 means the default).
	AnomalyRate float64
	NoAnomalies bool

	// Now returns the transactionTime of the next record, in epoch milliseconds. Nil makes
	// time deterministic: Start, then one millisecond later per record.
	Now   func() int64
	Start time.Time // default 2026-01-01T00:00:00Z
}

func (c *Config) defaults() error {
	if c.Merchants == 0 {
		c.Merchants = 10000
	}
	if c.MerchantSkew == 0 {
		c.MerchantSkew = 0.9
	}
	if c.Users == 0 {
		c.Users = 1_000_000
	}
	if c.MedianAmount == 0 {
		c.MedianAmount = 45_00
	}
	if c.AmountSigma == 0 {
		c.AmountSigma = 1.1
	}
	if c.InternationalRate == 0 {
		c.InternationalRate = 0.08
	}
	if c.AnomalyRate == 0 && !c.NoAnomalies {
		c.AnomalyRate = 0.001
	}
	if c.NoAnomalies {
		c.AnomalyRate = 0
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case c.Merchants < 1 || transaction.MerchantID(c.Merchants) > transaction.MaxMerchantID:
		return fmt.Errorf("generator: merchants %d not in [1, %d]", c.Merchants, transaction.MaxMerchantID)
	case c.Users < 1 || transaction.UserID(c.Users) > transaction.MaxUserID:
		return fmt.Errorf("generator: users %d not in [1, %d]", c.Users, transaction.MaxUserID)
	case c.MerchantSkew < 0:
		return fmt.Errorf("generator: merchant skew %g is negative", c.MerchantSkew)
	case c.MedianAmount <= 0 || c.MedianAmount >= transaction.AnomalyThreshold:
		return fmt.Errorf("generator: median amount %s not in (0, %s)", c.MedianAmount, transaction.AnomalyThreshold)
	case c.AmountSigma < 0:
		return fmt.Errorf("generator: amount sigma %g is negative", c.AmountSigma)
	case c.AnomalyRate < 0 || c.AnomalyRate > 1 || math.IsNaN(c.AnomalyRate):
		return fmt.Errorf("generator: anomaly rate %g not in [0, 1]", c.AnomalyRate)
	case c.InternationalRate < 0 || c.InternationalRate > 1 || math.IsNaN(c.InternationalRate):
		return fmt.Errorf("generator: international rate %g not in [0, 1]", c.InternationalRate)
	}
	return nil
}

// country is where a merchant sits and what it charges in.
type country struct {
	code, currency string
	weight         int
}

// countries weights merchants by where card volume is; currencies all have 2 decimals.
var countries = []country{
	{"US", "USD", 30}, {"GB", "GBP", 10}, {"DE", "EUR", 9}, {"FR", "EUR", 8}, {"CA", "CAD", 6},
	{"NL", "EUR", 5}, {"ES", "EUR", 5}, {"IT", "EUR", 5}, {"AU", "AUD", 5}, {"CH", "CHF", 4},
	{"SE", "SEK", 3}, {"SG", "SGD", 3}, {"IE", "EUR", 2}, {"BE", "EUR", 2}, {"PL", "PLN", 2},
	{"MX", "MXN", 1},
}

// Category weights, in per mille.
var (
	typeTable   = table([]transaction.Type{transaction.Purchase, transaction.Refund, transaction.Withdrawal, transaction.Transfer}, []int{880, 40, 50, 30})
	methodTable = table([]transaction.PaymentMethod{transaction.CreditCard, transaction.DebitCard, transaction.DigitalWallet, transaction.BankTransfer}, []int{450, 350, 150, 50})
)

// table lays out values by weight into 1024 slots: one 10-bit draw picks a value.
func table[T any](vals []T, weights []int) *[1024]T {
	var t [1024]T
	total := 0
	for _, w := range weights {
		total += w
	}
	acc, j := 0, 0
	for i, w := range weights {
		acc += w
		for ; j < acc*1024/total; j++ {
			t[j] = vals[i]
		}
	}
	return &t
}

// Generator makes transactions. It is not safe for concurrent use; give each goroutine
// its own, with its own seed.
type Generator struct {
	cfg  Config
	src  *rand.PCG
	rnd  *rand.Rand
	mer  alias
	home []uint8 // country index per merchant

	mu, sigma   float64
	quantiles   *[quantileN + 1]float64 // log-normal amounts at i/quantileN, for i in 1..quantileN-1
	intlCut     uint64                  // draw < intlCut: international
	anomalyCut  uint64                  // draw < anomalyCut: anomalous
	users       uint64
	clock       int64
	anomalyLogs [2]float64 // log of the anomalous amount range, in cents
	n           uint64
}

// New validates cfg and builds a generator.
func New(cfg Config) (*Generator, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	src := rand.NewPCG(cfg.Seed, 0x5eed_f1b0_5eed_f1b0)
	g := &Generator{
		cfg:   cfg,
		src:   src,
		rnd:   rand.New(src),
		mu:    math.Log(float64(cfg.MedianAmount)),
		sigma: cfg.AmountSigma,
		users: uint64(cfg.Users),
		clock: cfg.Start.UnixMilli(),
	}
	g.quantiles = new([quantileN + 1]float64)
	for i := 1; i < quantileN; i++ {
		g.quantiles[i] = math.Exp(g.mu + g.sigma*math.Sqrt2*math.Erfinv(2*float64(i)/quantileN-1))
	}
	g.intlCut = probCut(cfg.InternationalRate)
	g.anomalyCut = probCut(cfg.AnomalyRate)
	g.anomalyLogs = [2]float64{math.Log(float64(transaction.AnomalyThreshold)), math.Log(250_000_00)}

	w := make([]float64, cfg.Merchants)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -cfg.MerchantSkew)
	}
	g.mer = newAlias(w)
	// Merchant countries come from their own stream so that they depend on the seed only.
	cr := rand.New(rand.NewPCG(cfg.Seed, 0xc0c0))
	total := 0
	for _, c := range countries {
		total += c.weight
	}
	g.home = make([]uint8, cfg.Merchants)
	for i := range g.home {
		x := cr.IntN(total)
		for j, c := range countries {
			if x < c.weight {
				g.home[i] = uint8(j)
				break
			}
			x -= c.weight
		}
	}
	return g, nil
}

// probCut turns a probability into a threshold for a uniform 64-bit draw.
func probCut(p float64) uint64 {
	if p >= 1 {
		return math.MaxUint64
	}
	return uint64(p * (1 << 63) * 2)
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Next overwrites t with the next transaction.
func (g *Generator) Next(t *transaction.Transaction) {
	hi, lo := g.src.Uint64(), g.src.Uint64()
	t.TransactionID = uuid4(hi, lo)

	m := g.mer.pick(g.src.Uint64())
	t.MerchantID = transaction.MerchantID(m + 1)
	t.UserID = transaction.UserID(1 + mulHi(g.src.Uint64(), g.users))

	r := g.src.Uint64()
	t.TransactionType = typeTable[r&1023]
	t.PaymentMethod = methodTable[r>>10&1023]

	c := &countries[g.home[m]]
	t.Currency = c.currency
	t.Location = c.code

	if g.src.Uint64() < g.anomalyCut {
		// Anomalies: log-uniform in [threshold, 250000.00), international 3 times in 5.
		t.Amount = transaction.Amount(math.Exp(g.anomalyLogs[0] + g.rnd.Float64()*(g.anomalyLogs[1]-g.anomalyLogs[0])))
		if t.Amount < transaction.AnomalyThreshold {
			t.Amount = transaction.AnomalyThreshold
		}
		t.IsInternational = r>>20&1023 < 614
	} else {
		t.Amount = g.normalAmount(t.TransactionType)
		t.IsInternational = g.src.Uint64() < g.intlCut
	}

	if g.cfg.Now != nil {
		t.TransactionTime = g.cfg.Now()
	} else {
		t.TransactionTime = g.clock + int64(g.n)
	}
	g.n++
}

// quantileN is the resolution of the amount table: between two of its quantiles the
// amount is interpolated linearly, which saves an exp and a normal draw per record.
const quantileN = 4096

// normalAmount draws a log-normal amount, strictly below the anomaly threshold, by
// inverting its distribution function at a uniform draw: from the table in the body,
// exactly (erfinv) in the two outer buckets, where the tails are.
func (g *Generator) normalAmount(typ transaction.Type) transaction.Amount {
	for {
		u := g.src.Uint64()
		k, frac := u>>52, float64(u<<12>>11)/(1<<53) // bucket of 4096, position in it
		var x float64
		if k == 0 || k == quantileN-1 {
			p := (float64(k) + frac) / quantileN
			x = math.Exp(g.mu + g.sigma*math.Sqrt2*math.Erfinv(2*p-1))
		} else {
			x = g.quantiles[k] + (g.quantiles[k+1]-g.quantiles[k])*frac
		}
		a := transaction.Amount(x)
		if typ == transaction.Withdrawal { // cash comes in 20.00 notes
			a = (a/20_00 + 1) * 20_00
		}
		if a < 1 {
			a = 1
		}
		if a < transaction.AnomalyThreshold {
			return a
		}
	}
}

// Count is how many transactions Next has made.
func (g *Generator) Count() uint64 { return g.n }

func uuid4(hi, lo uint64) transaction.UUID {
	var u transaction.UUID
	for i := 0; i < 8; i++ {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// mulHi maps a uniform 64-bit draw onto [0, n) without division (Lemire).
func mulHi(x, n uint64) uint64 {
	hi, _ := bits.Mul64(x, n)
	return hi
}
