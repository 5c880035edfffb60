package sizing

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Queries are the PromQL the planner measures with, for a topic, an index group: each is
// one number, a ratio of sums, so any number of brokers, producers and daily indices add
// up. They name declared metrics, so they are declared beside the scenarios (package
// capacity's Queries).
type Queries interface {
	// RecordBytes: uncompressed bytes per record as the producer batches them.
	RecordBytes(topic string) string
	// Compression: the producer's uncompressed bytes over the bytes the brokers take in.
	Compression(topic string) string
	// ProducerCompression: the producer's own uncompressed over compressed batch bytes.
	ProducerCompression(topic string) string
	// PartitionThroughput: the highest bytes-in a second per partition of the topics.
	PartitionThroughput(topics []string) string
	// LogRate: documents a second into an index group's daily indices.
	LogRate(index string) string
	// LogEventBytes: primary store bytes per document of an index group.
	LogEventBytes(index string) string
}

// Measure replaces s's inputs by what the stack behind promURL measures, where it measures
// them: bytes per record and compression per topic, the per-partition throughput, and per
// log index group its event rate and stored bytes per event. An input the stack has no data
// for keeps its declared value; the returned notes say which and why. Only an unreachable
// Prometheus or a failing query is an error.
func Measure(ctx context.Context, s Scenario, promURL string, q Queries) (Scenario, []string, error) {
	client, err := api.NewClient(api.Config{Address: promURL})
	if err != nil {
		return s, nil, err
	}
	v1 := promv1.NewAPI(client)
	if _, err := v1.Buildinfo(ctx); err != nil {
		return s, nil, fmt.Errorf("capacity: prometheus at %s is unreachable: %w", promURL, err)
	}
	now := time.Now()
	var notes []string
	one := func(query string) (float64, bool, error) {
		v, _, _, err := v1.Query(ctx, query, now)
		if err != nil {
			return 0, false, fmt.Errorf("capacity: %s: %w", query, err)
		}
		vec, ok := v.(model.Vector)
		if !ok || len(vec) != 1 {
			return 0, false, nil
		}
		f := float64(vec[0].Value)
		return f, !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0, nil
	}
	skip := func(input, query string) {
		notes = append(notes, fmt.Sprintf("%s stays declared: no data for %s", input, query))
	}

	s.Topics = append([]Topic(nil), s.Topics...)
	measured := map[string]measuredIndex{} // the caller's scenario keeps its own
	for k, v := range s.measuredLogs {
		measured[k] = v
	}
	s.measuredLogs = measured
	var names []string
	for i := range s.Topics {
		t := &s.Topics[i]
		names = append(names, t.Name)
		rq := q.RecordBytes(t.Name)
		v, ok, err := one(rq)
		if err != nil {
			return s, notes, err
		}
		if ok {
			t.RecordBytes = Measured(Bytes(v), rq, promURL, "uncompressed, with Kafka's record framing")
		} else {
			skip(t.Name+" bytes per record", rq)
		}
		cq := q.Compression(t.Name)
		v, ok, err = one(cq)
		if err != nil {
			return s, notes, err
		}
		if ok && v < 1 {
			notes = append(notes, fmt.Sprintf("%s compression stays declared: measured %.3g (below 1: batch framing outweighs the codec at this load)", t.Name, v))
			ok = false
		} else if !ok {
			skip(t.Name+" compression ratio", cq)
		}
		if ok {
			note := "producer's uncompressed bytes over the broker's bytes in"
			if pv, pok, err := one(q.ProducerCompression(t.Name)); err == nil && pok {
				note += fmt.Sprintf("; the producer's own batches compress %.3gx", pv)
			}
			t.Compression = Measured(v, cq, promURL, note)
		}
	}
	pq := q.PartitionThroughput(names)
	v, ok, err := one(pq)
	if err != nil {
		return s, notes, err
	}
	switch {
	case ok && Bytes(v) >= s.PartitionThroughput.V:
		s.PartitionThroughput = Measured(Bytes(v), pq, promURL, "the peak this run reached: a partition takes at least this, more than was declared")
	case ok:
		// A load below the declared figure says nothing about a partition's limit.
		notes = append(notes, fmt.Sprintf("per-partition throughput stays declared (%s/s): the peak measured, %s/s by %s, is only a lower bound of what a partition takes",
			s.PartitionThroughput.V.SI(), Bytes(v).SI(), pq))
	default:
		skip("per-partition throughput", pq)
	}

	for _, ix := range s.Logs {
		rq, bq := q.LogRate(ix.Index), q.LogEventBytes(ix.Index)
		rate, rok, err := one(rq)
		if err != nil {
			return s, notes, err
		}
		size, bok, err := one(bq)
		if err != nil {
			return s, notes, err
		}
		if !rok || !bok {
			skip("log index "+ix.Index+" volume", rq+" and "+bq)
			continue
		}
		s.measuredLogs[ix.Index] = measuredIndex{
			rate:       Measured(Rate(rate), rq, promURL, "the index group's total, its pipelines together"),
			eventBytes: Measured(Bytes(size), bq, promURL, "primary store bytes per document"),
		}
	}
	return s, notes, nil
}
