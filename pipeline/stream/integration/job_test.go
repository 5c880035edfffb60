package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pipeline/transaction"
	"github.com/finobs/finobs/topics"
)

// kafka is the test's Kafka client on the native stack, failing when it is down.
func kafka(t *testing.T) (*kgo.Client, *kadm.Client, string) {
	t.Helper()
	bootstrap := stacktest.Local(t).KafkaBootstrap()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ProducerLinger(2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		t.Fatalf("Kafka at %s is unreachable (start the stack: go run ./cmd/stack up): %v", bootstrap, err)
	}
	return cl, kadm.NewClient(cl), bootstrap
}

func produce(ctx context.Context, cl *kgo.Client, rs ...*kgo.Record) error {
	return cl.ProduceSync(ctx, rs...).FirstErr()
}

func txRecord(topic string, tx *transaction.Transaction) *kgo.Record {
	return &kgo.Record{Topic: topic, Key: tx.MerchantID.Append(nil), Value: tx.AppendJSON(nil)}
}

// consumeAll reads a topic from the start to its current end.
func consumeAll(ctx context.Context, t *testing.T, adm *kadm.Client, bootstrap, topic string) []*kgo.Record {
	t.Helper()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume %s: %v (still waiting for %v)", topic, err, want)
		}
		fs.EachRecord(func(r *kgo.Record) {
			out = append(out, r)
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
		})
	}
	return out
}

// window is one expected aggregate.
type window struct {
	merchant string
	start    int64
	count    int64
	sum, max transaction.Amount
}

// TestJobCorrectness runs the job against the real Spark and Kafka of the native stack:
// aggregates equal the ones computed in Go, late records are dropped and counted, bad input
// goes to the dead-letter topic with its reason, and a stop and restart from the checkpoint
// mid-stream neither loses nor double-counts anything in the final per-merchant totals.
// On a stack of 3 brokers (the fault suite's, make test-faults) the topics have 3 replicas
// and min.insync.replicas 2, a broker is killed -9 just before the stop, the job restarts
// while it is down, and restarts once more after it is back: the totals still agree.
func TestJobCorrectness(t *testing.T) { jobCorrectness(t, false) }

// TestJobCorrectnessAvro is TestJobCorrectness on Avro input in the registry's wire format:
// the schema registered in the stack's registry under the run's own subject, the records
// framed with its id, and the bad records those the Avro path must set aside (no framing,
// an unknown schema id, an undecodable body, a decoded value that breaks the contract).
func TestJobCorrectnessAvro(t *testing.T) { jobCorrectness(t, true) }

