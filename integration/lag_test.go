package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/kafkalag"
	"github.com/finobs/finobs/pkg/stack"
)

// TestConsumerGroupLag reads the running lag exporter against Kafka's own
// kafka-consumer-groups --describe, partition by partition, for two groups of a fresh topic
// whose records carry known timestamps: one with a member, one without; and checks the lag
// in seconds against the timestamp of the oldest record a group has not consumed.
func TestConsumerGroupLag(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seeds := strings.Split(st.KafkaBootstrap(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	adm := kadm.NewClient(cl)
	run := time.Now().UnixNano()
	topic := fmt.Sprintf("finobs-it-lag-%d", run)
	if _, err := adm.CreateTopic(ctx, 3, int16(min(3, st.Brokers())), nil, topic); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	idle, live := fmt.Sprintf("finobs-it-lag-idle-%d", run), fmt.Sprintf("finobs-it-lag-live-%d", run)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		adm.DeleteGroups(ctx, idle, live)
		adm.DeleteTopics(ctx, topic)
	})

	// 20 records a partition, timestamped a second apart starting ten minutes ago.
	const perPartition = 20
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Millisecond)
	var recs []*kgo.Record
	for p := int32(0); p < 3; p++ {
		for i := range perPartition {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Value: []byte("v"),
				Timestamp: base.Add(time.Duration(int(p)*perPartition+i) * time.Second)})
		}
	}
	pcl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	if err := pcl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}

	// idle: partition 0 read to 5, 1 to the end, 2 not at all (offset 0 committed).
	commit := func(group string, at map[int32]int64) {
		os := kadm.Offsets{}
		for p, o := range at {
			os.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
		}
		if err := adm.CommitAllOffsets(ctx, group, os); err != nil {
			t.Fatalf("commit %s: %v", group, err)
		}
	}
	commit(idle, map[int32]int64{0: 5, 1: perPartition, 2: 0})
	// live: a member of the group, which commits 7 on every partition.
	member, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumerGroup(live), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer member.Close()
	if err := stacktest.Eventually(ctx, time.Minute, 500*time.Millisecond, func(ctx context.Context) error {
		member.PollRecords(ctx, 1) // joins the group and keeps its heartbeat going
		d, err := adm.DescribeGroups(ctx, live)
		if err != nil {
			return err
		}
		if g := d[live]; g.State != "Stable" || len(g.Members) != 1 {
			return fmt.Errorf("group %s: state %q, %d members", live, g.State, len(g.Members))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A member commits through the group's generation (kadm's commit is refused while the
	// group has members).
	offs := map[string]map[int32]kgo.EpochOffset{topic: {0: {Epoch: -1, Offset: 7}, 1: {Epoch: -1, Offset: 7}, 2: {Epoch: -1, Offset: 7}}}
	var commitErr error
	member.CommitOffsetsSync(ctx, offs, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		commitErr = err
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil && commitErr == nil {
					commitErr = fmt.Errorf("%s/%d: %w", t.Topic, p.Partition, err)
				}
			}
		}
	})
	if commitErr != nil {
		t.Fatalf("commit %s through its member: %v", live, commitErr)
	}

	before := time.Now()
	got := scrapeLag(ctx, t, st)
	after := time.Now()
	for _, g := range []string{idle, live} {
		tool := describeGroup(ctx, t, st, g)
		for p := int32(0); p < 3; p++ {
			k := fmt.Sprintf("%s/%s/%d", g, topic, p)
			want, ok := tool[p]
			if !ok {
				t.Errorf("%s: kafka-consumer-groups printed no row", k)
				continue
			}
			for _, m := range []struct {
				name string
				want int64
			}{{"kafka_consumergroup_current_offset", want.current}, {"kafka_consumergroup_lag", want.lag}} {
				if v, ok := got.partition[m.name][k]; !ok || int64(v) != m.want {
					t.Errorf("%s: %s %v (present %v), kafka-consumer-groups says %d", k, m.name, v, ok, m.want)
				}
			}
			if v := got.end[fmt.Sprintf("%s/%d", topic, p)]; int64(v) != want.end {
				t.Errorf("%s: kafka_topic_partition_current_offset %v, kafka-consumer-groups says LOG-END-OFFSET %d", k, v, want.end)
			}
		}
	}
	// Partition 0 holds the oldest records: idle has not read its 6th, live its 8th.
	for g, oldest := range map[string]time.Time{idle: base.Add(5 * time.Second), live: base.Add(7 * time.Second)} {
		lo, hi := before.Sub(oldest).Seconds()-1, after.Sub(oldest).Seconds()+1
		if v, ok := got.group["finobs_consumergroup_lag_seconds"][g]; !ok || v < lo || v > hi {
			t.Errorf("%s: finobs_consumergroup_lag_seconds %v (present %v), want %.0f..%.0f (the record at its oldest committed offset)", g, v, ok, lo, hi)
		}
	}
	if v := got.group["kafka_consumergroup_members"][live]; v != 1 {
		t.Errorf("%s: kafka_consumergroup_members %v, want 1", live, v)
	}
	if v := got.group["kafka_consumergroup_members"][idle]; v != 0 {
		t.Errorf("%s: kafka_consumergroup_members %v, want 0", idle, v)
	}
	for g, state := range map[string]string{idle: "Empty", live: "Stable"} {
		if got.state[g] != state {
			t.Errorf("%s: finobs_consumergroup_state says %q, want %q", g, got.state[g], state)
		}
	}
	// The catalog (the declarations every rule and panel is linted against) names what the
	// exporter serves, no more and no less.
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, m := range cat.ExportedBy(stack.KafkaLagExporter) {
		declared[m.Name] = true
		if !got.names[m.Name] {
			t.Errorf("the catalog declares %s for %s, which the exporter does not serve", m.Name, stack.KafkaLagExporter)
		}
	}
	for name := range got.names {
		if !declared[name] && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") && !strings.HasPrefix(name, "promhttp_") {
			t.Errorf("the exporter serves %s, which the catalog does not declare", name)
		}
	}
	if v := got.sum[idle+"/"+topic]; v != (perPartition-5)+0+perPartition {
		t.Errorf("%s: kafka_consumergroup_lag_sum %v, want %d", idle, v, (perPartition-5)+perPartition)
	}
}

