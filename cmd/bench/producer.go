package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/producer"
	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pipeline/transaction"
	"github.com/finobs/finobs/topology"
)

func init() {
	benches["producer"] = bench{
		usage: "franz-go producer (pipeline/producer) vs Kafka's ProducerPerformance, same records and settings",
		run:   runProducerBench,
	}
}

// runProducerBench produces for -duration with our producer, then sends the same number of
// records with ProducerPerformance, to fresh topics of identical configuration on the same
// broker. Both send the same generated transactions: ours generates them live, the
// reference picks them at random from a payload file of -payloads of them.
func runProducerBench(ctx context.Context, args []string) error {
	local, err := topology.Local(1)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("bench producer", flag.ContinueOnError)
	brokers := fs.String("brokers", local.KafkaBootstrap(), "bootstrap brokers")
	duration := fs.Duration("duration", 60*time.Second, "how long our producer runs; the reference sends as many records as ours did")
	partitions := fs.Int("partitions", 6, "partitions of each bench topic")
	acks := fs.String("acks", "all", "acks, both sides")
	idempotent := fs.Bool("idempotent", true, "idempotence, both sides")
	compression := fs.String("compression", "snappy", "compression, both sides: "+strings.Join(producer.Compressions, ", "))
	linger := fs.Duration("linger", 5*time.Millisecond, "linger, both sides")
	batch := fs.Int("batch-bytes", 256<<10, "batch size in bytes, both sides: compressed bytes on the wire (Java's batch.size bounds compressed bytes; ours, which bounds uncompressed bytes, gets this times the records' compression ratio)")
	maxBuffered := fs.Int("max-buffered", 60_000, "our MaxBuffered records (16 MB of records; the reference's buffer.memory holds 128 batches)")
	refBuffer := fs.Int("reference-buffer-memory", 32<<20, "buffer.memory of the reference (its default)")
	key := fs.String("key", "none", "our record key; the reference sends no key, so none compares like with like")
	payloads := fs.Int("payloads", 10000, "distinct transactions in the reference's payload file")
	libs := fs.String("kafka-libs", ".stack/kafka/libs", "directory of the Kafka jars (kafka-tools included)")
	heap := fs.String("java-heap", "1g", "-Xmx of the reference JVM")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of our run to this file")
	skipRef := fs.Bool("skip-reference", false, "run only ours (for profiling)")
	warmup := fs.Duration("warmup", 15*time.Second, "produce this long to a scratch topic first, unmeasured: a broker just started runs its first minute at half speed (JIT), which would favour whichever side runs later")
	format := fs.String("format", string(producer.FormatAvro), "record encoding, both sides: avro (the registry's wire format) or json")
	registry := fs.String("registry", local.RegistryURL(), "schema registry (Confluent-compatible API), for -format avro")
	rounds := fs.Int("rounds", 1, "rounds of both runs, alternating which goes first; the rates add up over all (more than 1 evens out a shared machine's load)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	cl, err := admin(ctx, *brokers)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)

	// The same records both sides: a payload file of generated transactions.
	g, err := generator.New(generator.Config{Seed: 1, Now: func() int64 { return time.Now().UnixMilli() }})
	if err != nil {
		return err
	}
	payload, err := os.CreateTemp("", "finobs-bench-payload-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(payload.Name())
	var (
		tx    transaction.Transaction
		buf   []byte
		total int
	)
	// Avro: the ids our producer will carry, registered now (it finds them unchanged).
	var schemaID uint32
	if producer.Format(*format) == producer.FormatAvro {
		if schemaID, err = benchSchema(ctx, *registry, "finobs-bench-ours-value"); err != nil {
			return err
		}
	} else if producer.Format(*format) != producer.FormatJSON {
		return fmt.Errorf("-format %q: want avro or json", *format)
	}
	w := bufio.NewWriter(payload)
	for i := 0; i < *payloads; i++ {
		g.Next(&tx)
		if schemaID != 0 {
			if buf, err = tx.AppendAvro(buf[:0], schemaID); err != nil {
				return err
			}
			textSafe(buf)
			buf = append(buf, '\n')
		} else {
			buf = append(tx.AppendJSON(buf[:0]), '\n')
		}
		total += len(buf) - 1
		w.Write(buf)
	}
	if err := errors.Join(w.Flush(), payload.Close()); err != nil {
		return err
	}
	avgSize := total / *payloads
	fmt.Printf("records: generated transactions as %s, %d bytes on average; acks=%s idempotent=%v compression=%s linger=%v batch=%d partitions=%d key=%s\n",
		*format, avgSize, *acks, *idempotent, *compression, *linger, *batch, *partitions, *key)

	// The same batch size on the wire both sides: Java fills a batch up to batch.size
	// compressed bytes, franz-go up to ProducerBatchMaxBytes uncompressed.
	sample, err := os.ReadFile(payload.Name())
	if err != nil {
		return err
	}
	ratio, err := producer.CompressionRatio(*compression, sample[:min(len(sample), *batch*4)])
	if err != nil {
		return err
	}
	// 0.9: batches vary; none may exceed the wire size asked for.
	ourBatch := int32(float64(*batch) * max(1, 0.9*ratio))
	fmt.Printf("batches: at most %d bytes on the wire; %s makes the records %.2f times smaller, so ours bounds a batch at %d bytes uncompressed\n",
		*batch, *compression, ratio, ourBatch)

	// Both topics take batches of -batch-bytes, when that is above the broker's default limit.
	maxMessage := strconv.Itoa(max(1048588, *batch+64<<10))

	broker := strings.Split(*brokers, ",")[0]

	// ours runs our producer for -duration on a fresh topic.
	ours := func() (benchRun, error) {
		const topic = "finobs-bench-ours"
		if err := freshTopic(ctx, cl, topic, int32(*partitions), maxMessage); err != nil {
			return benchRun{}, err
		}
		defer adm.DeleteTopic(context.Background(), topic)
		cfg := producer.Defaults()
		cfg.Brokers = strings.Split(*brokers, ",")
		cfg.Topic, cfg.CreateTopic, cfg.Partitions = topic, false, int32(*partitions)
		cfg.Duration, cfg.Acks, cfg.Idempotent, cfg.Compression = *duration, *acks, *idempotent, *compression
		cfg.Linger, cfg.BatchMaxBytes, cfg.MaxBuffered, cfg.Key = *linger, ourBatch, *maxBuffered, producer.Key(*key)
		cfg.Progress = 10 * time.Second
		cfg.Generator.Seed = 1
		cfg.Format, cfg.Registry = producer.Format(*format), *registry
		if err := cfg.Validate(); err != nil {
			return benchRun{}, err
		}
		// The client's own metrics (kprom) tell how records were batched.
		reg := prometheus.NewRegistry()
		p, err := producer.New(ctx, cfg, reg, nil)
		if err != nil {
			return benchRun{}, err
		}
		defer p.Close()
		cpu := startCPU(broker)
		st, err := p.Run(ctx)
		u := cpu.stop()
		if err != nil {
			return benchRun{}, fmt.Errorf("our producer: %w", err)
		}
		r := benchRun{records: st.Records, seconds: st.Elapsed.Seconds(), client: u.self * u.wall, broker: u.broker * u.wall, others: u.others(u.self) * u.wall}
		fmt.Printf("ours: %d records in %v: %.0f records/s, %.1f MB/s, %d errors; %s\n",
			st.Records, st.Elapsed.Round(time.Millisecond), r.rate(), st.MBPerSec(), st.Errors, r.cpu("ours"))
		if b, err := gatherBatches(reg); err == nil {
			fmt.Printf("ours: batches on the wire: %.0f KB and %.0f records on average (kprom)\n", b.wireBytes/1e3, b.records)
		}
		return r, nil
	}

	// reference sends count records with ProducerPerformance to a fresh topic.
	reference := func(count int64) (benchRun, error) {
		const topic = "finobs-bench-reference"
		if err := freshTopic(ctx, cl, topic, int32(*partitions), maxMessage); err != nil {
			return benchRun{}, err
		}
		defer adm.DeleteTopic(context.Background(), topic)
		args := []string{"-Xmx" + *heap, "-cp", filepath.Join(*libs, "*"), "org.apache.kafka.tools.ProducerPerformance",
			"--topic", topic, "--num-records", strconv.FormatInt(count, 10), "--throughput", "-1",
			"--payload-file", payload.Name(), "--print-metrics", "--producer-props",
			"bootstrap.servers=" + *brokers, "acks=" + *acks, "enable.idempotence=" + strconv.FormatBool(*idempotent),
			"compression.type=" + *compression, "linger.ms=" + strconv.FormatInt(linger.Milliseconds(), 10),
			"batch.size=" + strconv.Itoa(*batch), "buffer.memory=" + strconv.Itoa(*refBuffer),
			"max.request.size=" + strconv.Itoa(max(1<<20, *batch)),
		}
		cmd := exec.CommandContext(ctx, "java", args...)
		var out bytes.Buffer
		// --print-metrics ends the output with every client metric: keep those out of the log.
		cmd.Stdout = io.MultiWriter(&out, &prefixWriter{prefix: "reference: ", skip: isJavaMetric})
		cmd.Stderr = os.Stderr
		cpu := startCPU(broker)
		if err := cmd.Run(); err != nil {
			return benchRun{}, fmt.Errorf("ProducerPerformance (java %s): %w", strings.Join(args, " "), err)
		}
		u := cpu.stop()
		rate, err := parseProducerPerformance(out.String())
		if err != nil {
			return benchRun{}, err
		}
		java := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		r := benchRun{records: count, seconds: float64(count) / rate, client: java, broker: u.broker * u.wall,
			others: u.others(java/u.wall) * u.wall}
		fmt.Printf("reference: %.0f records/s, %.1f MB/s; %s\n", rate, rate*float64(avgSize)/1e6, r.cpu("reference"))
		if kb, n, ok := javaBatches(out.String(), float64(avgSize)); ok {
			fmt.Printf("reference: batches on the wire: %.0f KB and %.0f records on average (producer-metrics batch-size-avg, compression-rate-avg)\n", kb, n)
		}
		return r, nil
	}

	// Rounds alternate the order (ours first, then the reference first), so that a load
	// that rises or falls during the run does not favour one side.
	var o, ref benchRun
	var count int64
	if *warmup > 0 {
		if err := warmBroker(ctx, cl, *brokers, *partitions, *warmup, producer.Format(*format), *registry); err != nil {
			return err
		}
	}
	for round := 0; round < *rounds; round++ {
		runOurs := func() error {
			if round == 0 && *cpuprofile != "" {
				f, err := os.Create(*cpuprofile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			r, err := ours()
			o.add(r)
			if count == 0 {
				count = r.records
			}
			return err
		}
		runRef := func() error {
			if *skipRef {
				return nil
			}
			r, err := reference(count)
			ref.add(r)
			return err
		}
		steps := []func() error{runOurs, runRef}
		if round%2 == 1 {
			steps = []func() error{runRef, runOurs}
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
	}
	if *skipRef {
		fmt.Printf("producer records/s: %.0f reference: skipped ratio: n/a format: %s\n", o.rate(), *format)
		return nil
	}
	// Other processes share the 2 cores, unevenly between the runs: CPU per record (client
	// and broker) compares the two sides with less of that noise.
	oc, rc := (o.client+o.broker)/float64(o.records)*1e6, (ref.client+ref.broker)/float64(ref.records)*1e6
	fmt.Printf("cpu per record, client+broker: ours %.2f µs, reference %.2f µs, ratio %.2f; other processes took %.2f and %.2f cores\n",
		oc, rc, rc/oc, o.others/o.seconds, ref.others/ref.seconds)
	fmt.Printf("producer records/s: %.0f reference: %.0f ratio: %.2f format: %s\n", o.rate(), ref.rate(), o.rate()/ref.rate(), *format)
	return nil
}

// benchRun is one or more runs of one side: records, seconds, and CPU seconds.
type benchRun struct {
	records                int64
	seconds                float64
	client, broker, others float64
}

func (r *benchRun) add(o benchRun) {
	r.records += o.records
	r.seconds += o.seconds
	r.client += o.client
	r.broker += o.broker
	r.others += o.others
}

func (r benchRun) rate() float64 { return float64(r.records) / r.seconds }

func (r benchRun) cpu(name string) string {
	perRec := func(cpuSec float64) float64 { return cpuSec / float64(r.records) * 1e6 }
	return fmt.Sprintf("cpu: %s %.2f cores (%.2f µs/record), broker %.2f cores (%.2f µs/record), others %.2f cores",
		name, r.client/r.seconds, perRec(r.client), r.broker/r.seconds, perRec(r.broker), r.others/r.seconds)
}

func admin(ctx context.Context, brokers string) (*kgo.Client, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...), kgo.DialTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(cl).BrokerMetadata(cctx); err != nil {
		cl.Close()
		return nil, fmt.Errorf("broker %s unreachable (is the native stack up? `make up`): %w", brokers, err)
	}
	return cl, nil
}

// freshTopic deletes the topic if a previous run left it, and creates it anew.
// warmBroker produces to a scratch topic for d, so that the measured runs find the broker's
// produce path compiled.
func warmBroker(ctx context.Context, cl *kgo.Client, brokers string, partitions int, d time.Duration, format producer.Format, registry string) error {
	const topic = "finobs-bench-warmup"
	if err := freshTopic(ctx, cl, topic, int32(partitions), "1048588"); err != nil {
		return err
	}
	defer kadm.NewClient(cl).DeleteTopic(context.Background(), topic)
	cfg := producer.Defaults()
	cfg.Brokers, cfg.Topic, cfg.CreateTopic, cfg.Partitions = strings.Split(brokers, ","), topic, false, int32(partitions)
	cfg.Duration, cfg.Progress = d, 0
	cfg.Format, cfg.Registry = format, registry
	p, err := producer.New(ctx, cfg, nil, nil)
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := p.Run(ctx)
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	fmt.Printf("warm-up: %d records in %v to %s, not measured\n", st.Records, st.Elapsed.Round(time.Millisecond), topic)
	return nil
}

func freshTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32, maxMessageBytes string) error {
	if _, err := kadm.NewClient(cl).DeleteTopic(ctx, topic); err == nil {
		// Creating again fails while the deletion is under way.
		for i := 0; i < 100; i++ {
			_, err := producer.EnsureTopic(ctx, cl, producer.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: 1, MinInsyncReplicas: 1}, false)
			if errors.Is(err, producer.ErrNoTopic) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if _, err := producer.EnsureTopic(ctx, cl, producer.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: 1, MinInsyncReplicas: 1}, true); err != nil {
		return err
	}
	resp, err := kadm.NewClient(cl).AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "max.message.bytes", Value: &maxMessageBytes}}, topic)
	if err == nil {
		_, err = resp.On(topic, nil)
	}
	if err != nil {
		return fmt.Errorf("topic %s: set max.message.bytes: %w", topic, err)
	}
	return nil
}

