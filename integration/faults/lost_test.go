package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestNothingLost produces at a steady rate (acks=all, idempotent, retrying for ever) to a
// topic with 3 replicas and min.insync.replicas 2, kills a broker with -9 a quarter of the way
// in and brings it back at the middle, while records flow. Every record the producer counts
// as acknowledged must be in the topic exactly once, counted by transaction id, and the
// producer must exit 0 with nothing failed or unsent.
func TestNothingLost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "produce")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/finobs/finobs/cmd/produce").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/produce: %v\n%s", err, out)
	}
	topic := fmt.Sprintf("finobs_lost_%d", time.Now().UnixNano())
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(e.st.KafkaBootstrap(), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), topic) })

	const rate, run = 2000, 60 * time.Second
	cmd := exec.Command(bin, "-brokers", e.st.KafkaBootstrap(), "-topic", topic, "-create-topic",
		"-partitions", "6", "-replication-factor", "3", "-min-insync-replicas", "2",
		"-acks", "all", "-idempotent", "-delivery-timeout", "0", "-format", "json",
		"-rate", fmt.Sprint(rate), "-duration", run.String(), "-metrics-addr", "", "-progress", "0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const victim = "kafka-broker-2"
	time.Sleep(run / 4)
	if _, err := e.stack.Signal(victim, syscall.SIGKILL); err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	killedAt := time.Now()
	time.Sleep(run / 4)
	if _, err := e.stack.Start(ctx, victim); err != nil {
		cmd.Process.Kill()
		t.Fatalf("start %s again: %v", victim, err)
	}
	t.Logf("%s killed -9, back after %s, while the producer ran", victim, time.Since(killedAt).Round(time.Second))
	err = cmd.Wait()
	var sum struct {
		Records int64 `json:"records"`
		Errors  int64 `json:"errors"`
		Unsent  int64 `json:"unsent"`
	}
	if jerr := json.Unmarshal(bytes.TrimSpace(lastLine(stdout.Bytes())), &sum); jerr != nil {
		t.Fatalf("producer summary %q: %v\nstderr:\n%s", stdout.String(), jerr, stderr.String())
	}
	if err != nil {
		t.Errorf("producer exited with %v (summary %s); stderr:\n%s", err, stdout.String(), lastLines(stderr.String(), 10))
	}
	if sum.Errors != 0 || sum.Unsent != 0 {
		t.Errorf("producer: %d records failed and %d unsent with a broker down", sum.Errors, sum.Unsent)
	}

	ids, dups, n := countIDs(t, e.st.KafkaBootstrap(), adm, topic)
	t.Logf("acknowledged %d, in the topic %d records, %d distinct transaction ids, %d duplicates", sum.Records, n, ids, dups)
	fmt.Printf("NOTHING-LOST broker %s killed -9 at %s and back at %s of %s at %d rec/s: acknowledged %d, in topic %d, distinct %d, duplicates %d, lost %d, exit %v\n",
		victim, run/4, run/2, run, rate, sum.Records, n, ids, dups, max(0, sum.Records-int64(ids)), err)
	if dups != 0 {
		t.Errorf("%d duplicates in the topic: the idempotent producer must write each record once", dups)
	}
	if int64(ids) != sum.Records {
		t.Errorf("the producer counts %d acknowledged, the topic holds %d distinct transactions", sum.Records, ids)
	}
	if sum.Records < int64(float64(rate)*run.Seconds()*0.9) {
		t.Errorf("only %d records acknowledged in %s at %d/s: the producer stalled while a broker was down", sum.Records, run, rate)
	}
}

// countIDs reads the whole topic and counts distinct transaction ids and duplicates.
func countIDs(t *testing.T, bootstrap string, adm *kadm.Client, topic string) (distinct, dups int, total int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	c, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seen := make(map[string]int, want)
	for total < want {
		fs := c.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d of %d records of %s: %v", total, want, topic, err)
		}
		fs.EachError(func(tp string, p int32, err error) { t.Logf("fetch %s/%d: %v", tp, p, err) })
		fs.EachRecord(func(r *kgo.Record) {
			total++
			var tx struct {
				ID string `json:"transactionId"`
			}
			if err := json.Unmarshal(r.Value, &tx); err != nil || tx.ID == "" {
				t.Fatalf("record at %s/%d@%d has no transaction id: %v", r.Topic, r.Partition, r.Offset, err)
			}
			seen[tx.ID]++
		})
	}
	for _, n := range seen {
		if n > 1 {
			dups += n - 1
		}
	}
	return len(seen), dups, total
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
