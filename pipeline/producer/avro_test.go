package producer

import (
	"context"
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pipeline/transaction"
)

// registryUp fails the test when the stack's schema registry does not answer.
func registryUp(t *testing.T, cfg Config) *sr.Client {
	t.Helper()
	cl, err := schemas.NewClient(cfg.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Subjects(context.Background()); err != nil {
		t.Fatalf("schema registry %s unreachable (the native stack runs it; FINOBS_REGISTRY=0 leaves it out): %v", cfg.Registry, err)
	}
	t.Cleanup(func() {
		cl.DeleteSubject(context.Background(), cfg.Subject(), sr.SoftDelete)
		cl.DeleteSubject(context.Background(), cfg.Subject(), sr.HardDelete)
	})
	return cl
}

// Avro by default: the producer registers the schema under the topic's subject and every
// record carries its id in the framing; hamba/avro decodes each body with the schema the
// registry holds for that id, into the values the generator made.
func TestProduceAvro(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	cfg.Format = FormatAvro
	cfg.Count = 5000
	cl := registryUp(t, cfg)
	deleteTopic(t, addr, cfg.Topic)
	ctx := context.Background()
	p, err := New(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Run(ctx)
	if err != nil || st.Records != cfg.Count {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	reg, err := cl.SchemaByID(ctx, int(p.SchemaID()))
	if err != nil {
		t.Fatalf("schema id %d of the records: %v", p.SchemaID(), err)
	}
	schema, err := avro.Parse(reg.Schema)
	if err != nil {
		t.Fatal(err)
	}
	var total int
	for _, r := range consume(t, addr, cfg.Topic, int(cfg.Count)) {
		v := r.Value
		if len(v) < transaction.WireHeader || v[0] != 0 || binary.BigEndian.Uint32(v[1:5]) != p.SchemaID() {
			t.Fatalf("record framing % x, want magic 0 and id %d", v[:min(5, len(v))], p.SchemaID())
		}
		var got struct {
			TransactionID   string   `avro:"transactionId"`
			MerchantID      string   `avro:"merchantId"`
			Amount          *big.Rat `avro:"amount"`
			TransactionTime int64    `avro:"transactionTime"`
		}
		if err := avro.Unmarshal(schema, v[5:], &got); err != nil {
			t.Fatalf("decode % x: %v", v, err)
		}
		if string(r.Key) != got.MerchantID || got.TransactionTime != r.Timestamp.UnixMilli() || got.Amount.Sign() < 0 {
			t.Fatalf("record key %s time %v, decoded %+v", r.Key, r.Timestamp, got)
		}
		total += len(v)
	}
	t.Logf("%d records, %.1f value bytes per record (Stats: %d bytes)", cfg.Count, float64(total)/float64(cfg.Count), st.Bytes)
	if int64(total) != st.Bytes {
		t.Fatalf("consumed %d value bytes, the producer counted %d", total, st.Bytes)
	}
}

// The registry holds a version of the subject with amount as a double, under FULL (as the
// provisioner would have left it): the producer, whose amount is a decimal, refuses to
// start, naming the field, and writes nothing.
func TestRefusesIncompatibleSchema(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	cfg.Format = FormatAvro
	cfg.Count = 10
	cl := registryUp(t, cfg)
	ctx := context.Background()
	other := schemas.Transactions
	other.Subject = cfg.Subject()
	other.Schema.Schema = strings.Replace(transaction.AvroSchema,
		`{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}}`, `{"name":"amount","type":"double"}`, 1)
	if res, err := schemas.Ensure(ctx, cl, other); err != nil || res.Outcome != schemas.Create {
		t.Fatalf("register the double amount: %v %v", res, err)
	}
	_, err := New(ctx, cfg, nil, nil)
	var inc *schemas.IncompatibleError
	if !errors.As(err, &inc) {
		t.Fatalf("New = %v, want a refusal of the incompatible schema", err)
	}
	t.Logf("refused: %v", err)
	for _, want := range []string{"refusing to start", cfg.Subject(), "FULL", `amount: type "double" -> "bytes" (decimal)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal does not say %q: %v", want, err)
		}
	}
	if vs, err := cl.SubjectVersions(ctx, cfg.Subject()); err != nil || len(vs) != 1 {
		t.Fatalf("versions of %s after the refusal: %v %v, want only the first", cfg.Subject(), vs, err)
	}
	// Nothing reached Kafka: the refusal comes before the topic is even created.
	if n := topicExists(t, addr, cfg.Topic); n {
		t.Fatalf("topic %s exists after the refusal", cfg.Topic)
	}
}

func topicExists(t *testing.T, addr, topic string) bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tds, err := kadm.NewClient(cl).ListTopics(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	return tds.Has(topic)
}
