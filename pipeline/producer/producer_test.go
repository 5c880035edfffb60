package producer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/transaction"
	"github.com/finobs/finobs/topology"
)

// The tests below run against the real broker of the native stack (`make up`, or
// `make test`, which starts it). FINOBS_KAFKA overrides the address.
func broker(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("FINOBS_KAFKA")
	if addr == "" {
		local, err := topology.Local(1)
		if err != nil {
			t.Fatal(err)
		}
		addr = local.KafkaBootstrap()
	}
	c, err := net.DialTimeout("tcp", strings.Split(addr, ",")[0], 3*time.Second)
	if err != nil {
		t.Fatalf("Kafka broker %s unreachable: these integration tests need the native stack "+
			"(start it with `make up`, or run `make test`, which starts it; FINOBS_KAFKA=host:port to point elsewhere): %v", addr, err)
	}
	c.Close()
	return addr
}

func testConfig(t *testing.T, addr string) Config {
	cfg := Defaults()
	cfg.Brokers = []string{addr}
	cfg.Topic = fmt.Sprintf("finobs-test-%s-%d", strings.ToLower(t.Name()), time.Now().UnixNano())
	cfg.Partitions = 3
	cfg.Progress = 0
	cfg.Generator.Seed = 42
	cfg.Generator.AnomalyRate = 0.01
	cfg.Format = FormatJSON // the tests that read values as JSON; avro_test.go reads Avro
	return cfg
}

func deleteTopic(t *testing.T, addr, topic string) {
	t.Cleanup(func() {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
		if err != nil {
			return
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		kadm.NewClient(cl).DeleteTopic(ctx, topic)
	})
}

// consume reads the topic from the start until want records arrived or 30 s passed.
func consume(t *testing.T, addr, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records before timing out", len(recs), want)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		recs = append(recs, fs.Records()...)
	}
	return recs
}

// endOffsets sums the high watermarks: how many records the topic holds.
func endOffsets(t *testing.T, addr, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}

// Produce N records, consume them back: the count, per-key order and schema hold.
func TestProduceConsume(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	cfg.Count = 20000
	deleteTopic(t, addr, cfg.Topic)
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	p, err := New(ctx, cfg, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !p.CreatedTopic() {
		t.Fatal("topic was not created")
	}
	st, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != cfg.Count || st.Generated != cfg.Count || st.Errors != 0 {
		t.Fatalf("stats %+v, want %d acknowledged", st, cfg.Count)
	}
	want := fmt.Sprintf("# HELP finobs_producer_records_total Records acknowledged by the broker.\n"+
		"# TYPE finobs_producer_records_total counter\nfinobs_producer_records_total{topic=%q} %d\n", cfg.Topic, cfg.Count)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "finobs_producer_records_total"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg, "finobs_producer_records_total", "finobs_producer_errors_total",
		"finobs_producer_bytes_total", "finobs_producer_buffered_records", "finobs_producer_buffer_max_records",
		"finobs_producer_produce_latency_seconds", "finobs_producer_target_rate"); err != nil || n != 7 {
		t.Fatalf("producer metrics: %d series, %v", n, err)
	}
	if n, _ := testutil.GatherAndCount(reg, "kgo_produce_bytes_total"); n == 0 {
		t.Fatal("kprom metrics missing")
	}

	recs := consume(t, addr, cfg.Topic, int(cfg.Count))
	if len(recs) != int(cfg.Count) {
		t.Fatalf("consumed %d records, want %d", len(recs), cfg.Count)
	}
	if n := endOffsets(t, addr, cfg.Topic); n != cfg.Count {
		t.Fatalf("topic holds %d records, want %d (duplicates?)", n, cfg.Count)
	}

	// The same seed makes the same transactions: expected per-merchant order of ids.
	g, err := generator.New(generator.Config{Seed: cfg.Generator.Seed, AnomalyRate: cfg.Generator.AnomalyRate})
	if err != nil {
		t.Fatal(err)
	}
	order := map[transaction.MerchantID][]transaction.UUID{}
	var tx transaction.Transaction
	for i := int64(0); i < cfg.Count; i++ {
		g.Next(&tx)
		order[tx.MerchantID] = append(order[tx.MerchantID], tx.TransactionID)
	}

	got := map[transaction.MerchantID][]transaction.UUID{}
	partitionOf := map[transaction.MerchantID]int32{}
	anomalies := 0
	start, end := time.Now().Add(-5*time.Minute).UnixMilli(), time.Now().UnixMilli()
	for _, r := range recs {
		if err := json.Unmarshal(r.Value, &tx); err != nil {
			t.Fatalf("offset %d/%d: %v: %s", r.Partition, r.Offset, err, r.Value)
		}
		checkSchema(t, r.Value)
		if string(r.Key) != tx.MerchantID.String() {
			t.Fatalf("key %q, merchantId %s", r.Key, tx.MerchantID)
		}
		if p, ok := partitionOf[tx.MerchantID]; ok && p != r.Partition {
			t.Fatalf("merchant %s in partitions %d and %d", tx.MerchantID, p, r.Partition)
		}
		partitionOf[tx.MerchantID] = r.Partition
		if r.Timestamp.UnixMilli() != tx.TransactionTime || tx.TransactionTime < start || tx.TransactionTime > end {
			t.Fatalf("record time %d, transactionTime %d, want now-ish epoch ms", r.Timestamp.UnixMilli(), tx.TransactionTime)
		}
		if tx.IsAnomalous() {
			anomalies++
		}
		got[tx.MerchantID] = append(got[tx.MerchantID], tx.TransactionID)
	}
	if len(got) != len(order) {
		t.Fatalf("%d merchants consumed, %d produced", len(got), len(order))
	}
	for m, ids := range order {
		if fmt.Sprint(got[m]) != fmt.Sprint(ids) {
			t.Fatalf("merchant %s: order differs from production order", m)
		}
	}
	if anomalies < 100 || anomalies > 320 {
		t.Fatalf("%d anomalies in %d records at rate 0.01", anomalies, cfg.Count)
	}
}

