// Command produce writes synthetic financial transactions to Kafka.
//
//	go run ./cmd/produce                              # unlimited rate until Ctrl-C
//	go run ./cmd/produce -rate 5000 -duration 10m     # paced
//	go run ./cmd/produce -count 1000000 -compression zstd
//
// Run with -help for every flag.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/finobs/finobs/pipeline/producer"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

const usageText = `usage: produce [flags]

Produce synthetic financial transactions (the model of pipeline/transaction) to a Kafka
topic, at a target rate or as fast as the broker takes them.

Values are Avro by default, in the schema registry's wire format (magic byte 0, the 4-byte
schema id, the Avro body; ~77 bytes a record): at start the transaction schema is
registered under the topic's subject (<topic>-value, FULL compatibility) at -registry, and
produce exits with status 1, naming the fields, when the registry finds it incompatible
with the subject's registered version. -format json writes the JSON encoding (~261 bytes)
and needs no registry.

The topic is created when missing (-create-topic), from its declaration in topics/
(go run ./cmd/deploy creates the declared topics on a stack; this is the fallback); when it
exists, its partitions, replication factor and min.insync.replicas must match the flags, or
produce exits before sending anything. Flags left 0 take the declared values for the
cluster's broker count (3 brokers: replication factor 3, min.insync.replicas 2; one broker:
1 and 1); for a topic not declared there, an existing topic's own and a new one's shaped
like the declared. Progress and the summary are JSON log lines on stderr; the summary is
also printed to stdout as one JSON object. Prometheus metrics (finobs_producer_* and
franz-go's kgo_*) are served on -metrics-addr at /metrics.

SIGINT or SIGTERM stops generating and flushes every buffered record (bounded by
-flush-timeout); a second signal exits at once. Exit status: 0 every record acknowledged,
1 runtime failure (unreachable brokers, topic conflict, failed or unflushed records),
2 bad flags.

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	cfg := producer.Defaults()
	local, err := topology.Local(1)
	if err != nil {
		fmt.Fprintln(stderr, "produce:", err)
		return 1
	}
	cfg.Brokers = []string{local.KafkaBootstrap()}
	metricsAddr := ":" + strconv.Itoa(local.One(stack.Producer).Port(stack.PortMetrics))

	fs := flag.NewFlagSet("produce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText); fs.PrintDefaults() }
	brokers := fs.String("brokers", strings.Join(cfg.Brokers, ","), "comma-separated bootstrap brokers")
	fs.StringVar(&cfg.Topic, "topic", cfg.Topic, "topic to produce to")
	fs.Float64Var(&cfg.Rate, "rate", 0, "records per second; 0 is unlimited")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop after this long, e.g. 60s; 0 is no limit")
	fs.Int64Var(&cfg.Count, "count", 0, "stop after this many records; 0 is no limit")
	fs.BoolVar(&cfg.CreateTopic, "create-topic", cfg.CreateTopic, "create the topic when it does not exist")
	partitions := fs.Int("partitions", int(cfg.Partitions), "partitions of the topic; 0: as declared")
	rf := fs.Int("replication-factor", int(cfg.ReplicationFactor), "replication factor of the topic; 0: as declared for the cluster's broker count")
	fs.IntVar(&cfg.MinInsyncReplicas, "min-insync-replicas", cfg.MinInsyncReplicas, "min.insync.replicas of the topic; 0: as declared for the cluster's broker count")
	fs.StringVar(&cfg.Acks, "acks", cfg.Acks, "acknowledgements: all, 1 or 0")
	fs.BoolVar(&cfg.Idempotent, "idempotent", cfg.Idempotent, "idempotent writes (needs -acks all); -idempotent=false to disable")
	fs.StringVar(&cfg.Compression, "compression", cfg.Compression, "batch compression: "+strings.Join(producer.Compressions, ", ")+"; snappy costs the least CPU here, zstd compresses best")
	fs.DurationVar(&cfg.Linger, "linger", cfg.Linger, "how long a partition's batch waits for more records")
	batch := fs.Int("batch-bytes", int(cfg.BatchMaxBytes), "maximum bytes of a record batch before compression (Java's batch.size counts them after)")
	fs.IntVar(&cfg.MaxBuffered, "max-buffered", cfg.MaxBuffered, "records buffered before producing blocks (backpressure)")
	key := fs.String("key", string(cfg.Key), "record key: merchant (per-merchant order), user, transaction or none")
	fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", cfg.ConnectTimeout, "give up when no broker answers within this")
	fs.DurationVar(&cfg.DeliveryTimeout, "delivery-timeout", cfg.DeliveryTimeout, "fail a record not acknowledged within this; 0 retries forever")
	fs.DurationVar(&cfg.FlushTimeout, "flush-timeout", cfg.FlushTimeout, "bound on the final flush")
	fs.DurationVar(&cfg.Progress, "progress", cfg.Progress, "progress log interval; 0 for none")
	fs.IntVar(&cfg.LatencySample, "latency-sample", cfg.LatencySample, "measure enqueue-to-ack latency of 1 record in this many")
	fs.StringVar(&cfg.ClientID, "client-id", cfg.ClientID, "Kafka client.id")
	fs.Uint64Var(&cfg.Generator.Seed, "seed", 1, "generator seed; the same seed gives the same records (but for transactionTime)")
	fs.Float64Var(&cfg.Generator.AnomalyRate, "anomaly-rate", 0.001, "share of anomalous transactions (amount >= 10000.00), 0..1")
	fs.IntVar(&cfg.Generator.Merchants, "merchants", 10000, "distinct merchants (Zipf-distributed popularity)")
	fs.IntVar(&cfg.Generator.Users, "users", 1000000, "distinct card holders")
	fs.StringVar(&metricsAddr, "metrics-addr", metricsAddr, "listen address of /metrics; empty disables")
	format := fs.String("format", string(cfg.Format), "value encoding: avro (registry wire format) or json")
	fs.StringVar(&cfg.Registry, "registry", cfg.Registry, "schema registry base URL (Confluent-compatible API), for -format avro")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "produce: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cfg.Brokers = strings.Split(*brokers, ",")
	cfg.Partitions, cfg.ReplicationFactor, cfg.BatchMaxBytes = int32(*partitions), int16(*rf), int32(*batch)
	cfg.Key = producer.Key(*key)
	cfg.Format = producer.Format(*format)
	if cfg.Generator.AnomalyRate == 0 {
		cfg.Generator.NoAnomalies = true
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "produce: -log-level %q: want debug, info, warn or error\n", *level)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "produce: %v\n", strings.ReplaceAll(err.Error(), "\n", "\nproduce: "))
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		log.Info("signal: stopping and flushing what is buffered; a second signal exits at once", "signal", s.String())
		cancel()
		s = <-sigs
		log.Error("second signal: exiting without flushing", "signal", s.String())
		os.Exit(1)
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if metricsAddr != "" {
		ln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			log.Error("metrics listener", "addr", metricsAddr, "err", err.Error())
			return 1
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("serving metrics", "addr", ln.Addr().String(), "path", "/metrics")
	}

	p, err := producer.New(ctx, cfg, reg, log)
	if err != nil {
		log.Error("start", "err", err.Error())
		return 1
	}
	defer p.Close()
	if tp := p.Topic(); p.CreatedTopic() {
		log.Info("created topic", "topic", tp.Name, "partitions", tp.Partitions,
			"replication_factor", tp.ReplicationFactor, "min_insync_replicas", tp.MinInsyncReplicas)
	}
	st, err := p.Run(ctx)
	summary := map[string]any{
		"generated": st.Generated, "records": st.Records, "errors": st.Errors,
		"bytes": st.Bytes, "format": cfg.Format, "elapsed": st.Elapsed.Round(time.Millisecond).String(),
		"records_per_sec": int64(st.RecordsPerSec()), "mb_per_sec": float64(int64(st.MBPerSec()*100)) / 100,
	}
	attrs := make([]any, 0, 2*len(summary))
	for k, v := range summary {
		attrs = append(attrs, k, v)
	}
	log.Info("summary", attrs...)
	out, _ := json.Marshal(summary)
	fmt.Fprintln(stdout, string(out))
	if err != nil {
		log.Error("run", "err", err.Error())
		return 1
	}
	return 0
}
