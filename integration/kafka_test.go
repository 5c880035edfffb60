package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/jmx"
	"github.com/finobs/finobs/pkg/stack"
)

// TestKafkaProduceFetch writes records with acks=all to a fresh topic and reads them back.
func TestKafkaProduceFetch(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seeds := []string{}
	for _, b := range st.Instances {
		if b.Port("broker") != 0 {
			seeds = append(seeds, b.Addr("broker"))
		}
	}
	topic := fmt.Sprintf("finobs-it-%d", time.Now().UnixNano())
	admCl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admCl.Close) // after the topic's deletion below: cleanups run last first
	adm := kadm.NewClient(admCl)
	rf := int16(min(3, st.Brokers()))
	if _, err := adm.CreateTopic(ctx, 3, rf, nil, topic); err != nil {
		t.Fatalf("create topic %s (rf %d) on %v: %v", topic, rf, seeds, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		adm.DeleteTopics(ctx, topic)
	})

	prod, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	const n = 200
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Key: []byte(fmt.Sprint(i % 7)), Value: []byte(fmt.Sprintf("txn-%04d", i))}
	}
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce %d records to %s: %v", n, topic, err)
	}

	cons, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	seen := map[string]bool{}
	for len(seen) < n {
		fs := cons.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("fetched %d of %d records from %s: %v", len(seen), n, topic, err)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Errorf("fetch %s/%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Value)] = true })
	}
	for i := 0; i < n; i++ {
		if v := fmt.Sprintf("txn-%04d", i); !seen[v] {
			t.Errorf("record %s was produced but not fetched", v)
		}
	}
	checkJMXExports(t, st)
}

// checkJMXExports: after traffic, the JMX agent of every Kafka process exports every
// catalog metric of its role. The generated config reads named beans only, so a rule
// whose bean is not in its include list would silently export nothing.
func checkJMXExports(t *testing.T, st stack.Stack) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range jmx.Roles {
		for _, in := range st.Of(role) {
			url := "http://" + in.Addr(stack.PortMetrics) + "/metrics"
			names, err := metricNames(url)
			if err != nil {
				t.Fatalf("%s: %v", in.Name, err)
			}
			for _, m := range cat.ExportedBy(role) {
				if m.JMX != nil && !names[m.Name] {
					t.Errorf("%s (%s) does not export %s (rule %s)", in.Name, url, m.Name, m.JMX.Pattern)
				}
			}
		}
	}
}

// metricNames are the metric families an exposition endpoint serves.
func metricNames(url string) (map[string]bool, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	names := map[string]bool{}
	for name, f := range families {
		names[name] = len(f.GetMetric()) > 0
	}
	return names, nil
}