var ppFinal = regexp.MustCompile(`(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\).*50th`)

// parseProducerPerformance reads records/s from ProducerPerformance's final line, the one
// with percentiles.
func parseProducerPerformance(out string) (float64, error) {
	var rate float64
	found := false
	for _, line := range strings.Split(out, "\n") {
		if m := ppFinal.FindStringSubmatch(line); m != nil {
			rate, _ = strconv.ParseFloat(m[2], 64)
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("no final summary line in ProducerPerformance output:\n%s", out)
	}
	return rate, nil
}

// prefixWriter prefixes every line but those skip tells to drop; writes may end mid-line.
type prefixWriter struct {
	prefix string
	skip   func(line string) bool
	mid    bool // the last write ended mid-line
	drop   bool // the line being written is dropped
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l == "" {
			continue
		}
		if !w.mid {
			w.drop = w.skip != nil && w.skip(l)
			if !w.drop {
				fmt.Print(w.prefix)
			}
		}
		if !w.drop {
			fmt.Print(l)
		}
		w.mid = !strings.HasSuffix(l, "\n")
	}
	return len(b), nil
}

// cpuSample measures where CPU went during a run: this process, the broker JVM and the
// idle share of the machine, to tell what bounds the throughput.
type cpuSample struct {
	start            time.Time
	self, broker     float64 // CPU seconds at start
	brokerPID        int
	idle, totalTicks uint64
}

