package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pipeline/transaction"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

func init() {
	benches["stream"] = bench{
		usage: "Go/Spark Connect streaming job vs the PySpark reference job, same server and data",
		run:   runStreamBench,
	}
}

const streamUsage = `usage: bench stream [flags]

Loads -records generated transactions into a fresh topic, then runs on the native stack's
Spark Connect server, one after the other over that same topic: our job (pipeline/stream,
driven from Go) and the PySpark reference job (pipeline/stream/reference/stream_job.py,
driven from the stack's venv). Both read the topic from the start and write the same
aggregates and anomalies (ours also dead letters): ours in one query that reads each record
once, the reference in two queries, as the original system wrote it.

Throughput comes from Spark's own progress reports: records of the topic divided by the span
from the first batch's trigger start to the end of the last batch (timestamp +
triggerExecution) over all the job's queries, i.e. how long the job took to take every
record through all its outputs. Per-query rates and where batch time went are printed too.
The first line names the master the server's application runs against: the stack's
standalone cluster, or local[2] when the stack was started with FINOBS_SPARK_MASTER=local[2].
The last line is:

  stream records/s: <ours> reference: <pyspark> ratio: <ours/reference> format: <avro|json>

flags:
`

type streamBench struct {
	records        int64
	format         string // avro or json
	registry       string
	schemaID       uint32 // avro: the id the records carry
	partitions     int
	spark          string
	bootstrap      string
	python         string
	script         string
	dir            string
	maxOffsets     int64
	shuffle        int
	trigger        time.Duration
	timeout        time.Duration
	order          string
	rounds         int
	round          int
	keep           bool
	conf           confFlag
	log            *slog.Logger
	topic, outBase string
}

