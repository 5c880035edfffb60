package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pipeline/transaction"
)

// records are n valid transactions for topic, their event times spread over one minute an
// hour ago (one batch reads them all: none is late).
func records(t *testing.T, topic string, seed uint64, n int) []*kgo.Record {
	t.Helper()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Minute).UnixMilli()
	var at int64
	g, err := generator.New(generator.Config{Seed: seed, Merchants: 20, Now: func() int64 { return at }})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*kgo.Record, n)
	for i := range out {
		var tx transaction.Transaction
		at = t0 + int64(i)*60_000/int64(n)
		g.Next(&tx)
		out[i] = txRecord(topic, &tx)
	}
	return out
}

// createTopic creates topic with 3 partitions, retrying while a deletion of the same name is
// still under way, and waits until every partition has a leader.
func createTopic(ctx context.Context, t *testing.T, adm *kadm.Client, topic string) {
	t.Helper()
	for {
		resp, err := adm.CreateTopic(ctx, 3, 1, nil, topic)
		if err == nil {
			err = resp.Err
		}
		if err == nil {
			break
		}
		if !errors.Is(err, kerr.TopicAlreadyExists) || ctx.Err() != nil {
			t.Fatalf("create %s: %v", topic, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		md, err := adm.Metadata(ctx, topic)
		if err == nil {
			if d, ok := md.Topics[topic]; ok && d.Err == nil && len(d.Partitions) == 3 {
				ready := true
				for _, p := range d.Partitions {
					ready = ready && p.Leader >= 0 && p.Err == nil
				}
				if ready {
					return
				}
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("topic %s not ready: %v", topic, ctx.Err())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// listing is every file under dir with its size and modification time.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %s", strings.TrimPrefix(path, dir), info.Size(), info.ModTime().Format(time.RFC3339Nano)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func readRecord(t *testing.T, path string) stream.Owner {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var o stream.Owner
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestForeignCheckpointRefused replays issue 17 against the real Spark and Kafka: the job ran
// on a topic, the topic was deleted and created again under the same name (a new topic id)
// with more records than the old one (so the old offsets lie inside it), and the job started
// again with the same checkpoint. It must refuse, saying whose checkpoint it is, and start
// nothing; with -fresh it must move the checkpoint aside and read every record of the new
// topic.
func TestForeignCheckpointRefused(t *testing.T) {
	cl, adm, bootstrap := kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	run := fmt.Sprintf("ck%d", time.Now().UnixNano())
	topic := run + "_tx"
	outputs := []string{run + "_agg", run + "_anom", run + "_dlq", run + "_agg2"}
	for _, tp := range append([]string{topic}, outputs...) {
		createTopic(ctx, t, adm, tp)
	}
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), append([]string{topic}, outputs...)...) })
	dir := t.TempDir()
	ckpt := filepath.Join(dir, run)
	args := func(agg string, extra ...string) []string {
		return append([]string{"-input-topic", topic, "-aggregates-topic", agg, "-anomalies-topic", run + "_anom",
			"-dead-letter-topic", run + "_dlq", "-query", run, "-checkpoint-dir", dir, "-trigger", "500ms",
			"-poll-interval", "500ms", "-shuffle-partitions", "2", "-stop-wait", "10s"}, extra...)
	}
	rowsRead := series("finobs_stream_input_rows_total", run)

	// The first life of the topic: the job reads it and commits, then stops.
	const n1 = 3000
	if err := produce(ctx, cl, records(t, topic, 1, n1)...); err != nil {
		t.Fatal(err)
	}
	first := startDriver(t, "first run", args(run+"_agg")...)
	first.waitFor(ctx, fmt.Sprintf("%d rows read", n1), func(m map[string]float64) bool { return m[rowsRead] >= n1 })
	time.Sleep(time.Second) // the batch's commit
	if code := first.stop(ctx); code != 0 {
		t.Fatalf("first run exited %d:\n%s", code, first.log())
	}
	old := readRecord(t, ckpt+".owner.json")
	t.Logf("first run read %v rows; ownership record: topic %s id %s, cluster %s, shape %+v",
		first.last[rowsRead], old.Topic, old.TopicID, old.ClusterID, old.Shape)

	// The topic is deleted and created again, and gets more records than before.
	if _, err := adm.DeleteTopics(ctx, topic); err != nil {
		t.Fatal(err)
	}
	createTopic(ctx, t, adm, topic)
	// A new client: the first one keeps the old topic id in its metadata (UNKNOWN_TOPIC_ID).
	cl2, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ProducerLinger(2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	const n2 = 5000
	if err := produce(ctx, cl2, records(t, topic, 2, n2)...); err != nil {
		t.Fatal(err)
	}
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var inTopic int64
	ends.Each(func(o kadm.ListedOffset) { inTopic += o.Offset })
	if inTopic != n2 {
		t.Fatalf("the new topic holds %d records, want %d", inTopic, n2)
	}
	before := listing(t, dir)

	// Same checkpoint, new topic: refused, nothing runs.
	second := startDriver(t, "second run", args(run+"_agg")...)
	code := second.wait(ctx)
	if code != 4 {
		t.Fatalf("second run exited %d, want 4 (refused checkpoint); log:\n%s", code, second.log())
	}
	var refusal string
	for _, l := range second.logs("start") {
		refusal, _ = l["err"].(string)
	}
	t.Logf("second run exited %d: %s", code, refusal)
	for _, want := range []string{
		"checkpoint " + ckpt + " belongs to topic " + topic + " (id " + old.TopicID + ") of Kafka cluster " + old.ClusterID,
		"(topic " + topic + " was deleted and created again since)",
		"nothing was started", "run with -fresh", "nothing is deleted",
	} {
		if !strings.Contains(refusal, want) {
			t.Errorf("refusal %q lacks %q", refusal, want)
		}
	}
	if n := len(second.logs("query started")); n != 0 {
		t.Errorf("the refused run started %d queries", n)
	}
	if after := listing(t, dir); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the refused run changed the checkpoint directory:\nbefore\n%s\nafter\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}

	// A deliberate fresh start: the old checkpoint is moved aside and the new topic read whole.
	third := startDriver(t, "fresh run", args(run+"_agg2", "-fresh")...)
	third.waitFor(ctx, fmt.Sprintf("%d rows read", n2), func(m map[string]float64) bool { return m[rowsRead] >= n2 })
	time.Sleep(3 * time.Second) // more triggers: nothing more may be read
	m := third.scrape()
	if code := third.stop(ctx); code != 0 {
		t.Fatalf("fresh run exited %d:\n%s", code, third.log())
	}
	var aside string
	for _, l := range third.logs("fresh start: moved the checkpoint aside") {
		aside, _ = l["moved_to"].(string)
	}
	if aside == "" {
		t.Fatalf("the fresh run did not say where it moved the checkpoint; log:\n%s", third.log())
	}
	if moved := readRecord(t, aside+".owner.json"); moved.TopicID != old.TopicID {
		t.Errorf("moved-aside record has topic id %s, want %s", moved.TopicID, old.TopicID)
	}
	if _, err := os.Stat(filepath.Join(aside, "offsets")); err != nil {
		t.Errorf("moved-aside checkpoint: %v", err)
	}
	now := readRecord(t, ckpt+".owner.json")
	if now.TopicID == old.TopicID || now.ClusterID != old.ClusterID {
		t.Errorf("new record: topic id %s (old %s), cluster %s (old %s)", now.TopicID, old.TopicID, now.ClusterID, old.ClusterID)
	}
	if got := m[rowsRead]; got != n2 {
		t.Errorf("fresh run read %v rows, want every record of the new topic: %d", got, n2)
	}
	if late := m[series("finobs_stream_late_rows_total", run)]; late != 0 {
		t.Errorf("%v rows late", late)
	}
	// The aggregates count every record: the latest total per (merchant, window) summed.
	latest := map[string]int64{}
	for _, r := range consumeAll(ctx, t, adm, bootstrap, run+"_agg2") {
		var a struct {
			MerchantID  string `json:"merchantId"`
			WindowStart int64  `json:"windowStart"`
			Count       int64  `json:"count"`
		}
		if err := json.Unmarshal(r.Value, &a); err != nil {
			t.Fatal(err)
		}
		latest[fmt.Sprintf("%s/%d", a.MerchantID, a.WindowStart)] = a.Count
	}
	var counted int64
	for _, c := range latest {
		counted += c
	}
	if counted != n2 {
		t.Errorf("aggregates count %d records, want %d", counted, n2)
	}
	t.Logf("fresh run: moved the old checkpoint to %s; read %v rows (input_rows_total) of the new topic's %d; aggregates count %d in %d windows; new record topic id %s",
		aside, m[rowsRead], inTopic, counted, len(latest), now.TopicID)
}

// TestRestartPolicyGivesUp makes the query fail at every start (a state store provider class
// that does not exist: the first batch fails, and every restart re-runs it) and checks that the
// driver restarts it as its policy says, counts each restart and failure, then gives up and
// exits 3.
func TestRestartPolicyGivesUp(t *testing.T) {
	cl, adm, _ := kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := fmt.Sprintf("rp%d", time.Now().UnixNano())
	topics := []string{run + "_tx", run + "_agg", run + "_anom", run + "_dlq"}
	for _, tp := range topics {
		createTopic(ctx, t, adm, tp)
	}
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), topics...) })
	if err := produce(ctx, cl, records(t, topics[0], 3, 100)...); err != nil {
		t.Fatal(err)
	}
	const maxRestarts = 2
	d := startDriver(t, "failing run", "-input-topic", topics[0], "-aggregates-topic", topics[1], "-anomalies-topic", topics[2],
		"-dead-letter-topic", topics[3], "-query", run, "-checkpoint-dir", t.TempDir(), "-trigger", "500ms",
		"-poll-interval", "500ms", "-shuffle-partitions", "2",
		"-linger", "3s", "-max-restarts", fmt.Sprint(maxRestarts), "-restart-window", "10m", "-restart-backoff", "1s", "-restart-backoff-max", "2s",
		"-conf", "spark.sql.streaming.stateStore.providerClass=org.finobs.NoSuchStateStoreProvider")
	code := d.wait(ctx)
	m := d.last
	restarts := m[series("finobs_stream_query_restarts_total", run)]
	failures := map[string]float64{}
	for _, c := range stream.FailureClasses {
		if v := m[series("finobs_stream_query_failures_total", run, fmt.Sprintf("error_class=%q", c))]; v > 0 {
			failures[string(c)] = v
		}
	}
	failedLogs := len(d.logs("query failed")) + len(d.logs("query restart failed"))
	restartLogs := len(d.logs("restarting query from its checkpoint"))
	gaveUp := d.logs("giving up on the query")
	t.Logf("exit %d; last scrape: restarts_total %v, failures_total by class %v; log: %d failures, %d restarts, giving up: %v",
		code, restarts, failures, failedLogs, restartLogs, gaveUp)
	for _, l := range d.logs("query failed") {
		t.Logf("failure: error_class %v, spark_error_class %v: %.300v", l["error_class"], l["spark_error_class"], l["err"])
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 (the restart policy gave up); log:\n%s", code, d.log())
	}
	if restarts != maxRestarts || restartLogs != maxRestarts {
		t.Errorf("restarts: %v counted, %d logged, want %d", restarts, restartLogs, maxRestarts)
	}
	if failedLogs != maxRestarts+1 {
		t.Errorf("%d failures logged, want %d", failedLogs, maxRestarts+1)
	}
	// -linger serves the last failure before the exit.
	var counted float64
	for _, v := range failures {
		counted += v
	}
	if counted != maxRestarts+1 || failures[string(stream.FailOther)] != maxRestarts+1 {
		t.Errorf("failures counted %v, want %d of class other", failures, maxRestarts+1)
	}
	if len(gaveUp) != 1 || gaveUp[0]["restarts_in_window"] != float64(maxRestarts) {
		t.Errorf("giving-up log lines: %v", gaveUp)
	}
}

