// Command kafka-lag-exporter serves every consumer group's lag as Prometheus metrics.
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
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kslog"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/internal/kafkalag"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

const usageText = `usage: kafka-lag-exporter [flags]

Serve every consumer group's lag on -metrics-addr at /metrics, read from Kafka at each
scrape through franz-go's kadm: per group, topic and partition the lag in records, the
committed offset and the end offset, in kafka_exporter's metric names
(kafka_consumergroup_lag, kafka_consumergroup_current_offset,
kafka_topic_partition_current_offset, kafka_consumergroup_lag_sum,
kafka_consumergroup_members), and per group its state (finobs_consumergroup_state) and its
lag in seconds (finobs_consumergroup_lag_seconds): the age of the oldest record it has not
consumed, read from the record at its committed offset with one small fetch per lagging
partition. finobs_lag_exporter_up says whether the last scrape reached Kafka.

A scrape that cannot reach Kafka within -timeout answers finobs_lag_exporter_up 0 (not an
HTTP error: Prometheus's up stays about the exporter itself). Logs are JSON lines on stderr.
Exit status: 0 after SIGINT or SIGTERM, 1 runtime failure (the listener), 2 bad flags.

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	local, err := topology.Local(1)
	if err != nil {
		fmt.Fprintln(stderr, "kafka-lag-exporter:", err)
		return 1
	}
	fs := flag.NewFlagSet("kafka-lag-exporter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText); fs.PrintDefaults() }
	brokers := fs.String("brokers", local.KafkaBootstrap(), "comma-separated bootstrap brokers")
	addr := fs.String("metrics-addr", ":"+strconv.Itoa(local.One(stack.KafkaLagExporter).Port(stack.PortMetrics)), "listen address of /metrics")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on one reading of Kafka; keep it under the scrape_timeout (10s by default), so that a Kafka outage answers finobs_lag_exporter_up 0 instead of failing the scrape")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kafka-lag-exporter: unexpected arguments %q\n", fs.Args())
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "kafka-lag-exporter: -log-level %q: want debug, info, warn or error\n", *level)
		return 2
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "kafka-lag-exporter: -timeout %s: want > 0\n", *timeout)
		return 2
	}
	seeds := strings.Split(*brokers, ",")
	if strings.Trim(*brokers, ", ") == "" {
		fmt.Fprintln(stderr, "kafka-lag-exporter: -brokers is empty")
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ClientID("finobs-lag-exporter"),
		kgo.WithLogger(kslog.New(log.With("component", "kgo"))))
	if err != nil {
		log.Error("kafka client", "err", err.Error())
		return 2
	}
	defer cl.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		kafkalag.NewCollector(descs(), kafkalag.NewReader(cl), *timeout, log))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("metrics listener", "addr", *addr, "err", err.Error())
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving metrics", "addr", ln.Addr().String(), "path", "/metrics", "brokers", *brokers)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err.Error())
		return 1
	}
	log.Info("stopped")
	return 0
}

// descs are the series as the catalog declares them: the rules and dashboards were checked
// against these names, labels and help texts.
func descs() kafkalag.Descs {
	return kafkalag.Descs{
		Lag:        catalog.ConsumerGroupLag.NewDesc("consumergroup", "topic", "partition"),
		LagSum:     catalog.ConsumerGroupLagSum.NewDesc("consumergroup", "topic"),
		Committed:  catalog.ConsumerGroupCommittedOffset.NewDesc("consumergroup", "topic", "partition"),
		Members:    catalog.ConsumerGroupMembers.NewDesc("consumergroup"),
		End:        catalog.PartitionEndOffset.NewDesc("topic", "partition"),
		LagSeconds: catalog.ConsumerGroupLagSeconds.NewDesc("consumergroup"),
		State:      catalog.ConsumerGroupState.NewDesc("consumergroup", "state"),
		Up:         catalog.LagExporterUp.NewDesc(),
		Duration:   catalog.LagExporterCollectDuration.NewDesc(),
	}
}