type lagScrape struct {
	partition map[string]map[string]float64 // metric → group/topic/partition → value
	group     map[string]map[string]float64 // metric → group → value
	end       map[string]float64            // topic/partition → end offset
	sum       map[string]float64            // group/topic → lag
	state     map[string]string             // group → state
	names     map[string]bool               // every family served
}

func scrapeLag(ctx context.Context, t *testing.T, st stack.Stack) lagScrape {
	t.Helper()
	inst := st.One(stack.KafkaLagExporter)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+inst.Addr(stack.PortMetrics)+"/metrics", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("scrape the lag exporter: %v", err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the lag exporter's metrics: %v", err)
	}
	if f := fams["finobs_lag_exporter_up"]; f == nil || f.Metric[0].GetGauge().GetValue() != 1 {
		t.Fatalf("finobs_lag_exporter_up is not 1: %v", f)
	}
	s := lagScrape{partition: map[string]map[string]float64{}, group: map[string]map[string]float64{},
		end: map[string]float64{}, sum: map[string]float64{}, state: map[string]string{}, names: map[string]bool{}}
	for name, f := range fams {
		s.names[name] = true
		for _, m := range f.Metric {
			l := map[string]string{}
			for _, lp := range m.Label {
				l[lp.GetName()] = lp.GetValue()
			}
			v := m.GetGauge().GetValue()
			switch name {
			case "kafka_consumergroup_lag", "kafka_consumergroup_current_offset":
				if s.partition[name] == nil {
					s.partition[name] = map[string]float64{}
				}
				s.partition[name][l["consumergroup"]+"/"+l["topic"]+"/"+l["partition"]] = v
			case "kafka_consumergroup_members", "finobs_consumergroup_lag_seconds":
				if s.group[name] == nil {
					s.group[name] = map[string]float64{}
				}
				s.group[name][l["consumergroup"]] = v
			case "kafka_topic_partition_current_offset":
				s.end[l["topic"]+"/"+l["partition"]] = v
			case "kafka_consumergroup_lag_sum":
				s.sum[l["consumergroup"]+"/"+l["topic"]] = v
			case "finobs_consumergroup_state":
				if v == 1 {
					s.state[l["consumergroup"]] = l["state"]
				}
			}
		}
	}
	return s
}