// checkSchema checks the raw JSON: exactly the ten fields, with JSON types the Spark
// schema reads without coercion.
func checkSchema(t *testing.T, v []byte) {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(v)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{
		"transactionId": "string", "userId": "string", "merchantId": "string", "amount": "number",
		"currency": "string", "transactionType": "string", "paymentMethod": "string", "location": "string",
		"isInternational": "bool", "transactionTime": "number",
	}
	if len(m) != len(types) {
		t.Fatalf("%d fields, want %d: %s", len(m), len(types), v)
	}
	for k, typ := range types {
		var ok bool
		switch typ {
		case "string":
			_, ok = m[k].(string)
		case "number":
			_, ok = m[k].(json.Number)
		case "bool":
			_, ok = m[k].(bool)
		}
		if !ok {
			t.Fatalf("field %s is %T, want %s: %s", k, m[k], typ, v)
		}
	}
	if a := string(m["amount"].(json.Number)); len(a) < 4 || a[len(a)-3] != '.' {
		t.Fatalf("amount %s without 2 decimal places", a)
	}
}

// Interrupting a run flushes what is buffered: everything acknowledged is in the topic,
// and every generated record is accounted for.
func TestInterruptFlushes(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	cfg.Key = KeyUser
	deleteTopic(t, addr, cfg.Topic)
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	time.AfterFunc(1500*time.Millisecond, cancel)
	st, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records == 0 || st.Errors != 0 || st.Generated != st.Records {
		t.Fatalf("stats %+v: want records > 0, no errors, every generated record acknowledged", st)
	}
	if n := endOffsets(t, addr, cfg.Topic); n != st.Records {
		t.Fatalf("topic holds %d records, %d were acknowledged", n, st.Records)
	}
	t.Logf("interrupted after %d records (%.0f/s)", st.Records, st.RecordsPerSec())
}

// A stop keeps what the client buffered for the flush. franz-go keeps the context given to
// Produce with the record and fails buffered, unsent records when it ends, so that must not be
// the run's context. No broker here: the listener never replies, the records wait in the
// client for the topic's metadata, and the flush must time out on every one of them.
func TestStopKeepsBuffered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // the kernel accepts; nothing replies
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Defaults()
	cfg.Brokers, cfg.Topic, cfg.Format, cfg.Progress = []string{ln.Addr().String()}, "finobs-stop", FormatJSON, 0
	cfg.MaxBuffered, cfg.FlushTimeout = 1000, 300*time.Millisecond
	// As New, without its connection check.
	p := &Producer{cfg: cfg, log: slog.New(slog.DiscardHandler), space: make(chan struct{}, 1),
		limit: int64(cfg.MaxBuffered), resume: int64(cfg.MaxBuffered - cfg.MaxBuffered/8), slots: make([]slot, 2*cfg.MaxBuffered)}
	for i := range p.slots {
		p.slots[i].Context = context.Background()
	}
	cfg.Generator.Now = p.now
	if p.gen, err = generator.New(cfg.Generator); err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.clientOpts()
	if err != nil {
		t.Fatal(err)
	}
	if p.cl, err = kgo.NewClient(opts...); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	st, err := p.Run(ctx)
	if left := p.cl.BufferedProduceRecords(); st.Generated == 0 || st.Records != 0 || st.Errors != 0 || left != st.Generated {
		t.Fatalf("stats %+v, %d still buffered: the stop must leave all %d generated records buffered", st, left, st.Generated)
	}
	if err == nil {
		t.Fatal("Run returned no error with every record unacknowledged")
	}
}