func jobCorrectness(t *testing.T, avroInput bool) {
	cl, adm, bootstrap := kafka(t)
	outage, replicas, topicConfig := "", int16(1), map[string]*string(nil)
	if stacktest.Local(t).Brokers() >= 3 {
		two := "2"
		outage, replicas, topicConfig = "kafka-broker-2", 3, map[string]*string{"min.insync.replicas": &two}
	}
	s := stacktest.Spark(t)
	timeout := 3 * time.Minute
	if outage != "" {
		timeout = 8 * time.Minute // a broker's restart and three runs of the job
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	run := fmt.Sprintf("t%d", time.Now().UnixNano())
	cfg := stream.Defaults()
	cfg.Bootstrap = bootstrap
	cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic = run+"_tx", run+"_agg", run+"_anom", run+"_dlq"
	cfg.Query = run
	cfg.Trigger = 500 * time.Millisecond
	cfg.Window = time.Minute
	cfg.WatermarkDelay = 30 * time.Second
	cfg.ShufflePartitions = 2
	cfg.PollInterval = time.Second
	cfg.Restart = stream.RestartPolicy{MaxRestarts: 5, Window: time.Minute, Backoff: time.Second, MaxBackoff: time.Second}
	// Stop without waiting for the running batch: the hardest case for the checkpoint.
	cfg.StopWait = 0
	dir, err := os.MkdirTemp("", "finobs-stream-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg.CheckpointDir = filepath.Join(dir, "checkpoints")
	// enc encodes a transaction as the job reads it; bad are the records it must set aside
	// (by their value, as the dead letter's raw field gives it back) and why.
	enc := func(tx *transaction.Transaction) *kgo.Record { return txRecord(cfg.InputTopic, tx) }
	bad := badJSON
	rawOf := func(v []byte) string { return string(v) }
	if avroInput {
		cfg.SchemaID = registerAvro(t, cfg.InputTopic+"-value")
		enc = func(tx *transaction.Transaction) *kgo.Record {
			v, err := tx.AppendAvro(nil, cfg.SchemaID)
			if err != nil {
				t.Fatal(err)
			}
			return &kgo.Record{Topic: cfg.InputTopic, Key: tx.MerchantID.Append(nil), Value: v}
		}
		bad = badAvro(t, cfg.SchemaID)
		rawOf = func(v []byte) string { return base64.StdEncoding.EncodeToString(v) }
		t.Logf("Avro input: schema id %d under %s-value", cfg.SchemaID, cfg.InputTopic)
	}
	for _, topic := range []string{cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic} {
		conf := maps.Clone(topicConfig)
		if topic == cfg.InputTopic { // as declared (topics.Timestamps): the broker's clock
			if conf == nil {
				conf = map[string]*string{}
			}
			ts := string(topics.LogAppendTime)
			conf[topics.KeyTimestampType] = &ts
		}
		if _, err := adm.CreateTopic(ctx, 3, replicas, conf, topic); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		adm.DeleteTopics(context.Background(), cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic)
	})

	// Event time: phase A spans 4 minutes from t0; a clock record at t0+10m moves the watermark
	// to t0+9m30s; late records at t0 are then behind it; phase B runs from t0+10m.
	t0 := time.Now().Add(-time.Hour).Truncate(time.Minute).UnixMilli()
	var eventTime int64
	g, err := generator.New(generator.Config{Seed: 11, Merchants: 40, AnomalyRate: 0.01, Now: func() int64 { return eventTime }})
	if err != nil {
		t.Fatal(err)
	}
	expect := map[string]*window{}
	anomalies := map[string]bool{}
	var valid int64
	add := func(tx *transaction.Transaction) {
		m := tx.MerchantID.String()
		ws := tx.TransactionTime - tx.TransactionTime%60000
		k := fmt.Sprintf("%s/%d", m, ws)
		w := expect[k]
		if w == nil {
			w = &window{merchant: m, start: ws}
			expect[k] = w
		}
		w.count++
		w.sum += tx.Amount
		w.max = max(w.max, tx.Amount)
		valid++
		if tx.IsAnomalous() {
			anomalies[tx.TransactionID.String()] = true
		}
	}
	next := func(at int64) *kgo.Record {
		var tx transaction.Transaction
		eventTime = at
		g.Next(&tx)
		add(&tx)
		return enc(&tx)
	}

	// Phase A: 6000 valid records and the bad ones, before the job starts.
	const nA = 6000
	var recs []*kgo.Record
	for i := range int64(nA) {
		recs = append(recs, next(t0+i*240_000/nA))
	}
	// Valid records of event times out of tolerance of the broker's clock: a year ahead (it
	// would move the watermark a year ahead, and every record after it would be late and
	// dropped) and two days behind. Quarantined; the checks of the watermark and of the late
	// records below hold only if neither moved it.
	bad = maps.Clone(bad)
	for _, at := range []struct {
		t      int64
		reason string
	}{
		{time.Now().AddDate(1, 0, 0).UnixMilli(), stream.QuarantineAhead(cfg.EventAhead)},
		{time.Now().Add(-48 * time.Hour).UnixMilli(), stream.QuarantineBehind(cfg.EventBehind)},
	} {
		eventTime = at.t
		var tx transaction.Transaction
		g.Next(&tx)
		bad[string(enc(&tx).Value)] = at.reason
	}
	for raw := range bad {
		recs = append(recs, &kgo.Record{Topic: cfg.InputTopic, Value: []byte(raw)})
	}
	// One record near the broker's 1 MB limit, with a key of 2 KiB: whole in its dead letter,
	// it would not fit the dead-letter topic (quotes and newlines double as escaped JSON text,
	// Avro's base64 takes a third more), fail its batch for good and stop the query. Its dead
	// letter must be an excerpt with the size and digest of the whole, and the query go on.
	huge := &kgo.Record{Topic: cfg.InputTopic, Key: bytes.Repeat([]byte("k"), 2<<10), Value: bytes.Repeat([]byte("\"\n"), 450_000)}
	hugeReason := "malformed JSON: not a JSON object"
	if avroInput {
		hugeReason = "not the registry wire format: no magic byte 0 and 4-byte schema id"
	}
	recs = append(recs, huge)
	if err := produce(ctx, cl, recs...); err != nil {
		t.Fatal(err)
	}
	total := int64(len(recs))

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	reg := prometheus.NewRegistry()
	m := stream.NewMetrics(reg)
	job, err := stream.New(ctx, s, cfg, m, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			job.Stop(context.Background())
		}
	}()
	// waitRead polls the job until its query has read n records in this run of the job.
	read := map[string]int64{}
	waitRead := func(job *stream.Job, n int64, what string) {
		t.Helper()
		for {
			if err := job.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			read[cfg.Query] = int64(metric(t, reg, "finobs_stream_input_rows_total", cfg.Query))
			if read[cfg.Query] >= n {
				return
			}
			for name, q := range job.Queries() {
				if st, err := q.Status(ctx); err == nil && !st.IsActive {
					qe, _ := q.Exception(ctx)
					t.Fatalf("query %s stopped while waiting for %s: %v", name, what, qe)
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("waiting for %s: read %v of %d", what, read, n)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitRead(job, total, "phase A")
	t.Logf("phase A read: %v", read)
	// Kafka is read and parsed once per record: the screening branch reuses the shuffle of the
	// aggregating branch instead of scanning the batch again.
	for name, q := range job.Queries() {
		plan, err := q.Explain(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		// The last batch may have been a no-data one (a LocalTableScan for the watermark).
		if n := strings.Count(plan, "MicroBatchScan") + strings.Count(plan, "LocalTableScan"); n != 1 || !strings.Contains(plan, "ReusedExchange") {
			t.Errorf("query %s scans Kafka %d times per batch, want once and a ReusedExchange; plan:\n%s", name, n, plan)
		}
	}

	// Clock record, then wait for the query's watermark to pass it.
	if err := produce(ctx, cl, next(t0+10*60_000)); err != nil {
		t.Fatal(err)
	}
	total++
	waitRead(job, total, "clock record")
	wmWant := float64(t0+10*60_000-30_000) / 1e3
	for metric(t, reg, "finobs_stream_watermark_timestamp_seconds", cfg.Query) < wmWant {
		if ctx.Err() != nil {
			t.Fatalf("watermark stuck at %v, want %v", metric(t, reg, "finobs_stream_watermark_timestamp_seconds", cfg.Query), wmWant)
		}
		time.Sleep(500 * time.Millisecond)
		if err := job.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Late records: one per unused merchant at t0, so each is its own group in the aggregation
	// and Spark's numRowsDroppedByWatermark counts records, not partial aggregates.
	const nLate = 5
	recs = recs[:0]
	for i := range nLate {
		tx := transaction.Transaction{TransactionID: transaction.UUID{byte(i + 1)}, UserID: 1, MerchantID: transaction.MerchantID(90001 + i),
			Amount: 1234, Currency: "USD", TransactionType: transaction.Purchase, PaymentMethod: transaction.CreditCard,
			Location: "US", TransactionTime: t0 + 1000}
		recs = append(recs, enc(&tx))
	}
	if err := produce(ctx, cl, recs...); err != nil {
		t.Fatal(err)
	}
	total += nLate
	waitRead(job, total, "late records")
	if late := metric(t, reg, "finobs_stream_late_rows_total", cfg.Query); late != nLate {
		t.Errorf("late rows counted: %v, want %d", late, nLate)
	}

	// Phase B: a steady stream from t0+10m; the job is stopped and restarted from its
	// checkpoint in the middle of it.
	const nB = 8000
	var prodErr error
	var sentB atomic.Int64
	var wg sync.WaitGroup
	var bRecs []*kgo.Record
	for i := range int64(nB) {
		bRecs = append(bRecs, next(t0+10*60_000+i*100_000/nB))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < len(bRecs) && prodErr == nil; i += 200 {
			prodErr = produce(ctx, cl, bRecs[i:min(i+200, len(bRecs))]...)
			sentB.Store(int64(min(i+200, len(bRecs))))
			time.Sleep(200 * time.Millisecond)
		}
	}()
	time.Sleep(3 * time.Second)
	var procs *native.Stack
	if outage != "" {
		p, err := native.FindPaths()
		if err != nil {
			t.Fatal(err)
		}
		procs = &native.Stack{P: p, Log: log}
		if _, err := procs.Signal(outage, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { procs.Start(context.Background(), outage) }) // a no-op when it runs
		t.Logf("%s killed -9 while records flow; the job restarts while it is down", outage)
	}
	if err := job.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if up := metric(t, reg, "finobs_stream_query_up", cfg.Query); up != 0 {
		t.Errorf("query_up after stop = %v", up)
	}
	read[cfg.Query] = int64(metric(t, reg, "finobs_stream_input_rows_total", cfg.Query))
	t.Logf("stopped mid-stream: %d of %d phase-B records produced, queries had read %v of them and before", sentB.Load(), nB, read)
	s.Close()
	time.Sleep(time.Second)

	// A new driver: new session, new metrics, same checkpoints.
	s2 := stacktest.Spark(t)
	m2 := stream.NewMetrics(prometheus.NewRegistry())
	job2, err := stream.New(ctx, s2, cfg, m2, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := job2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer job2.Stop(context.Background())
	wg.Wait()
	if prodErr != nil {
		t.Fatal(prodErr)
	}
	// After the restart the job reads what the first run had not committed: wait until the
	// queries' end offsets reach the topic's end.
	catchUp := func(job2 *stream.Job) {
		ends, err := adm.ListEndOffsets(ctx, cfg.InputTopic)
		if err != nil {
			t.Fatal(err)
		}
		var lastSeen []string
		for caughtUp := false; !caughtUp; {
			if ctx.Err() != nil {
				t.Fatalf("restarted job did not catch up with the topic (ends %v); last progress:\n%s", ends, strings.Join(lastSeen, "\n"))
			}
			time.Sleep(500 * time.Millisecond)
			caughtUp = true
			lastSeen = lastSeen[:0]
			// Poll restarts a query that failed (see Job.poll on Spark 4.1.1's restart bug).
			if err := job2.Poll(ctx); err != nil {
				t.Logf("poll: %v", err)
			}
			for _, q := range job2.Queries() {
				last, err := q.LastProgress(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if last != nil {
					lastSeen = append(lastSeen, last.JSON)
				}
				if last == nil || len(last.Sources) == 0 {
					caughtUp = false
					continue
				}
				end, _ := sparkconnect.KafkaOffsets(last.Sources[0].EndOffset)
				ends.Each(func(o kadm.ListedOffset) {
					if end[cfg.InputTopic][fmt.Sprint(o.Partition)] < o.Offset {
						caughtUp = false
					}
				})
			}
		}
		// One more trigger so that the last batch's aggregates are surely out.
		time.Sleep(2 * time.Second)
		if err := job2.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(job2)
	last := job2
	if outage != "" {
		// The broker back, the job restarted again from the checkpoint written while it was
		// down, and phase C read by the third run.
		if _, err := procs.Start(ctx, outage); err != nil {
			t.Fatalf("start %s again: %v", outage, err)
		}
		if err := job2.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		s2.Close()
		s3 := stacktest.Spark(t)
		job3, err := stream.New(ctx, s3, cfg, stream.NewMetrics(prometheus.NewRegistry()), log)
		if err != nil {
			t.Fatal(err)
		}
		if err := job3.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer job3.Stop(context.Background())
		const nC = 2000
		recs = recs[:0]
		for i := range int64(nC) {
			recs = append(recs, next(t0+12*60_000+i*60_000/nC))
		}
		if err := produce(ctx, cl, recs...); err != nil {
			t.Fatal(err)
		}
		catchUp(job3)
		t.Logf("%s back; the job restarted again and read %d more records", outage, nC)
		last = job3
	}
	if err := last.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// Aggregates: the latest record per (merchant, window) is the window's total, and a
	// window's total never goes down: the restarts above replay batches, which must write the
	// same totals again, never a total of fewer records (one key per merchant: one partition,
	// read in offset order).
	got := map[string]*window{}
	var emitted, rewrites int
	for _, r := range consumeAll(ctx, t, adm, bootstrap, cfg.AggregatesTopic) {
		emitted++
		var a struct {
			MerchantID  string      `json:"merchantId"`
			WindowStart int64       `json:"windowStart"`
			WindowEnd   int64       `json:"windowEnd"`
			Count       int64       `json:"count"`
			Sum         json.Number `json:"sum"`
			Avg         json.Number `json:"avg"`
			Max         json.Number `json:"max"`
		}
		if err := json.Unmarshal(r.Value, &a); err != nil {
			t.Fatalf("aggregate %s: %v", r.Value, err)
		}
		if string(r.Key) != a.MerchantID || a.WindowEnd-a.WindowStart != 60_000 {
			t.Errorf("aggregate key %q, value %s", r.Key, r.Value)
		}
		sum, err1 := transaction.ParseAmount(a.Sum.String())
		mx, err2 := transaction.ParseAmount(a.Max.String())
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("aggregate %s: %v", r.Value, err)
		}
		// avg is decimal(22,6): within half a unit of the 6th place of sum/count.
		exact := new(big.Rat).SetFrac64(int64(sum), 100*a.Count)
		avg, ok := new(big.Rat).SetString(a.Avg.String())
		if !ok || new(big.Rat).Abs(new(big.Rat).Sub(avg, exact)).Cmp(big.NewRat(1, 2_000_000)) > 0 {
			t.Errorf("aggregate %s: avg is not sum/count", r.Value)
		}
		k := fmt.Sprintf("%s/%d", a.MerchantID, a.WindowStart)
		if before := got[k]; before != nil {
			if a.Count < before.count || sum < before.sum {
				t.Errorf("window %s went down at offset %d of partition %d: %d records (sum %d) after %d (sum %d)",
					k, r.Offset, r.Partition, a.Count, sum, before.count, before.sum)
			}
			if a.Count == before.count {
				rewrites++
			}
		}
		got[k] = &window{merchant: a.MerchantID, start: a.WindowStart, count: a.Count, sum: sum, max: mx}
	}
	t.Logf("aggregates: no window's total went down; %d records rewrote a total unchanged (replays)", rewrites)
	var mismatches []string
	for k, w := range expect {
		if g := got[k]; g == nil || *g != *w {
			mismatches = append(mismatches, fmt.Sprintf("%s: got %+v want %+v", k, g, *w))
		}
	}
	for k := range got {
		if expect[k] == nil {
			mismatches = append(mismatches, fmt.Sprintf("%s: unexpected window %+v (late record counted?)", k, *got[k]))
		}
	}
	sort.Strings(mismatches)
	if len(mismatches) > 0 {
		t.Errorf("%d of %d windows differ, e.g.:\n%s", len(mismatches), len(expect), strings.Join(mismatches[:min(10, len(mismatches))], "\n"))
	}
	// Per-merchant totals over all windows.
	type tot struct{ count, sum int64 }
	wantTot, gotTot := map[string]tot{}, map[string]tot{}
	for _, w := range expect {
		x := wantTot[w.merchant]
		wantTot[w.merchant] = tot{x.count + w.count, x.sum + int64(w.sum)}
	}
	for _, w := range got {
		x := gotTot[w.merchant]
		gotTot[w.merchant] = tot{x.count + w.count, x.sum + int64(w.sum)}
	}
	var sumCount int64
	for mch, w := range wantTot {
		if gotTot[mch] != w {
			t.Errorf("merchant %s: total %+v, want %+v", mch, gotTot[mch], w)
		}
		sumCount += gotTot[mch].count
	}
	t.Logf("aggregates: %d valid records in %d windows of %d merchants; %d aggregate records emitted; Go and Spark totals agree on %d records",
		valid, len(expect), len(wantTot), emitted, sumCount)

	// Anomalies: every anomalous transaction, once per transactionId.
	gotAnom := map[string]int{}
	for _, r := range consumeAll(ctx, t, adm, bootstrap, cfg.AnomaliesTopic) {
		var a struct {
			TransactionID string `json:"transactionId"`
		}
		if err := json.Unmarshal(r.Value, &a); err != nil {
			t.Fatalf("anomaly %s: %v", r.Value, err)
		}
		// Keyed by transaction: a replay's copy has the key of the first, and the compacted
		// topic (or a consumer keeping the latest per key) counts it once.
		if string(r.Key) != a.TransactionID {
			t.Errorf("anomaly keyed %q, transaction %s", r.Key, a.TransactionID)
		}
		gotAnom[a.TransactionID]++
	}
	for id := range anomalies {
		if gotAnom[id] == 0 {
			t.Errorf("anomaly %s missing", id)
		}
	}
	for id := range gotAnom {
		if !anomalies[id] {
			t.Errorf("not an anomaly: %s", id)
		}
	}
	dup := 0
	for _, n := range gotAnom {
		dup += n - 1
	}
	t.Logf("anomalies: %d expected, %d distinct in the topic, %d duplicates (at-least-once replay)", len(anomalies), len(gotAnom), dup)

	// Dead letters: each bad record once, with its reason, found by the digest of its bytes;
	// the raw field is the record (its first stream.DeadLetterExcerpt bytes).
	type deadLetter struct {
		Reason, Raw, RawSha256 string
		RawBytes               int
		Truncated              bool
		Key                    string // the record's key, or its digest
		Topic                  string
		Partition              int32
		Offset                 int64
	}
	gotDL := map[string]deadLetter{}
	for _, r := range consumeAll(ctx, t, adm, bootstrap, cfg.DeadLetterTopic) {
		var d deadLetter
		if err := json.Unmarshal(r.Value, &d); err != nil {
			t.Fatalf("dead letter %.200s: %v", r.Value, err)
		}
		// Keyed by where the record is: a replay's copy has the same key.
		if want := fmt.Sprintf("%s/%d/%d", d.Topic, d.Partition, d.Offset); string(r.Key) != want || d.Topic != cfg.InputTopic {
			t.Errorf("dead letter keyed %q, of the record at %s", r.Key, want)
		}
		gotDL[d.RawSha256] = d
	}
	digest := func(v []byte) string { h := sha256.Sum256(v); return hex.EncodeToString(h[:]) }
	for raw, reason := range bad {
		d := gotDL[digest([]byte(raw))]
		if d.Reason != reason || d.Raw != rawOf([]byte(raw)) || d.RawBytes != len(raw) || d.Truncated {
			t.Errorf("dead letter for %.60q: %+v, want reason %q, the whole record, %d bytes", raw, d, reason, len(raw))
		}
	}
	d := gotDL[digest(huge.Value)]
	if d.Reason != hugeReason || d.Raw != rawOf(huge.Value[:stream.DeadLetterExcerpt]) || d.RawBytes != len(huge.Value) || !d.Truncated ||
		d.Key != "sha256:"+digest(huge.Key) {
		t.Errorf("dead letter of the %d-byte record: reason %q, %d raw characters, rawBytes %d, truncated %v, key %.20q; want %q, the first %d bytes, %d, true, its key's digest",
			len(huge.Value), d.Reason, len(d.Raw), d.RawBytes, d.Truncated, d.Key, hugeReason, stream.DeadLetterExcerpt, len(huge.Value))
	}
	bad = maps.Clone(bad)
	bad[string(huge.Value)] = hugeReason
	if dl := metric(t, reg, "finobs_stream_dead_letter_rows_total", cfg.Query); dl != float64(len(bad)) {
		t.Errorf("dead_letter_rows_total = %v, want %d", dl, len(bad))
	}
	var reasons []string
	for _, r := range gotDL {
		reasons = append(reasons, r.Reason)
	}
	sort.Strings(reasons)
	t.Logf("dead letters: %d (dead_letter_rows_total %v), reasons: %q", len(gotDL),
		metric(t, reg, "finobs_stream_dead_letter_rows_total", cfg.Query), reasons)
	t.Logf("late: %v rows dropped by the watermark (late_rows_total), none in the aggregates",
		metric(t, reg, "finobs_stream_late_rows_total", cfg.Query))
}

// badJSON are JSON records the job sets aside, and why.
var badJSON = map[string]string{
	`{"transactionId": "broken"`: "malformed JSON: not a JSON object",
	`hello`:                      "malformed JSON: not a JSON object",
	`{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a10","userId":"U0000001","merchantId":"M00001","amount":"ten","currency":"USD","transactionType":"purchase","paymentMethod":"credit_card","location":"US","isInternational":false,"transactionTime":1764111600123}`:   "amount: not a decimal(18,2)",
	`{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a11","userId":"U0000001","merchantId":"M00001","amount":10.00,"currency":"USD","transactionType":"purchase","paymentMethod":"credit_card","location":"US","isInternational":"false","transactionTime":1764111600123}`: "isInternational: not a boolean",
	`{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a12","userId":"U0000001","merchantId":"M00001","amount":10.00,"currency":"USD","transactionType":"purchase","paymentMethod":"credit_card","location":"US","isInternational":false,"transactionTime":1764111600}`:      "transactionTime: not epoch milliseconds in [2000, 2100)",
	`{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a13","userId":"U0000001","amount":10.00,"currency":"USD","transactionType":"purchase","paymentMethod":"credit_card","location":"US","isInternational":false,"transactionTime":1764111600123}`:                         "merchantId: missing or null",
}
