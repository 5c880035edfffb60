package producer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
	"github.com/twmb/franz-go/plugin/kslog"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/transaction"
)

// Producer generates transactions and produces them to one topic.
type Producer struct {
	cfg Config
	log *slog.Logger
	cl  *kgo.Client
	gen *generator.Generator
	// slots are the records, reused once acknowledged. They are taken in ring order, so
	// that the producer walks memory sequentially (prefetched) rather than reusing scattered,
	// cold records from a pool. The ring is twice the buffer limit: the next slot is nearly
	// always free already; when a straggler still holds it, the producer waits for it.
	slots []slot

	limit  int64
	resume int64
	space  chan struct{}

	// Counters, grouped by the goroutine that writes them and padded apart: fields written
	// by the producing goroutine and by the promise goroutine on one cache line would move
	// that line between the cores on every record.
	_ [128]byte
	// Written by the producing goroutine.
	generated atomic.Int64 // handed to the client; stored every 64 records and at the end
	waiting   atomic.Bool  // waitSpace is waiting; see completed
	clockN    int64        // see now
	clockMs   int64
	_         [128]byte
	// Written by the promise goroutine.
	acked   atomic.Int64
	ackedB  atomic.Int64
	failed  atomic.Int64
	lastErr atomic.Pointer[string]
	// Backpressure of our own, in front of the client's MaxBufferedRecords: Produce blocking
	// at the limit would start a goroutine per blocked record, and could not be woken in
	// batches. The run waits while generated-completed is at the limit, until it drops to
	// resume.
	completed atomic.Int64
	_         [128]byte

	latency   prometheus.Histogram
	createdTp bool
	schemaID  uint32    // Avro: the registry's id of the schema, in every record's framing
	topic     TopicSpec // as ensured, the declared values filled in
}

// slot is a reusable record. It is its record's Context, so that the promise finds the
// slot (and the enqueue time of a sampled record) without a map or an allocation. Its
// context, as the one given to Produce, is never canceled: once buffered, a record is only
// failed by the broker, the delivery timeout or Close, never because the run was interrupted.
type slot struct {
	context.Context
	busy  atomic.Bool // from Produce to the end of the promise
	rec   kgo.Record
	enq   time.Time // set on sampled records
	chunk *chunk    // holding the value, if any
	key   [36]byte
}

// chunk holds record values written one after the other. Writing values sequentially lets
// the CPU prefetch: values in per-slot buffers went to scattered, cold cache lines, which
// cost more than generating the record. A chunk is recycled once every record carved from
// it is acknowledged and the producer has moved on to another chunk.
type chunk struct {
	buf []byte
	// refs is records carved (added once, when the producer moves on) minus records
	// acknowledged (one by one, by the promise): whoever brings it to 0 recycles the chunk.
	// The producer adds once per chunk, so the line stays with the promise goroutine.
	refs atomic.Int64
}

const chunkSize = 1 << 20

var chunks = sync.Pool{New: func() any { return &chunk{buf: make([]byte, chunkSize)} }}

func (c *chunk) add(n int64) {
	if c.refs.Add(n) == 0 {
		chunks.Put(c)
	}
}

// values carves record values out of chunks. Only the producing goroutine uses it.
type values struct {
	c      *chunk
	off    int
	carved int64
	avro   bool
	id     uint32 // schema id, for avro
}

func (v *values) encode(t *transaction.Transaction, s *slot) []byte {
	if v.c == nil || chunkSize-v.off < 512 { // more than any valid record needs
		v.seal()
		v.c, v.off = chunks.Get().(*chunk), 0
	}
	var b []byte
	if v.avro {
		// The generator makes only valid symbols (its tests); an error would leave b empty.
		b, _ = t.AppendAvro(v.c.buf[v.off:v.off], v.id)
	} else {
		b = t.AppendJSON(v.c.buf[v.off:v.off])
	}
	if cap(b) != chunkSize-v.off { // AppendJSON outgrew the chunk: not from the chunk
		return b
	}
	v.off += len(b)
	v.carved++
	s.chunk = v.c
	return b[:len(b):len(b)]
}

// seal hands the count of the current chunk over to the promises.
func (v *values) seal() {
	if v.c != nil {
		v.c.add(v.carved)
		v.c, v.carved = nil, 0
	}
}