func runStreamBench(ctx context.Context, args []string) error {
	local, err := topology.Local(1)
	if err != nil {
		return err
	}
	b := streamBench{log: slog.New(slog.NewJSONHandler(os.Stderr, nil))}
	fs := flag.NewFlagSet("bench stream", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, streamUsage); fs.PrintDefaults() }
	fs.Int64Var(&b.records, "records", 2_000_000, "transactions to load and process")
	fs.IntVar(&b.partitions, "partitions", 6, "partitions of the benchmark topic")
	fs.StringVar(&b.spark, "spark", local.One(stack.SparkConnect).Addr(stack.PortGRPC), "Spark Connect server")
	fs.StringVar(&b.bootstrap, "bootstrap", local.KafkaBootstrap(), "Kafka bootstrap servers")
	fs.StringVar(&b.python, "python", ".stack/venv/bin/python", "python with pyspark[connect] (the stack's venv)")
	fs.StringVar(&b.script, "reference", "pipeline/stream/reference/stream_job.py", "the PySpark reference job")
	fs.StringVar(&b.dir, "dir", ".stack/bench/stream", "checkpoints root (a path the Spark server can write)")
	fs.Int64Var(&b.maxOffsets, "max-offsets-per-trigger", 500_000, "records per batch and query, for both jobs; 0 is no cap")
	fs.IntVar(&b.shuffle, "shuffle-partitions", stream.Defaults().ShufflePartitions, "our job's shuffle partitions (the reference keeps Spark's default)")
	fs.DurationVar(&b.trigger, "trigger", 0, "processing-time trigger of both jobs; 0 is back to back")
	fs.DurationVar(&b.timeout, "timeout", 15*time.Minute, "give up on a job after this long")
	fs.StringVar(&b.order, "order", "ours,reference", "which job runs first in odd rounds (swapped in even ones: the later job finds the server's JIT warm)")
	fs.IntVar(&b.rounds, "rounds", 2, "rounds of both jobs, alternating; each job's best round counts (the least disturbed on a shared machine)")
	fs.BoolVar(&b.keep, "keep", false, "keep the benchmark topics and checkpoints")
	fs.StringVar(&b.format, "format", "avro", "record encoding of the benchmark's input: avro (the registry's wire format; both jobs use from_avro) or json")
	fs.StringVar(&b.registry, "registry", topologyRegistry(), "schema registry (Confluent-compatible API), for -format avro")
	fs.Var(&b.conf, "conf", "key=value Spark SQL setting of our job's session (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	run := time.Now().UTC().Format("20060102t150405")
	b.topic = "bench_tx_" + run
	b.outBase = "bench_" + run
	b.dir, err = filepath.Abs(filepath.Join(b.dir, run))
	if err != nil {
		return err
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(b.bootstrap, ",")...),
		kgo.ProducerLinger(5*time.Millisecond), kgo.ProducerBatchMaxBytes(1<<20), kgo.MaxBufferedRecords(200_000),
		kgo.ProducerBatchCompression(kgo.Lz4Compression()), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topics := []string{b.topic, b.outBase + "_ours_agg", b.outBase + "_ours_anom", b.outBase + "_ours_dlq",
		b.outBase + "_ref_agg", b.outBase + "_ref_anom"}
	if err := createTopics(ctx, adm, int32(b.partitions), topics...); err != nil {
		return fmt.Errorf("%s: %w", b.bootstrap, err)
	}
	if !b.keep {
		defer func() {
			deleteTopics(ctx, adm, topics...)
			os.RemoveAll(b.dir)
		}()
	}
	switch b.format {
	case "avro":
		if b.schemaID, err = benchSchema(ctx, b.registry, b.topic+"-value"); err != nil {
			return err
		}
	case "json":
	default:
		return fmt.Errorf("-format %q: want avro or json", b.format)
	}
	if err := b.load(ctx, cl); err != nil {
		return err
	}

	// Where the jobs' tasks run: the stack's standalone cluster, or local[N] inside the server
	// (FINOBS_SPARK_MASTER): the figures mean nothing without it.
	if master, err := sparkMaster(ctx, local.One(stack.SparkConnect)); err != nil {
		b.log.Warn("cannot tell which master the Spark Connect server runs against", "err", err)
	} else {
		b.log.Info("spark", "master", master)
		fmt.Printf("spark master: %s\n", master)
	}
	results := map[string]result{}
	for b.round = 1; b.round <= b.rounds; b.round++ {
		jobs := strings.Split(b.order, ",")
		if b.round%2 == 0 {
			// The job that ran first found a colder server; swap every other round.
			slices.Reverse(jobs)
		}
		for _, job := range jobs {
			var ps []sparkconnect.Progress
			cpu0 := stackCPU()
			switch job {
			case "ours":
				ps, err = b.ours(ctx)
			case "reference":
				ps, err = b.reference(ctx)
			default:
				return fmt.Errorf("-order: unknown job %q", job)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", job, err)
			}
			r, err := summarize(ps, b.records)
			if err != nil {
				return fmt.Errorf("%s: %w", job, err)
			}
			r.cpu = stackCPU().minus(cpu0)
			r.print(fmt.Sprintf("round %d %s", b.round, job))
			if r.rate > results[job].rate {
				results[job] = r
			}
		}
	}
	ours, ref := results["ours"], results["reference"]
	fmt.Printf("stream records/s: %.0f reference: %.0f ratio: %.2f format: %s\n", ours.rate, ref.rate, ours.rate/ref.rate, b.format)
	return nil
}