func TestRate(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	deleteTopic(t, addr, cfg.Topic)
	// The first records to a new topic wait for its leader and metadata; that start-up, not
	// the pacing, is what a loaded 2-core CI machine made slow. Warm the topic up first.
	warm := cfg
	warm.Count = 100
	wp, err := New(context.Background(), warm, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wp.Close()

	cfg.Rate, cfg.Duration = 2000, 2*time.Second
	p, err := New(context.Background(), cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Records < 3800 || st.Records > 4100 {
		t.Fatalf("%d records in 2 s at 2000/s", st.Records)
	}
}

func TestTopicConflicts(t *testing.T) {
	addr := broker(t)
	cfg := testConfig(t, addr)
	deleteTopic(t, addr, cfg.Topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	spec := TopicSpec{Name: cfg.Topic, Partitions: 3, ReplicationFactor: 1, MinInsyncReplicas: 1}
	if created, err := EnsureTopic(ctx, cl, spec, true); err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if created, err := EnsureTopic(ctx, cl, spec, true); err != nil || created {
		t.Fatalf("same settings again: %v %v", created, err)
	}
	for name, s := range map[string]TopicSpec{
		"partitions":          {Name: cfg.Topic, Partitions: 4, ReplicationFactor: 1, MinInsyncReplicas: 1},
		"replication factor":  {Name: cfg.Topic, Partitions: 3, ReplicationFactor: 3, MinInsyncReplicas: 1},
		"min.insync.replicas": {Name: cfg.Topic, Partitions: 3, ReplicationFactor: 1, MinInsyncReplicas: 2},
	} {
		_, err := EnsureTopic(ctx, cl, s, true)
		if !errors.Is(err, ErrTopicConflict) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want a conflict naming it", name, err)
		}
	}
	if _, err := EnsureTopic(ctx, cl, TopicSpec{Name: cfg.Topic + "-missing", Partitions: 1, ReplicationFactor: 1, MinInsyncReplicas: 1}, false); err == nil {
		t.Error("missing topic with creation off: no error")
	}
	// Through New as well: nothing is produced to a conflicting topic.
	cfg.Partitions = 5
	if _, err := New(ctx, cfg, nil, nil); !errors.Is(err, ErrTopicConflict) {
		t.Fatalf("New on a conflicting topic: %v", err)
	}
}

// An address nobody answers on gives a clear error within the connect timeout.
func TestUnreachableBroker(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:1", "192.0.2.1:9092"} { // refused; TEST-NET-1 (silent)
		cfg := Defaults()
		cfg.Brokers, cfg.ConnectTimeout = []string{addr}, 2*time.Second
		start := time.Now()
		_, err := New(context.Background(), cfg, nil, nil)
		if err == nil || !strings.Contains(err.Error(), addr) {
			t.Fatalf("%s: got %v, want an error naming the broker", addr, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%s: took %v with a 2s connect timeout", addr, d)
		}
	}
}

func TestValidate(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"compression":     func(c *Config) { c.Compression = "brotli" },
		"negative rate":   func(c *Config) { c.Rate = -1 },
		"acks":            func(c *Config) { c.Acks = "2" },
		"idempotent acks": func(c *Config) { c.Acks = "1" },
		"key":             func(c *Config) { c.Key = "amount" },
		"min isr":         func(c *Config) { c.ReplicationFactor, c.MinInsyncReplicas = 1, 2 },
		"partitions":      func(c *Config) { c.Partitions = -1 },
		"replication":     func(c *Config) { c.ReplicationFactor = -1 },
		"batch":           func(c *Config) { c.BatchMaxBytes = 10 },
		"no brokers":      func(c *Config) { c.Brokers = nil },
	} {
		c := Defaults()
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}