// Stats is the account of a run. Generated (every record handed to the client) = Records +
// Errors once flushed; a flush that times out reports the records still buffered.
type Stats struct {
	Generated int64         `json:"generated"`
	Records   int64         `json:"records"` // acknowledged
	Bytes     int64         `json:"bytes"`   // value bytes acknowledged
	Errors    int64         `json:"errors"`
	Elapsed   time.Duration `json:"elapsedNs"`
}

// RecordsPerSec is acknowledged records per second of the run.
func (s Stats) RecordsPerSec() float64 { return float64(s.Records) / s.Elapsed.Seconds() }

// MBPerSec is acknowledged value megabytes (10^6) per second.
func (s Stats) MBPerSec() float64 { return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds() }

// New connects, checks or creates the topic, and registers metrics on reg (nil: none).
// It fails within cfg.ConnectTimeout when no broker answers.
func New(ctx context.Context, cfg Config, reg *prometheus.Registry, log *slog.Logger) (*Producer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts, err := cfg.clientOpts()
	if err != nil {
		return nil, err
	}
	p := &Producer{cfg: cfg, log: log, space: make(chan struct{}, 1),
		limit: int64(cfg.MaxBuffered), resume: int64(cfg.MaxBuffered - cfg.MaxBuffered/8)}
	gc := cfg.Generator
	if gc.Now == nil {
		gc.Now = p.now
	}
	if p.gen, err = generator.New(gc); err != nil {
		return nil, err
	}
	if cfg.Format == FormatAvro {
		rctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		p.schemaID, err = registerSchema(rctx, cfg, log)
		cancel()
		if err != nil {
			return nil, err
		}
	}
	p.slots = make([]slot, max(128, 2*cfg.MaxBuffered))
	for i := range p.slots {
		p.slots[i].Context = context.Background()
	}
	opts = append(opts, kgo.WithLogger(kslog.New(log.With("component", "franz-go"))))
	if reg != nil {
		kgoMetrics, err := p.register(reg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.WithHooks(kgoMetrics))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	p.cl = cl

	cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	adm := kadm.NewClient(cl)
	if _, err := adm.BrokerMetadata(cctx); err != nil {
		cl.Close()
		if cctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("no broker of %s answered within %v: %w", strings.Join(cfg.Brokers, ","), cfg.ConnectTimeout, err)
		}
		return nil, fmt.Errorf("brokers %s: %w", strings.Join(cfg.Brokers, ","), err)
	}
	p.topic, p.createdTp, err = ensureTopic(cctx, cl, TopicSpec{
		Name: cfg.Topic, Partitions: cfg.Partitions, ReplicationFactor: cfg.ReplicationFactor, MinInsyncReplicas: cfg.MinInsyncReplicas,
	}, cfg.CreateTopic)
	if err != nil {
		cl.Close()
		return nil, err
	}
	return p, nil
}

// now is the wall clock in epoch milliseconds for transactionTime. Unpaced, it reads the
// clock once every 64 records (tens of microseconds apart), which saves a few percent of CPU.
// Only the producing goroutine calls it.
func (p *Producer) now() int64 {
	n := p.clockN
	p.clockN++
	if n&63 == 0 || p.cfg.Rate > 0 {
		p.clockMs = time.Now().UnixMilli()
	}
	return p.clockMs
}

// register exports the producer's own metrics, built from their catalog declarations, and
// returns franz-go's (kprom), which register themselves on reg once a client is created.
func (p *Producer) register(reg *prometheus.Registry) (*kprom.Metrics, error) {
	topic := prometheus.Labels{"topic": p.cfg.Topic}
	load := func(v *atomic.Int64) func() float64 { return func() float64 { return float64(v.Load()) } }
	p.latency = catalog.ProducerLatency.NewHistogram(prometheus.ExponentialBuckets(0.0005, 2, 16)) // 0.5 ms .. 16 s
	rate := p.cfg.Rate
	for _, c := range []prometheus.Collector{
		catalog.ProducerRecords.NewCounterFunc(topic, load(&p.acked)),
		catalog.ProducerErrors.NewCounterFunc(topic, load(&p.failed)),
		catalog.ProducerBytes.NewCounterFunc(topic, load(&p.ackedB)),
		catalog.ProducerBuffered.NewGaugeFunc(nil, func() float64 {
			if p.cl == nil {
				return 0
			}
			return float64(p.cl.BufferedProduceRecords())
		}),
		catalog.ProducerBufferMax.NewGaugeFunc(nil, func() float64 { return float64(p.cfg.MaxBuffered) }),
		catalog.ProducerTargetRate.NewGaugeFunc(nil, func() float64 { return rate }),
		p.latency,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register producer metrics: %w", err)
		}
	}
	// Batches and records per batch show how well linger and batch size work.
	return kprom.NewMetrics("kgo", kprom.Registry(reg),
		kprom.FetchAndProduceDetail(kprom.ByNode, kprom.ByTopic, kprom.Batches, kprom.Records, kprom.UncompressedBytes, kprom.CompressedBytes)), nil
}