type cpuUsage struct{ wall, self, broker, idle float64 }

// others is the CPU other processes took: the machine's busy cores less the producer's and
// the broker's. Above zero, the run competed for the 2 cores.
func (u cpuUsage) others(producer float64) float64 {
	return max(0, float64(runtime.NumCPU())*(1-u.idle/100)-producer-u.broker)
}

func startCPU(broker string) *cpuSample {
	s := &cpuSample{start: time.Now(), brokerPID: brokerPID(broker)}
	s.self = selfCPU()
	s.broker = procCPU(s.brokerPID)
	s.idle, s.totalTicks = machineTicks()
	return s
}

func (s *cpuSample) stop() cpuUsage {
	wall := time.Since(s.start).Seconds()
	idle, total := machineTicks()
	u := cpuUsage{wall: wall, self: (selfCPU() - s.self) / wall, broker: (procCPU(s.brokerPID) - s.broker) / wall}
	if total > s.totalTicks {
		u.idle = 100 * float64(idle-s.idle) / float64(total-s.totalTicks)
	}
	return u
}

func selfCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// brokerPID finds the process listening on the broker's port (other Kafka JVMs may run on
// the machine); 0 if none is found.
func brokerPID(addr string) int {
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	port, _ := strconv.Atoi(portStr)
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // LISTEN
				continue
			}
			if i := strings.LastIndexByte(fs[1], ':'); i >= 0 {
				if p, err := strconv.ParseInt(fs[1][i+1:], 16, 32); err == nil && int(p) == port {
					inodes["socket:["+fs[9]+"]"] = true
				}
			}
		}
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir("/proc/" + e.Name() + "/fd")
		for _, fd := range fds {
			if l, err := os.Readlink("/proc/" + e.Name() + "/fd/" + fd.Name()); err == nil && inodes[l] {
				return pid
			}
		}
	}
	return 0
}