type toolRow struct{ current, end, lag int64 }

// describeGroup runs Kafka's kafka-consumer-groups --describe (ConsumerGroupCommand, from
// the stack's Kafka jars) and reads its table by partition.
func describeGroup(ctx context.Context, t *testing.T, st stack.Stack, group string) map[int32]toolRow {
	t.Helper()
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	java := "java"
	if h := os.Getenv("JAVA_HOME"); h != "" {
		java = filepath.Join(h, "bin", "java")
	}
	cmd := exec.CommandContext(ctx, java, "-Xmx128m", "-cp", filepath.Join(p.KafkaLibs(), "*"),
		"org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
		"--bootstrap-server", st.KafkaBootstrap(), "--describe", "--group", group)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kafka-consumer-groups --describe --group %s: %v\n%s", group, err, out)
	}
	rows := map[int32]toolRow{}
	var cols map[string]int
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "GROUP" {
			cols = map[string]int{}
			for i, c := range f {
				cols[c] = i
			}
			continue
		}
		if cols == nil || len(f) < len(cols)-2 || f[0] != group {
			continue
		}
		num := func(c string) int64 {
			i, ok := cols[c]
			if !ok || i >= len(f) {
				t.Fatalf("kafka-consumer-groups: no %s column in %q", c, line)
			}
			n, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				t.Fatalf("kafka-consumer-groups: %s %q in %q: %v", c, f[i], line, err)
			}
			return n
		}
		rows[int32(num("PARTITION"))] = toolRow{current: num("CURRENT-OFFSET"), end: num("LOG-END-OFFSET"), lag: num("LAG")}
	}
	if len(rows) == 0 {
		t.Fatalf("kafka-consumer-groups --describe --group %s printed no partition:\n%s", group, out)
	}
	return rows
}

// BenchmarkConsumerGroupLag is one reading of every group (what one scrape costs) against the
// running stack's Kafka: LAG_GROUPS groups (default 200) each committed, with lag, on every
// partition of a topic of LAG_PARTITIONS partitions (default 30). It reports the time and
// the memory of a reading per group-partition, so thousands of groups can be priced; the
// lag in seconds costs a fetch per lagging partition and distinct committed offset.
//
//	go test -run '^$' -bench ConsumerGroupLag -benchmem ./integration/
func BenchmarkConsumerGroupLag(b *testing.B) {
	st := stacktest.Local(b)
	ctx := context.Background()
	groups, partitions := envInt(b, "LAG_GROUPS", 200), envInt(b, "LAG_PARTITIONS", 30)
	seeds := strings.Split(st.KafkaBootstrap(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	run := time.Now().UnixNano()
	topic := fmt.Sprintf("finobs-bench-lag-%d", run)
	if _, err := adm.CreateTopic(ctx, int32(partitions), int16(min(3, st.Brokers())), nil, topic); err != nil {
		b.Fatal(err)
	}
	var names []string
	defer func() {
		adm.DeleteGroups(ctx, names...)
		adm.DeleteTopics(ctx, topic)
	}()
	var recs []*kgo.Record
	for p := range partitions {
		for range 100 {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(p), Value: make([]byte, 100)})
		}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		b.Fatal(err)
	}
	for g := range groups {
		name := fmt.Sprintf("finobs-bench-lag-%d-%d", run, g)
		names = append(names, name)
		os := kadm.Offsets{}
		for p := range partitions {
			os.Add(kadm.Offset{Topic: topic, Partition: int32(p), At: int64(g % 50), LeaderEpoch: -1})
		}
		if err := adm.CommitAllOffsets(ctx, name, os); err != nil {
			b.Fatal(err)
		}
	}
	r := kafkalag.NewReader(cl)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		snap, err := r.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for _, g := range snap.Groups {
			n += len(g.Partitions)
		}
	}
	b.StopTimer()
	if n < groups*partitions {
		b.Fatalf("read %d group-partitions, want at least %d", n, groups*partitions)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/group-partition")
	b.ReportMetric(float64(n), "group-partitions")
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
