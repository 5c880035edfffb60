// Command stream runs the finobs streaming job on a Spark Connect server and exports its
// Prometheus metrics. Run with -help for every flag.
package main

import (
	"context"
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

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

const usageText = `usage: stream [flags]

Run the finobs streaming job as one Structured Streaming query (-query) on a Spark Connect
server. It reads transactions from -input-topic once, decodes them with the explicit schema of
pipeline/transaction (-format avro, the default: the registry's wire format, the schema id
looked up at -registry, from_avro; -format json: from_json) and writes three outputs:

  aggregates   event time from transactionTime (ms) with a watermark of -watermark; per
               merchant and tumbling -window: count, sum, avg and max amount, written in
               update mode as JSON to -aggregates-topic, keyed by merchantId. Each record is
               the window's running total: keep the latest per (merchantId, windowStart).
               Events behind the watermark are dropped and counted.
  anomalies    anomalous transactions (amount >= 10000.00) to -anomalies-topic, keyed by
               transactionId.
  dead letters records that do not decode (not the wire format, an unknown schema id, a bad
               Avro body; not JSON) or break the contract, with the reason, to
               -dead-letter-topic: the record (Avro as base64; its first 64 KiB when larger, with its
               size and SHA-256), its key, partition and offset, keyed by "topic/partition/offset".
               Bad input never stops the query. A batch replayed after a restart writes
               anomalies and dead letters again under the same keys (both topics compacted).
               Quarantined there too: a record whose transactionTime is more than
               -max-event-ahead ahead of its Kafka timestamp (the broker's clock: the input
               topic is LogAppendTime) or -max-event-behind behind it; it never moves the
               watermark. finobs_stream_event_time_skew_seconds shows the producers' skew.

The query keeps its Kafka offsets and state in -checkpoint-dir/<query name>, a local path that
this driver and the Spark server both see: by default $FINOBS_CHECKPOINT_DIR (a volume under
Compose), else checkpoints/ in the native stack's state directory (.stack/, $FINOBS_STATE).
Restarting with the same directory resumes exactly after the last committed batch.
-shuffle-partitions and -window are fixed at the query's first start (they shape its state).

Beside the checkpoint, <query name>.owner.json records what it belongs to: the input topic's
id, the Kafka cluster's id and the query's shape. Every start compares them with what the job
reads now: a checkpoint of another topic (one deleted and created again under the same name
too), another cluster or another shape is refused, naming both, and nothing runs. -fresh starts
over deliberately: it moves the checkpoint and its record aside to
<query name>.replaced-<time> (nothing is deleted) and reads the topic from -starting-offsets.
The input topic must exist (cmd/produce creates it).

Data lost in Kafka (retention ran ahead of the job, a deleted topic) fails the query
(-fail-on-data-loss, on by default) and the driver gives up at once: a loss is counted,
logged and alerted on, never skipped silently.

The driver polls query progress every -poll-interval into Prometheus metrics
(finobs_stream_*, label query = the query name) on -metrics-addr at /metrics; offsets behind
latest there is the job's Kafka lag (Structured Streaming commits no consumer-group offsets).
A query that fails is marked down and started again from its checkpoint: at once the first
time (Spark 4.1.1's Kafka source fails a restarted query once after replaying an uncommitted
batch), then after -restart-backoff, doubling up to -restart-backoff-max. Past -max-restarts
restarts within -restart-window, the driver gives up and exits 3 (after serving /metrics for
-linger more, so that Prometheus records the last failure). Restarts and failures (by
error class) are counted in finobs_stream_query_restarts_total and
finobs_stream_query_failures_total.

SIGINT or SIGTERM stops the query, letting a running batch finish for up to -stop-wait,
and exits 0. Exit status: 1 when the server or Kafka is unreachable, the input topic is
missing or a query cannot start; 2 on bad flags; 3 when the restart policy gave up (the query
kept failing, or lost data); 4 when a checkpoint was refused as foreign.

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	local, err := topology.Local(1)
	if err != nil {
		fmt.Fprintln(stderr, "stream:", err)
		return 1
	}
	cfg := stream.Defaults()
	cfg.SparkRemote = local.One(stack.SparkConnect).Addr(stack.PortGRPC)
	cfg.Bootstrap = local.KafkaBootstrap()
	metricsAddr := ":" + strconv.Itoa(local.One(stack.StreamDriver).Port(stack.PortMetrics))

	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText); fs.PrintDefaults() }
	fs.StringVar(&cfg.SparkRemote, "spark", cfg.SparkRemote, "Spark Connect server, host:port or sc:// URL")
	fs.StringVar(&cfg.Bootstrap, "bootstrap", cfg.Bootstrap, "Kafka bootstrap servers, comma-separated, as the Spark server reaches them")
	fs.StringVar(&cfg.InputTopic, "input-topic", cfg.InputTopic, "topic of transactions")
	format := fs.String("format", "avro", "input encoding: avro (registry wire format) or json")
	registry := fs.String("registry", local.RegistryURL(), "schema registry base URL (Confluent-compatible API), for -format avro")
	fs.StringVar(&cfg.AggregatesTopic, "aggregates-topic", cfg.AggregatesTopic, "topic of per-merchant window aggregates")
	fs.StringVar(&cfg.AnomaliesTopic, "anomalies-topic", cfg.AnomaliesTopic, "topic of anomalous transactions")
	fs.StringVar(&cfg.DeadLetterTopic, "dead-letter-topic", cfg.DeadLetterTopic, "topic of unparseable or invalid records, with the reason")
	cfg.CheckpointDir = defaultCheckpointDir()
	fs.StringVar(&cfg.CheckpointDir, "checkpoint-dir", cfg.CheckpointDir, "checkpoint root, a local path the Spark server sees too; the query uses <dir>/<query name>; defaults to $FINOBS_CHECKPOINT_DIR, else checkpoints/ in the stack's state directory")
	fs.BoolVar(&cfg.FreshStart, "fresh", false, "start over: move the query's checkpoint and its ownership record aside (never deleted) before starting")
	fs.StringVar(&cfg.Query, "query", cfg.Query, "name of the query (the query label of every metric)")
	fs.DurationVar(&cfg.Trigger, "trigger", cfg.Trigger, "processing-time trigger interval; 0 runs batches back to back")
	fs.DurationVar(&cfg.Window, "window", cfg.Window, "tumbling event-time window of the aggregates")
	fs.DurationVar(&cfg.WatermarkDelay, "watermark", cfg.WatermarkDelay, "watermark delay: how late an event may arrive and still count")
	fs.DurationVar(&cfg.EventAhead, "max-event-ahead", cfg.EventAhead, "quarantine a record whose event time is this far ahead of the broker's clock (0: never)")
	fs.DurationVar(&cfg.EventBehind, "max-event-behind", cfg.EventBehind, "quarantine a record whose event time is this far behind the broker's clock (0: never)")
	fs.IntVar(&cfg.ShufflePartitions, "shuffle-partitions", cfg.ShufflePartitions, "shuffle/state partitions; about 2x the executor cores (Spark's 200 is for big clusters)")
	fs.StringVar(&cfg.StartingOffsets, "starting-offsets", cfg.StartingOffsets, "earliest or latest; only for a query's first start")
	fs.Int64Var(&cfg.MaxOffsetsPerTrigger, "max-offsets-per-trigger", cfg.MaxOffsetsPerTrigger, "cap on records per batch; 0 is no cap")
	fs.BoolVar(&cfg.FailOnDataLoss, "fail-on-data-loss", cfg.FailOnDataLoss, "fail the query (and give up) when offsets it needs are gone from Kafka; false skips them, with a line in Spark's log only")
	fs.DurationVar(&cfg.PollInterval, "poll-interval", cfg.PollInterval, "how often query progress is read into metrics")
	fs.IntVar(&cfg.Restart.MaxRestarts, "max-restarts", cfg.Restart.MaxRestarts, "restarts allowed within -restart-window; the failure after them exits 3 (0: the first failure does)")
	fs.DurationVar(&cfg.Restart.Window, "restart-window", cfg.Restart.Window, "how far back restarts count against -max-restarts")
	fs.DurationVar(&cfg.Restart.Backoff, "restart-backoff", cfg.Restart.Backoff, "wait before the second restart within the window (the first is immediate); doubles for each further one")
	fs.DurationVar(&cfg.Restart.MaxBackoff, "restart-backoff-max", cfg.Restart.MaxBackoff, "longest wait between restarts")
	fs.Func("conf", "a Spark SQL setting for the job's session, `key=value`; repeatable", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fmt.Errorf("want key=value, got %q", v)
		}
		if cfg.SparkConf == nil {
			cfg.SparkConf = map[string]string{}
		}
		cfg.SparkConf[k] = val
		return nil
	})
	fs.DurationVar(&cfg.StopWait, "stop-wait", cfg.StopWait, "on shutdown, how long to wait for a running batch to finish before stopping")
	createTopics := fs.Bool("create-topics", true, "create missing output topics (the declared ones from topics/; go run ./cmd/deploy creates those), and check that declared ones have their declared partitions, replication factor and min.insync.replicas")
	replication := fs.Int("replication-factor", 0, "replication factor of created output topics that topics/ does not declare; 0: as the declared topics for the cluster's broker count")
	partitions := fs.Int("partitions", 0, "partitions of created output topics that topics/ does not declare; 0: as many as the input topic")
	fs.StringVar(&metricsAddr, "metrics-addr", metricsAddr, "listen address of /metrics")
	linger := fs.Duration("linger", 15*time.Second, "when the restart policy gave up, how long /metrics stays up before exit 3 (longer than Prometheus' scrape interval, so the last failure is recorded)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stream: unexpected arguments %q\n", fs.Args())
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "stream: -log-level %q: %v\n", *level, err)
		return 2
	}
	if *format != "avro" && *format != "json" {
		fmt.Fprintf(stderr, "stream: -format %q: want avro or json\n", *format)
		return 2
	}
	if cfg.CheckpointDir == "" {
		fmt.Fprintln(stderr, "stream: no checkpoint directory: outside the finobs repository, give -checkpoint-dir or set FINOBS_CHECKPOINT_DIR")
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := stream.NewMetrics(reg)
	ln, err := net.Listen("tcp", metricsAddr)
	if err != nil {
		log.Error("metrics listener", "addr", metricsAddr, "err", err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	log.Info("serving metrics", "addr", ln.Addr().String())

	if *createTopics {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := stream.EnsureTopics(tctx, cfg, int32(*partitions), int16(*replication))
		cancel()
		if err != nil {
			log.Error("output topics", "err", err)
			return 1
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	s, err := sparkconnect.Connect(cctx, cfg.SparkRemote)
	cancel()
	if err != nil {
		log.Error("spark connect", "remote", cfg.SparkRemote, "err", err)
		return 1
	}
	defer s.Close()
	log.Info("connected", "remote", cfg.SparkRemote, "session", s.SessionID())

	if *format == "avro" {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cfg.SchemaID, err = stream.SchemaID(rctx, *registry, cfg.InputTopic+"-value")
		cancel()
		if err != nil {
			log.Error("schema", "err", err)
			return 1
		}
		log.Info("decoding Avro", "subject", cfg.InputTopic+"-value", "schema_id", cfg.SchemaID, "registry", *registry)
	}
	job, err := stream.New(ctx, s, cfg, m, log)
	if err != nil {
		log.Error("plan", "err", err)
		return 1
	}
	if err := job.Start(ctx); err != nil {
		log.Error("start", "err", err)
		if serr := job.Stop(context.WithoutCancel(ctx)); serr != nil {
			log.Error("stop", "err", serr)
		}
		if fe := (*stream.ForeignCheckpointError)(nil); errors.As(err, &fe) {
			return 4
		}
		return 1
	}
	if err := job.Run(ctx); err != nil {
		if g := (*stream.GaveUpError)(nil); errors.As(err, &g) {
			// The last failure happened after Prometheus' last scrape: serve it for one
			// more, so that the failure counters (a data loss fails once) reach the alerts.
			log.Error("exiting: the restart policy gave up", "query", g.Query, "error_class", string(g.Class),
				"linger", linger.String(), "err", err)
			select {
			case <-time.After(*linger):
			case <-ctx.Done():
			}
			return 3
		}
		log.Error("stop", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// defaultCheckpointDir is where checkpoints live with the stack that owns the data:
// $FINOBS_CHECKPOINT_DIR (a volume under Compose), else the native stack's state directory;
// "" outside the repository with neither.
func defaultCheckpointDir() string {
	if d := os.Getenv("FINOBS_CHECKPOINT_DIR"); d != "" {
		return d
	}
	if p, err := native.FindPaths(); err == nil {
		return p.Checkpoints()
	}
	return ""
}
