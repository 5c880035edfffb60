package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// lossCheck rides on a broker killed -9: a producer of its own writes at a steady rate
// (acks=all, idempotent, retrying for ever) to a topic with 3 replicas and
// min.insync.replicas 2, from before the kill until records have flowed a while with the
// broker back. Every record the producer generated (handed to its client) must be acknowledged
// and in the topic exactly once, counted by transaction id, and the producer must exit 0 with
// nothing failed.
type lossCheck struct {
	bin, topic     string
	cl             *kgo.Client
	adm            *kadm.Client
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	started        time.Time
	killedAt       time.Time
}

const (
	lossRate = 2000
	// lossFlow is how long records flow before the kill, and after the broker is back.
	lossFlow = 15 * time.Second
)

// withNothingLost makes a broker kill carry the loss check.
func withNothingLost(f faultCase, victim string) faultCase {
	l := &lossCheck{}
	f.setup, f.recovered = l.setup, l.recovered
	f.ready = func(ctx context.Context, e *env) error {
		if err := inSync(ctx, e); err != nil {
			return err
		}
		if err := l.start(e); err != nil {
			return err
		}
		time.Sleep(lossFlow)
		return nil
	}
	f.inject = func(ctx context.Context, e *env) (func(context.Context) error, error) {
		l.killedAt = time.Now()
		return kill(victim)(ctx, e)
	}
	return f
}

// setup builds the producer before the clock starts; the teardown stops it if a failure left
// it running and deletes its topic.
func (l *lossCheck) setup(ctx context.Context, e *env) (func(context.Context) error, error) {
	l.bin = filepath.Join(e.stack.P.State, "faults", "produce")
	if err := os.MkdirAll(filepath.Dir(l.bin), 0o755); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", l.bin, "github.com/finobs/finobs/cmd/produce").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/produce: %v\n%s", err, out)
	}
	l.topic = fmt.Sprintf("finobs_lost_%d", time.Now().UnixNano())
	var err error
	if l.cl, err = kgo.NewClient(kgo.SeedBrokers(strings.Split(e.st.KafkaBootstrap(), ",")...)); err != nil {
		return nil, err
	}
	l.adm = kadm.NewClient(l.cl)
	return func(ctx context.Context) error {
		if l.cmd != nil && l.cmd.ProcessState == nil {
			l.cmd.Process.Kill()
			l.cmd.Wait()
		}
		_, err := l.adm.DeleteTopics(ctx, l.topic)
		l.cl.Close()
		return err
	}, nil
}

func (l *lossCheck) start(e *env) error {
	l.cmd = exec.Command(l.bin, "-brokers", e.st.KafkaBootstrap(), "-topic", l.topic, "-create-topic",
		"-partitions", "6", "-replication-factor", "3", "-min-insync-replicas", "2",
		"-acks", "all", "-idempotent", "-delivery-timeout", "0", "-format", "json",
		"-rate", fmt.Sprint(lossRate), "-duration", "30m", "-metrics-addr", "", "-progress", "0")
	l.cmd.Stdout, l.cmd.Stderr = &l.stdout, &l.stderr
	l.started = time.Now()
	return l.cmd.Start()
}

// recovered lets records flow with the broker back, stops the producer as an operator would
// (SIGTERM: it flushes what it buffered) and counts the topic.
func (l *lossCheck) recovered(ctx context.Context, e *env, tu time.Time) error {
	time.Sleep(time.Until(tu.Add(lossFlow)))
	l.cmd.Process.Signal(syscall.SIGTERM)
	werr := l.cmd.Wait()
	ran := time.Since(l.started)
	var sum struct {
		Generated int64 `json:"generated"`
		Records   int64 `json:"records"`
		Errors    int64 `json:"errors"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(lastLine(l.stdout.Bytes())), &sum); err != nil {
		return fmt.Errorf("producer summary %q: %v\nstderr:\n%s", l.stdout.String(), err, lastLines(l.stderr.String(), 10))
	}
	ids, dups, n, err := countIDs(ctx, e.st.KafkaBootstrap(), l.adm, l.topic)
	if err != nil {
		return err
	}
	lost := max(0, sum.Generated-int64(ids))
	e.report(fmt.Sprintf("%-36s %-58s %-10s generated %d, acknowledged %d, in the topic %d, distinct %d, duplicates %d, lost %d; producer exit %v",
		"broker killed (-9)", fmt.Sprintf("nothing lost (%d rec/s, %.0fs, killed at %.0fs)", lossRate, ran.Seconds(), l.killedAt.Sub(l.started).Seconds()),
		"-", sum.Generated, sum.Records, n, ids, dups, lost, werr))
	var errs []error
	if werr != nil {
		errs = append(errs, fmt.Errorf("the producer exited with %v (summary %s); stderr:\n%s", werr, l.stdout.String(), lastLines(l.stderr.String(), 10)))
	}
	if sum.Errors != 0 {
		errs = append(errs, fmt.Errorf("the producer: %d records failed with a broker down", sum.Errors))
	}
	if sum.Generated != sum.Records {
		errs = append(errs, fmt.Errorf("the producer generated %d records and %d were acknowledged: a stop flushes every one", sum.Generated, sum.Records))
	}
	if dups != 0 {
		errs = append(errs, fmt.Errorf("%d duplicates in the topic: the idempotent producer must write each record once", dups))
	}
	if int64(ids) != sum.Records {
		errs = append(errs, fmt.Errorf("the producer counts %d acknowledged, the topic holds %d distinct transactions", sum.Records, ids))
	}
	if want := int64(lossRate * ran.Seconds() * 0.9); sum.Records < want {
		errs = append(errs, fmt.Errorf("only %d records acknowledged in %s at %d/s (want %d): the producer stalled while a broker was down", sum.Records, ran.Round(time.Second), lossRate, want))
	}
	return errors.Join(errs...)
}

// countIDs reads the whole topic and counts distinct transaction ids and duplicates.
func countIDs(ctx context.Context, bootstrap string, adm *kadm.Client, topic string) (distinct, dups int, total int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, 0, 0, err
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	c, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.Close()
	seen := make(map[string]int, want)
	var bad error
	for total < want && bad == nil {
		fs := c.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return 0, 0, total, fmt.Errorf("read %d of %d records of %s: %w", total, want, topic, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			total++
			var tx struct {
				ID string `json:"transactionId"`
			}
			if err := json.Unmarshal(r.Value, &tx); err != nil || tx.ID == "" {
				bad = fmt.Errorf("record at %s/%d@%d has no transaction id: %v", r.Topic, r.Partition, r.Offset, err)
				return
			}
			seen[tx.ID]++
		})
	}
	if bad != nil {
		return 0, 0, total, bad
	}
	for _, n := range seen {
		if n > 1 {
			dups += n - 1
		}
	}
	return len(seen), dups, total, nil
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
