package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipeline/producer"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

func init() {
	benches["freshness"] = bench{
		usage: "end-to-end freshness: produce time of a transaction to the aggregate (and anomaly) that includes it",
		run:   runFreshness,
	}
}

const freshnessUsage = `usage: bench freshness [flags]

Runs the whole pipeline on the native stack: pipeline/producer at -rate for -duration (keyed by
merchant, transactionTime = the time it is generated) into a fresh topic, and pipeline/stream
over it with its defaults (-trigger as cmd/stream's). It reads the input and output topics back
and measures, per output record:

  aggregate  the aggregate's Kafka timestamp minus the transactionTime of the newest
             transaction it counts (the count-th of its merchant and window, in the
             order of the merchant's partition, which is the order Spark reads)
  anomaly    the anomaly's Kafka timestamp minus its transactionTime

The last line is: freshness p50: <s> p99: <s> max: <s> (aggregates)

flags:
`

func runFreshness(ctx context.Context, args []string) error {
	local, err := topology.Local(1)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("bench freshness", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, freshnessUsage); fs.PrintDefaults() }
	rate := fs.Float64("rate", 5000, "records per second produced")
	duration := fs.Duration("duration", 60*time.Second, "how long to produce")
	trigger := fs.Duration("trigger", stream.Defaults().Trigger, "the job's processing-time trigger")
	spark := fs.String("spark", local.One(stack.SparkConnect).Addr(stack.PortGRPC), "Spark Connect server")
	bootstrap := fs.String("bootstrap", local.KafkaBootstrap(), "Kafka bootstrap servers")
	dir := fs.String("dir", ".stack/bench/freshness", "checkpoints root (a path the Spark server can write)")
	drain := fs.Duration("drain", 30*time.Second, "after producing, how long to wait for the last outputs")
	warmup := fs.Duration("warmup", 20*time.Second, "leave out transactions of the first part of the run (a new query's first batches compile its plan)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	run := "fresh_" + time.Now().UTC().Format("20060102t150405")
	ckpt, err := filepath.Abs(filepath.Join(*dir, run))
	if err != nil {
		return err
	}
	defer os.RemoveAll(ckpt)

	cfg := stream.Defaults()
	cfg.SparkRemote, cfg.Bootstrap, cfg.Trigger = *spark, *bootstrap, *trigger
	cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic = run+"_tx", run+"_agg", run+"_anom", run+"_dlq"
	cfg.Query, cfg.CheckpointDir, cfg.StartingOffsets = run, ckpt, "earliest"
	topics := []string{cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic}

	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(*bootstrap, ",")...),
		kgo.ConsumeTopics(cfg.InputTopic, cfg.AggregatesTopic, cfg.AnomaliesTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if err := createTopics(ctx, adm, 6, topics...); err != nil {
		return fmt.Errorf("%s: %w", *bootstrap, err)
	}
	defer deleteTopics(ctx, adm, topics...)

	s, err := sparkconnect.Connect(ctx, *spark)
	if err != nil {
		return err
	}
	defer s.Close()
	// Avro, as the producer writes by default: the job decodes the id the producer finds.
	registry := topologyRegistry()
	if cfg.SchemaID, err = benchSchema(ctx, registry, cfg.InputTopic+"-value"); err != nil {
		return err
	}
	job, err := stream.New(ctx, s, cfg, stream.NewMetrics(prometheus.NewRegistry()), log)
	if err != nil {
		return err
	}
	if err := job.Start(ctx); err != nil {
		return err
	}
	jctx, stopJob := context.WithCancel(ctx)
	var jobErr error
	var wg sync.WaitGroup
	wg.Go(func() { jobErr = job.Run(jctx) })
	defer func() { stopJob(); wg.Wait() }()

	// Read everything back while the pipeline runs.
	var rd reader
	rctx, stopRead := context.WithCancel(ctx)
	defer stopRead()
	var readWG sync.WaitGroup
	readWG.Go(func() { rd.read(rctx, cl, cfg) })

	pcfg := producer.Defaults()
	pcfg.Brokers = strings.Split(*bootstrap, ",")
	pcfg.Topic, pcfg.CreateTopic, pcfg.Rate, pcfg.Duration = cfg.InputTopic, false, *rate, *duration
	pcfg.Progress = 0
	pcfg.Registry = registry
	p, err := producer.New(ctx, pcfg, nil, log)
	if err != nil {
		return err
	}
	fmt.Printf("producing %.0f records/s for %v into %s; the job triggers every %v\n", *rate, *duration, cfg.InputTopic, *trigger)
	rd.from = time.Now().Add(*warmup).UnixMilli()
	st, err := p.Run(ctx)
	p.Close()
	if err != nil {
		return err
	}
	fmt.Printf("produced %d records; waiting %v for the last outputs\n", st.Records, *drain)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(*drain):
	}
	stopRead()
	readWG.Wait()
	stopJob()
	wg.Wait()
	if jobErr != nil {
		return jobErr
	}

	agg, anom, err := rd.freshness()
	if err != nil {
		return err
	}
	fmt.Printf("transactions produced after the first %v:\n", *warmup)
	fmt.Printf("anomalies: %s\n", anom)
	fmt.Printf("aggregates: %s\n", agg)
	fmt.Printf("freshness p50: %.2fs p99: %.2fs max: %.2fs (aggregates)\n", agg.q(0.5), agg.q(0.99), agg.q(1))
	return nil
}

