package transaction_test

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/transaction"
)

// avroRecord is the transaction as hamba/avro's reflection encoder takes it: the reference
// the hand-written encoder is checked against.
type avroRecord struct {
	TransactionID   string   `avro:"transactionId"`
	UserID          string   `avro:"userId"`
	MerchantID      string   `avro:"merchantId"`
	Amount          *big.Rat `avro:"amount"`
	Currency        string   `avro:"currency"`
	TransactionType string   `avro:"transactionType"`
	PaymentMethod   string   `avro:"paymentMethod"`
	Location        string   `avro:"location"`
	IsInternational bool     `avro:"isInternational"`
	TransactionTime int64    `avro:"transactionTime"`
}

func reference(t *transaction.Transaction) avroRecord {
	return avroRecord{t.TransactionID.String(), t.UserID.String(), t.MerchantID.String(), big.NewRat(int64(t.Amount), 100),
		t.Currency, string(t.TransactionType), string(t.PaymentMethod), t.Location, t.IsInternational, t.TransactionTime}
}

// The hand-written encoder writes exactly what hamba/avro writes for the schema, for every
// generated transaction (anomalies and extreme amounts among them), after the framing.
func TestAppendAvroMatchesHamba(t *testing.T) {
	g, err := generator.New(generator.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var tx transaction.Transaction
	var buf []byte
	// exact: compare the bytes with hamba's. Negative amounts (outside the contract) only
	// round-trip: hamba writes -128 in two bytes where one is enough (and Java's BigInteger).
	check := func(tx *transaction.Transaction) {
		t.Helper()
		buf, err = tx.AppendAvro(buf[:0], 0x01020304)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[:5], []byte{0, 1, 2, 3, 4}) {
			t.Fatalf("framing % x", buf[:5])
		}
		want, err := avro.Marshal(transaction.ParsedAvroSchema, reference(tx))
		if err != nil {
			t.Fatal(err)
		}
		if tx.Amount >= 0 && !bytes.Equal(buf[5:], want) {
			t.Fatalf("%+v:\n got % x\nwant % x", *tx, buf[5:], want)
		}
		var back avroRecord
		if err := avro.Unmarshal(transaction.ParsedAvroSchema, buf[5:], &back); err != nil {
			t.Fatal(err)
		}
		if back.TransactionID != tx.TransactionID.String() || back.Amount.Cmp(big.NewRat(int64(tx.Amount), 100)) != 0 {
			t.Fatalf("decoded %+v from %+v", back, *tx)
		}
	}
	for range 20000 {
		g.Next(&tx)
		check(&tx)
	}
	for _, a := range []transaction.Amount{0, 1, 127, 128, 255, 256, 32767, 32768, 1<<23 - 1, 1 << 23, 10000_00, transaction.MaxAmount, -1, -128, -129} {
		tx.Amount = a
		check(&tx)
	}
}

func TestAppendAvroRejectsUnknownSymbol(t *testing.T) {
	tx := transaction.Transaction{TransactionType: "chargeback", PaymentMethod: transaction.CreditCard}
	if _, err := tx.AppendAvro(nil, 1); err == nil || !bytes.Contains([]byte(err.Error()), []byte("transactionType")) {
		t.Fatalf("err = %v, want one naming transactionType", err)
	}
}

func TestAppendAvroNoAlloc(t *testing.T) {
	g, _ := generator.New(generator.Config{Seed: 1})
	var tx transaction.Transaction
	g.Next(&tx)
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(1000, func() { buf, _ = tx.AppendAvro(buf[:0], 1) }); n != 0 {
		t.Fatalf("AppendAvro allocates %v times per record", n)
	}
}

// Bytes per record of both encodings over the generator's distribution, reported by the
// benchmarks (b.SetBytes) and here.
func TestWireSizes(t *testing.T) {
	g, _ := generator.New(generator.Config{Seed: 3})
	var tx transaction.Transaction
	var js, av int
	var buf []byte
	const n = 100000
	for range n {
		g.Next(&tx)
		js += len(tx.AppendJSON(buf[:0]))
		buf, _ = tx.AppendAvro(buf[:0], 1)
		av += len(buf)
	}
	t.Logf("bytes per record over %d generated: json %.1f, avro (with the 5-byte framing) %.1f", n, float64(js)/n, float64(av)/n)
	if av*2 > js {
		t.Errorf("avro %d bytes is not under half of json's %d", av, js)
	}
}

func benchTxs() []transaction.Transaction {
	g, _ := generator.New(generator.Config{Seed: 5})
	txs := make([]transaction.Transaction, 1024)
	for i := range txs {
		g.Next(&txs[i])
	}
	return txs
}

func BenchmarkEncodeAvro(b *testing.B) {
	txs := benchTxs()
	buf := make([]byte, 0, 512)
	var bytes int
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf, _ = txs[i&1023].AppendAvro(buf[:0], 1)
		bytes += len(buf)
		i++
	}
	b.ReportMetric(float64(bytes)/float64(i), "B/record")
}

func BenchmarkEncodeJSON(b *testing.B) {
	txs := benchTxs()
	buf := make([]byte, 0, 512)
	var bytes int
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = txs[i&1023].AppendJSON(buf[:0])
		bytes += len(buf)
		i++
	}
	b.ReportMetric(float64(bytes)/float64(i), "B/record")
}

// BenchmarkEncodeAvroHamba is hamba/avro's own encoder on the same records, for scale.
func BenchmarkEncodeAvroHamba(b *testing.B) {
	txs := benchTxs()
	recs := make([]avroRecord, len(txs))
	for i := range txs {
		recs[i] = reference(&txs[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out, _ := avro.Marshal(transaction.ParsedAvroSchema, recs[i&1023])
		_ = binary.BigEndian
		_ = out
		i++
	}
}

// The encoder's enum indexes are the schema's symbol order, and Types/PaymentMethods'.
func TestEnumIndexes(t *testing.T) {
	e, ok := transaction.ParsedAvroSchema.(*avro.RecordSchema)
	if !ok {
		t.Fatal("not a record")
	}
	syms := map[string][]string{}
	for _, f := range e.Fields() {
		if en, ok := f.Type().(*avro.EnumSchema); ok {
			syms[f.Name()] = en.Symbols()
		}
	}
	for i, ty := range transaction.Types {
		if syms["transactionType"][i] != string(ty) {
			t.Errorf("transactionType symbol %d is %q, Types has %q", i, syms["transactionType"][i], ty)
		}
	}
	for i, m := range transaction.PaymentMethods {
		if syms["paymentMethod"][i] != string(m) {
			t.Errorf("paymentMethod symbol %d is %q, PaymentMethods has %q", i, syms["paymentMethod"][i], m)
		}
	}
}