// SchemaID is the registry's id of the schema the records carry (0 for JSON).
func (p *Producer) SchemaID() uint32 { return p.schemaID }

// Topic is the topic's spec, the declared values filled in.
func (p *Producer) Topic() TopicSpec { return p.topic }

// CreatedTopic reports whether New created the topic.
func (p *Producer) CreatedTopic() bool { return p.createdTp }

// Client is the underlying franz-go client, for tests and tools.
func (p *Producer) Client() *kgo.Client { return p.cl }

// Close closes the client; records still buffered fail (and are counted as errors).
func (p *Producer) Close() { p.cl.Close() }

// Stats is the account so far.
func (p *Producer) Stats() Stats {
	return Stats{Generated: p.generated.Load(), Records: p.acked.Load(), Bytes: p.ackedB.Load(),
		Errors: p.failed.Load()}
}

// Run produces until ctx is done, the duration has passed or the count is reached, then
// flushes everything buffered (bounded by FlushTimeout, independent of ctx). It returns an
// error when records failed or could not be flushed.
func (p *Producer) Run(ctx context.Context) (Stats, error) {
	start := time.Now()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if p.cfg.Duration > 0 {
		runCtx, cancel = context.WithDeadline(runCtx, start.Add(p.cfg.Duration))
		defer cancel()
	}
	progressDone := make(chan struct{})
	var wg sync.WaitGroup
	if p.cfg.Progress > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); p.progress(start, progressDone) }()
	}

	p.log.Info("producing", "topic", p.cfg.Topic, "brokers", p.cfg.Brokers, "rate", p.cfg.Rate,
		"duration", p.cfg.Duration.String(), "count", p.cfg.Count, "acks", p.cfg.Acks, "idempotent", p.cfg.Idempotent,
		"format", p.cfg.Format, "schema_id", p.schemaID, "compression", p.cfg.Compression, "linger", p.cfg.Linger.String(), "batch_max_bytes", p.cfg.BatchMaxBytes,
		"max_buffered", p.cfg.MaxBuffered, "key", string(p.cfg.Key), "seed", p.cfg.Generator.Seed)

	p.produce(runCtx, start)
	close(progressDone)
	wg.Wait()

	fctx, fcancel := context.WithTimeout(context.Background(), p.cfg.FlushTimeout)
	defer fcancel()
	flushErr := p.cl.Flush(fctx)
	st := p.Stats()
	st.Elapsed = time.Since(start)
	if flushErr != nil {
		left := p.cl.BufferedProduceRecords()
		return st, fmt.Errorf("flush: %d records still unacknowledged after %v (they fail on close and count as errors): %w",
			left, p.cfg.FlushTimeout, flushErr)
	}
	if st.Errors > 0 {
		last := ""
		if e := p.lastErr.Load(); e != nil {
			last = *e
		}
		return st, fmt.Errorf("%d of %d records failed; last error: %s", st.Errors, st.Generated, last)
	}
	return st, nil
}

