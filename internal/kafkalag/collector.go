package kafkalag

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The series, in kafka_exporter's names where it has one (dashboards built on it keep
// working), ours where it has none.
var (
	lagDesc = prometheus.NewDesc("kafka_consumergroup_lag",
		"Records between the group's committed offset and the partition's end offset.", []string{"consumergroup", "topic", "partition"}, nil)
	lagSumDesc = prometheus.NewDesc("kafka_consumergroup_lag_sum",
		"Records between the group's committed offsets and the end offsets, summed over the topic's partitions.", []string{"consumergroup", "topic"}, nil)
	committedDesc = prometheus.NewDesc("kafka_consumergroup_current_offset",
		"The group's committed offset.", []string{"consumergroup", "topic", "partition"}, nil)
	membersDesc = prometheus.NewDesc("kafka_consumergroup_members",
		"Members of the group.", []string{"consumergroup"}, nil)
	endDesc = prometheus.NewDesc("kafka_topic_partition_current_offset",
		"The partition's end offset (high watermark), for partitions a group commits to.", []string{"topic", "partition"}, nil)
	lagSecondsDesc = prometheus.NewDesc("finobs_consumergroup_lag_seconds",
		"Age of the oldest record the group has not consumed (now minus its Kafka timestamp), over its partitions; 0 without lag.", []string{"consumergroup"}, nil)
	stateDesc = prometheus.NewDesc("finobs_consumergroup_state",
		"1 for the group's state.", []string{"consumergroup", "state"}, nil)
	upDesc = prometheus.NewDesc("finobs_lag_exporter_up",
		"1 when the last collection reached Kafka, else 0.", nil, nil)
	durationDesc = prometheus.NewDesc("finobs_lag_exporter_collect_duration_seconds",
		"How long the last collection took.", nil, nil)
)

// Collector reads a snapshot at each scrape: the figures are as fresh as the scrape, and
// an exporter nobody scrapes costs Kafka nothing.
type Collector struct {
	r       *Reader
	timeout time.Duration
	log     *slog.Logger
	mu      sync.Mutex // one reading at a time, however many scrape
}

// NewCollector collects through r, giving each reading timeout.
func NewCollector(r *Reader, timeout time.Duration, log *slog.Logger) *Collector {
	return &Collector{r: r, timeout: timeout, log: log}
}

func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{lagDesc, lagSumDesc, committedDesc, membersDesc, endDesc, lagSecondsDesc, stateDesc, upDesc, durationDesc} {
		ch <- d
	}
}

func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	snap, err := c.r.Read(ctx)
	took := time.Since(start)
	ch <- prometheus.MustNewConstMetric(durationDesc, prometheus.GaugeValue, took.Seconds())
	if err != nil {
		c.log.Error("collect", "err", err, "took", took)
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	if len(snap.Errors) > 0 {
		c.log.Warn("collect: parts left out", "count", len(snap.Errors), "first", snap.Errors[0])
	}
	Emit(snap, ch)
}

// Emit writes a snapshot's series.
func Emit(snap Snapshot, ch chan<- prometheus.Metric) {
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, grp := range snap.Groups {
		g(membersDesc, float64(grp.Members), grp.Name)
		g(lagSecondsDesc, grp.LagSeconds, grp.Name)
		if grp.State != "" {
			g(stateDesc, 1, grp.Name, grp.State)
		}
		sums := map[string]int64{}
		var topics []string
		for _, p := range grp.Partitions {
			part := strconv.Itoa(int(p.Partition))
			g(lagDesc, float64(p.Lag), grp.Name, p.Topic, part)
			g(committedDesc, float64(p.Committed), grp.Name, p.Topic, part)
			if _, ok := sums[p.Topic]; !ok {
				topics = append(topics, p.Topic)
			}
			sums[p.Topic] += p.Lag
		}
		for _, t := range topics {
			g(lagSumDesc, float64(sums[t]), grp.Name, t)
		}
	}
	for topic, ps := range snap.Ends {
		for p, end := range ps {
			g(endDesc, float64(end), topic, strconv.Itoa(int(p)))
		}
	}
}