// TestDataLossGivesUp loses records under the job (Kafka deletes them before the job read
// them, as retention does) and checks that the job does not skip them: the query fails with
// Spark's data-loss error, the driver counts it as error_class="data_loss", restarts nothing
// and exits 3.
func TestDataLossGivesUp(t *testing.T) {
	cl, adm, _ := kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := fmt.Sprintf("dl%d", time.Now().UnixNano())
	topics := []string{run + "_tx", run + "_agg", run + "_anom", run + "_dlq"}
	for _, tp := range topics {
		createTopic(ctx, t, adm, tp)
	}
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), topics...) })
	dir := t.TempDir()
	args := []string{"-input-topic", topics[0], "-aggregates-topic", topics[1], "-anomalies-topic", topics[2],
		"-dead-letter-topic", topics[3], "-query", run, "-checkpoint-dir", dir, "-trigger", "500ms",
		"-poll-interval", "500ms", "-shuffle-partitions", "2", "-linger", "3s", "-restart-backoff", "1s"}
	rowsRead := series("finobs_stream_input_rows_total", run)

	const n1 = 300
	all := records(t, topics[0], 4, 3*n1)
	if err := produce(ctx, cl, all[:n1]...); err != nil {
		t.Fatal(err)
	}
	first := startDriver(t, "first run", args...)
	first.waitFor(ctx, fmt.Sprintf("%d rows read", n1), func(m map[string]float64) bool { return m[rowsRead] >= n1 })
	time.Sleep(time.Second)
	if code := first.stop(ctx); code != 0 {
		t.Fatalf("first run exited %d:\n%s", code, first.log())
	}
	// While the job is down, records arrive and are deleted unread; then more arrive.
	if err := produce(ctx, cl, all[n1:2*n1]...); err != nil {
		t.Fatal(err)
	}
	ends, err := adm.ListEndOffsets(ctx, topics[0])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := adm.DeleteRecords(ctx, ends.Offsets())
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := produce(ctx, cl, all[2*n1:]...); err != nil {
		t.Fatal(err)
	}

	second := startDriver(t, "run after the loss", args...)
	code := second.wait(ctx)
	m := second.last
	lost := m[series("finobs_stream_query_failures_total", run, `error_class="data_loss"`)]
	restarts := m[series("finobs_stream_query_restarts_total", run)]
	var failure string
	for _, l := range second.logs("query failed") {
		failure = fmt.Sprintf("error_class %v, spark_error_class %v: %.400v", l["error_class"], l["spark_error_class"], l["err"])
	}
	t.Logf("run after the loss: exit %d, failures_total{error_class=\"data_loss\"} %v, restarts_total %v, rows read %v; failure: %s",
		code, lost, restarts, m[rowsRead], failure)
	if code != 3 || lost != 1 || restarts != 0 {
		t.Errorf("exit %d, data_loss failures %v, restarts %v: want 3, 1, 0; log:\n%s", code, lost, restarts, second.log())
	}
	if g := second.logs("giving up on the query"); len(g) != 1 || !strings.Contains(fmt.Sprint(g[0]["reason"]), "a data_loss failure does not heal by restarting") {
		t.Errorf("giving up: %v", g)
	}
}