// reader collects what the freshness benchmark needs from the three topics.
type reader struct {
	from   int64                // ms; transactions before are left out of the figures
	inputs map[groupKey][]int64 // transactionTime of each input, per merchant and window, in partition order
	aggs   []output             // aggregate records: group, count, timestamp
	anoms  []int64              // anomaly latencies, ms
}

type groupKey struct {
	merchant    string
	windowStart int64
}

type output struct {
	key   groupKey
	count int
	at    int64 // Kafka timestamp, ms
}

func (r *reader) read(ctx context.Context, cl *kgo.Client, cfg stream.Config) {
	r.inputs = map[groupKey][]int64{}
	window := cfg.Window.Milliseconds()
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(rec *kgo.Record) {
			switch rec.Topic {
			case cfg.InputTopic:
				var tx struct {
					MerchantID      string `json:"merchantId"`
					TransactionTime int64  `json:"transactionTime"`
				}
				if json.Unmarshal(rec.Value, &tx) == nil {
					k := groupKey{tx.MerchantID, tx.TransactionTime - tx.TransactionTime%window}
					r.inputs[k] = append(r.inputs[k], tx.TransactionTime)
				}
			case cfg.AggregatesTopic:
				var a struct {
					MerchantID  string `json:"merchantId"`
					WindowStart int64  `json:"windowStart"`
					Count       int    `json:"count"`
				}
				if json.Unmarshal(rec.Value, &a) == nil {
					r.aggs = append(r.aggs, output{groupKey{a.MerchantID, a.WindowStart}, a.Count, rec.Timestamp.UnixMilli()})
				}
			case cfg.AnomaliesTopic:
				var a struct {
					TransactionTime int64 `json:"transactionTime"`
				}
				if json.Unmarshal(rec.Value, &a) == nil && a.TransactionTime >= r.from {
					r.anoms = append(r.anoms, rec.Timestamp.UnixMilli()-a.TransactionTime)
				}
			}
		})
	}
}

// freshness matches every aggregate to the newest input it counts.
func (r *reader) freshness() (agg, anom latencies, err error) {
	for _, o := range r.aggs {
		in := r.inputs[o.key]
		if o.count < 1 || o.count > len(in) {
			return nil, nil, fmt.Errorf("aggregate of %s at %d counts %d records, %d were read back", o.key.merchant, o.key.windowStart, o.count, len(in))
		}
		if newest := in[o.count-1]; newest >= r.from {
			agg = append(agg, o.at-newest)
		}
	}
	if len(agg) == 0 {
		return nil, nil, errors.New("no aggregates read back: is the job running? (see its log above)")
	}
	return agg, r.anoms, nil
}

// latencies are milliseconds.
type latencies []int64

func (l latencies) q(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / 1e3
}

func (l latencies) String() string {
	return fmt.Sprintf("%d records, p50 %.2fs p90 %.2fs p99 %.2fs max %.2fs", len(l), l.q(0.5), l.q(0.9), l.q(0.99), l.q(1))
}