// load produces the benchmark's transactions, keyed by merchant like the real producer.
func (b *streamBench) load(ctx context.Context, cl *kgo.Client) error {
	g, err := generator.New(generator.Config{Seed: 42, Start: time.Now().Add(-time.Duration(b.records) * time.Millisecond)})
	if err != nil {
		return err
	}
	start := time.Now()
	var (
		tx       transaction.Transaction
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for i := int64(0); i < b.records; i++ {
		g.Next(&tx)
		var v []byte
		if b.schemaID != 0 {
			if v, err = tx.AppendAvro(make([]byte, 0, 128), b.schemaID); err != nil {
				return err
			}
		} else {
			v = tx.AppendJSON(make([]byte, 0, 280))
		}
		r := &kgo.Record{Topic: b.topic, Key: tx.MerchantID.Append(nil), Value: v}
		wg.Add(1)
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("load %s: %w", b.topic, firstErr)
	}
	b.log.Info("loaded", "topic", b.topic, "records", b.records, "partitions", b.partitions, "seconds", time.Since(start).Seconds())
	return nil
}

// ours runs pipeline/stream until its query read every record.
func (b *streamBench) ours(ctx context.Context) ([]sparkconnect.Progress, error) {
	s, err := sparkconnect.Connect(ctx, b.spark)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	cfg := stream.Defaults()
	cfg.SparkRemote, cfg.Bootstrap = b.spark, b.bootstrap
	cfg.InputTopic = b.topic
	cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic = b.outBase+"_ours_agg", b.outBase+"_ours_anom", b.outBase+"_ours_dlq"
	cfg.Query = "bench_transactions"
	cfg.CheckpointDir = filepath.Join(b.dir, fmt.Sprintf("ours-%d", b.round))
	cfg.Trigger = b.trigger
	cfg.ShufflePartitions = b.shuffle
	cfg.MaxOffsetsPerTrigger = b.maxOffsets
	cfg.StartingOffsets = "earliest"
	cfg.SparkConf = b.conf
	cfg.SchemaID = b.schemaID
	job, err := stream.New(ctx, s, cfg, stream.NewMetrics(prometheus.NewRegistry()), b.log)
	if err != nil {
		return nil, err
	}
	if err := job.Start(ctx); err != nil {
		return nil, err
	}
	defer job.Stop(context.WithoutCancel(ctx))
	// Poll like the reference does: the last report (read offsets) once a second; the history
	// once at the end.
	deadline := time.Now().Add(b.timeout)
	for {
		done, queries := 0, job.Queries()
		for name, q := range queries {
			last, err := q.LastProgress(ctx)
			if err != nil {
				return nil, err
			}
			if last != nil && len(last.Sources) > 0 {
				if end, err := sparkconnect.KafkaOffsets(last.Sources[0].EndOffset); err == nil && sum(end[b.topic]) >= b.records {
					done++
				}
			}
			if st, err := q.Status(ctx); err != nil {
				return nil, err
			} else if !st.IsActive {
				qe, _ := q.Exception(ctx)
				return nil, fmt.Errorf("query %s terminated: %v", name, qe)
			}
		}
		if done == len(queries) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timeout after %s", b.timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	var all []sparkconnect.Progress
	for name, q := range job.Queries() {
		ps, err := q.RecentProgress(ctx)
		if err != nil {
			return nil, err
		}
		if len(ps) > 0 && ps[0].BatchID > 0 {
			return nil, fmt.Errorf("query %s: the server kept only the last %d progress reports; use fewer, larger batches", name, len(ps))
		}
		all = append(all, ps...)
	}
	return all, nil
}

func sum(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// reference runs the PySpark job and reads its progress lines.
func (b *streamBench) reference(ctx context.Context) ([]sparkconnect.Progress, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout+time.Minute)
	defer cancel()
	trigger := fmt.Sprintf("%d milliseconds", b.trigger.Milliseconds())
	cmd := exec.CommandContext(ctx, b.python, b.script,
		"--remote", "sc://"+b.spark, "--bootstrap", b.bootstrap, "--topic", b.topic,
		"--aggregates-topic", b.outBase+"_ref_agg", "--anomalies-topic", b.outBase+"_ref_anom",
		"--checkpoint-dir", filepath.Join(b.dir, fmt.Sprintf("reference-%d", b.round)), "--query-prefix", "bench_reference_",
		"--trigger", trigger, "--max-offsets-per-trigger", fmt.Sprint(b.maxOffsets),
		"--expect", fmt.Sprint(b.records), "--timeout", fmt.Sprint(b.timeout.Seconds()),
		"--format", b.format, "--avro-schema", transaction.AvroSchema)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s %s: %w", b.python, b.script, err)
	}
	var ps []sparkconnect.Progress
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			Progress *sparkconnect.Progress `json:"progress"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Progress != nil {
			ps = append(ps, *line.Progress)
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%s: %w", b.script, err)
	}
	return ps, nil
}

type result struct {
	rate    float64
	span    time.Duration
	queries []string
	cpu     cpuUse
	records int64
}

// cpuUse is CPU time of the native stack's Spark Connect server (with its executors on the
// standalone cluster) and Kafka broker, from /proc: where the benchmark's time goes on a
// small machine.
type cpuUse struct {
	spark, kafka float64
	pids         string // the processes measured; a restart in between voids the difference
}

func (c cpuUse) minus(o cpuUse) cpuUse {
	if c.pids != o.pids {
		return cpuUse{}
	}
	return cpuUse{c.spark - o.spark, c.kafka - o.kafka, c.pids}
}

func stackCPU() cpuUse {
	var c cpuUse
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil {
			continue
		}
		line := string(cmd)
		if !strings.Contains(line, "/.stack/") && !strings.Contains(line, ".stack/") {
			continue
		}
		var dst *float64
		switch {
		case strings.Contains(line, "SparkConnectServer"), strings.Contains(line, "CoarseGrainedExecutorBackend"):
			// The driver, and on the standalone cluster the executors that run its tasks.
			dst = &c.spark
		case strings.Contains(line, "kafka.Kafka"):
			dst = &c.kafka
		default:
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		c.pids += d.Name() + " "
		// Fields after the command name: utime and stime are the 12th and 13th.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			*dst += (u + s) / 100 // USER_HZ
		}
	}
	return c
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// summarize computes the job's records/s over the span of its batches, from progress only.
func summarize(ps []sparkconnect.Progress, records int64) (result, error) {
	type acc struct {
		rows, ms int64
		batches  int
		phases   map[string]int64
	}
	per := map[string]*acc{}
	var first, last time.Time
	for i := range ps {
		p := &ps[i]
		if p.NumInputRows == 0 {
			continue
		}
		t, err := p.Time()
		if err != nil {
			return result{}, err
		}
		end := t.Add(time.Duration(p.DurationMs["triggerExecution"]) * time.Millisecond)
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if end.After(last) {
			last = end
		}
		a := per[p.Name]
		if a == nil {
			a = &acc{phases: map[string]int64{}}
			per[p.Name] = a
		}
		a.rows += p.NumInputRows
		a.ms += p.DurationMs["triggerExecution"]
		a.batches++
		for k, v := range p.DurationMs {
			if k != "triggerExecution" {
				a.phases[k] += v
			}
		}
	}
	if len(per) == 0 || !last.After(first) {
		return result{}, errors.New("no progress with input rows")
	}
	r := result{span: last.Sub(first), records: records}
	r.rate = float64(records) / r.span.Seconds()
	names := make([]string, 0, len(per))
	for n := range per {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := per[n]
		var phases []string
		for k, v := range a.phases {
			phases = append(phases, fmt.Sprintf("%s=%.0f%%", k, 100*float64(v)/float64(a.ms)))
		}
		sort.Strings(phases)
		r.queries = append(r.queries, fmt.Sprintf("%s: %d rows in %d batches, %.0f rows/s of batch time; %s",
			n, a.rows, a.batches, float64(a.rows)/(float64(a.ms)/1e3), strings.Join(phases, " ")))
	}
	return r, nil
}

func (r result) print(job string) {
	fmt.Printf("%s: %.0f records/s (%.1fs from first batch start to last batch end)\n", job, r.rate, r.span.Seconds())
	if r.cpu.spark > 0 {
		fmt.Printf("  cpu: spark %.1fs, kafka %.1fs for the whole run (%.0f spark core-µs per record and query); the machine has %d cores, load %s\n",
			r.cpu.spark, r.cpu.kafka, r.cpu.spark/float64(len(r.queries))/float64(r.records)*1e6, runtime.NumCPU(), loadavg())
	}
	for _, q := range r.queries {
		fmt.Printf("  %s\n", q)
	}
}

// confFlag collects repeated key=value flags.
type confFlag map[string]string

func (c *confFlag) String() string { return fmt.Sprint(map[string]string(*c)) }

func (c *confFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, not %q", s)
	}
	if *c == nil {
		*c = confFlag{}
	}
	(*c)[k] = v
	return nil
}

// sparkMaster reads spark.master of the Spark Connect server's application from its UI's
// REST API.
func sparkMaster(ctx context.Context, connect stack.Instance) (string, error) {
	base := "http://" + connect.Addr(stack.PortMetrics) + "/api/v1/applications"
	var apps []struct {
		ID string `json:"id"`
	}
	if err := getJSON(ctx, base, &apps); err != nil {
		return "", err
	}
	if len(apps) == 0 {
		return "", fmt.Errorf("%s lists no application", base)
	}
	var env struct {
		SparkProperties [][2]string `json:"sparkProperties"`
	}
	if err := getJSON(ctx, base+"/"+apps[0].ID+"/environment", &env); err != nil {
		return "", err
	}
	for _, kv := range env.SparkProperties {
		if kv[0] == "spark.master" {
			return kv[1], nil
		}
	}
	return "", fmt.Errorf("%s/%s/environment has no spark.master", base, apps[0].ID)
}

func getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