// procCPU is utime+stime of a process in seconds, from /proc/<pid>/stat.
func procCPU(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

func machineTicks() (idle, total uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return idle, total
}

// benchSchema registers the transaction schema under subject and returns its id.
func benchSchema(ctx context.Context, url, subject string) (uint32, error) {
	cl, err := schemas.NewClient(url)
	if err != nil {
		return 0, err
	}
	want := schemas.Transactions
	want.Subject = subject
	res, err := schemas.Ensure(ctx, cl, want)
	if err != nil {
		return 0, fmt.Errorf("schema registry %s (-format json needs none): %w", url, err)
	}
	return uint32(res.ID), nil
}

// textSafe makes an Avro record survive ProducerPerformance's payload file, which it reads
// as UTF-8 text split at newlines: bytes of 0x80 and above (varints, the decimal) lose
// their high bit, and a newline becomes a vertical tab. The size stays the same, and so,
// nearly, does what compression finds in it.
func textSafe(b []byte) {
	for i, c := range b {
		c &= 0x7f
		if c == '\n' || c == '\r' {
			c = 0x0b
		}
		b[i] = c
	}
}

// topologyRegistry is the native stack's registry URL.
func topologyRegistry() string {
	st, err := topology.Local(1)
	if err != nil {
		return ""
	}
	return st.RegistryURL()
}