func (p *Producer) produce(ctx context.Context, start time.Time) {
	var (
		tx     transaction.Transaction
		vals   = values{avro: p.cfg.Format == FormatAvro, id: p.schemaID}
		n      int64
		next   int // slot
		sample = int64(p.cfg.LatencySample)
		rate   = p.cfg.Rate
		// Pace in steps of about a millisecond of records, not per record.
		step  = max(1, int64(rate/1000))
		timer *time.Timer
	)
	defer func() { p.generated.Store(n); vals.seal() }()
	// ctx.Err is an atomic load: cheap enough per record.
	for (p.cfg.Count == 0 || n < p.cfg.Count) && ctx.Err() == nil {
		if rate > 0 && n%step == 0 {
			due := start.Add(time.Duration(float64(n) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				if timer == nil {
					timer = time.NewTimer(d)
				} else {
					timer.Reset(d)
				}
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
		}
		if n&63 == 0 {
			p.generated.Store(n)
			if n-p.completed.Load() >= p.limit-64 && !p.waitSpace(ctx) {
				return
			}
		}
		s := &p.slots[next]
		if next++; next == len(p.slots) {
			next = 0
		}
		if s.busy.Load() && !waitSlot(ctx, s) {
			return
		}
		s.busy.Store(true)
		p.gen.Next(&tx)
		s.rec = kgo.Record{
			Context:   s,
			Value:     vals.encode(&tx, s),
			Timestamp: time.UnixMilli(tx.TransactionTime), // record time is event time
		}
		switch p.cfg.Key {
		case KeyMerchant:
			s.rec.Key = tx.MerchantID.Append(s.key[:0])
		case KeyUser:
			s.rec.Key = tx.UserID.Append(s.key[:0])
		case KeyTransaction:
			s.rec.Key = tx.TransactionID.Append(s.key[:0])
		}
		if n%sample == 0 {
			s.enq = time.Now()
		}
		// Not ctx: franz-go keeps Produce's context with the record and fails buffered, unsent
		// records when it ends, which would drop the tail a stop must flush. Produce does not
		// waits for space here: the client's limit sits above ours (see clientOpts).
		p.cl.Produce(context.Background(), &s.rec, p.promise)
		n++
	}
}

// waitSlot waits for a straggling record to be acknowledged (rare: see Producer.slots).
func waitSlot(ctx context.Context, s *slot) bool {
	for s.busy.Load() {
		if ctx.Err() != nil {
			return false
		}
		time.Sleep(100 * time.Microsecond)
	}
	return true
}

// waitSpace waits until the buffer has drained to the resume mark; false if ctx ended first.
func (p *Producer) waitSpace(ctx context.Context) bool {
	for {
		p.waiting.Store(true)
		if p.generated.Load()-p.completed.Load() <= p.resume {
			p.waiting.Store(false)
			return true
		}
		select {
		case <-p.space:
		case <-ctx.Done():
			p.waiting.Store(false)
			return false
		}
	}
}

// promise runs serially for every record: count it, sample latency, recycle the slot.
func (p *Producer) promise(r *kgo.Record, err error) {
	s := r.Context.(*slot)
	switch {
	case err == nil:
		p.acked.Add(1)
		p.ackedB.Add(int64(len(r.Value)))
		if !s.enq.IsZero() && p.latency != nil {
			p.latency.Observe(time.Since(s.enq).Seconds())
		}
	default: // a context's error too: no context ends a buffered record (see slot)
		msg := fmt.Sprintf("partition %d: %v", r.Partition, err)
		p.lastErr.Store(&msg)
		if p.failed.Add(1) == 1 {
			p.log.Error("produce failed", "topic", r.Topic, "partition", r.Partition, "err", err.Error())
		}
	}
	s.enq = time.Time{}
	if s.chunk != nil {
		s.chunk.add(-1)
		s.chunk = nil
	}
	s.busy.Store(false)
	if done := p.completed.Add(1); p.waiting.Load() && p.generated.Load()-done <= p.resume && p.waiting.CompareAndSwap(true, false) {
		select {
		case p.space <- struct{}{}:
		default:
		}
	}
}

func (p *Producer) progress(start time.Time, done <-chan struct{}) {
	t := time.NewTicker(p.cfg.Progress)
	defer t.Stop()
	last, lastAt := p.Stats(), start
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			st := p.Stats()
			sec := now.Sub(lastAt).Seconds()
			args := []any{
				"records_per_sec", int64(float64(st.Records-last.Records) / sec),
				"mb_per_sec", float64(int64(float64(st.Bytes-last.Bytes)/1e6/sec*100)) / 100,
				"records", st.Records, "errors", st.Errors, "errors_new", st.Errors - last.Errors,
				"buffered", p.cl.BufferedProduceRecords(), "elapsed", now.Sub(start).Round(time.Millisecond).String(),
			}
			if st.Errors > last.Errors {
				if e := p.lastErr.Load(); e != nil {
					args = append(args, "last_error", *e)
				}
			}
			p.log.Info("progress", args...)
			last, lastAt = st, now
		}
	}
}
