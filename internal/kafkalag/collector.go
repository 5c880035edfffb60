package kafkalag

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Descs are the series' descriptors, built by the caller from their declarations (names in
// kafka_exporter's where it has one), with the labels in the order shown.
type Descs struct {
	Lag        *prometheus.Desc // consumergroup, topic, partition
	LagSum     *prometheus.Desc // consumergroup, topic
	Committed  *prometheus.Desc // consumergroup, topic, partition
	Members    *prometheus.Desc // consumergroup
	End        *prometheus.Desc // topic, partition
	LagSeconds *prometheus.Desc // consumergroup
	State      *prometheus.Desc // consumergroup, state
	Up         *prometheus.Desc
	Duration   *prometheus.Desc
}

func (d *Descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{d.Lag, d.LagSum, d.Committed, d.Members, d.End, d.LagSeconds, d.State, d.Up, d.Duration}
}

// Collector reads a snapshot at each scrape: the figures are as fresh as the scrape, and
// an exporter nobody scrapes costs Kafka nothing.
type Collector struct {
	d       Descs
	r       *Reader
	timeout time.Duration
	log     *slog.Logger
	mu      sync.Mutex // one reading at a time, however many scrape
}

// NewCollector collects through r, giving each reading timeout.
func NewCollector(d Descs, r *Reader, timeout time.Duration, log *slog.Logger) *Collector {
	return &Collector{d: d, r: r, timeout: timeout, log: log}
}

func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.d.all() {
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
	ch <- prometheus.MustNewConstMetric(c.d.Duration, prometheus.GaugeValue, took.Seconds())
	if err != nil {
		c.log.Error("collect", "err", err, "took", took)
		ch <- prometheus.MustNewConstMetric(c.d.Up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.d.Up, prometheus.GaugeValue, 1)
	if len(snap.Errors) > 0 {
		c.log.Warn("collect: parts left out", "count", len(snap.Errors), "first", snap.Errors[0])
	}
	c.d.Emit(snap, ch)
}

// Emit writes a snapshot's series.
func (d *Descs) Emit(snap Snapshot, ch chan<- prometheus.Metric) {
	g := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	for _, grp := range snap.Groups {
		g(d.Members, float64(grp.Members), grp.Name)
		g(d.LagSeconds, grp.LagSeconds, grp.Name)
		if grp.State != "" {
			g(d.State, 1, grp.Name, grp.State)
		}
		sums := map[string]int64{}
		var topics []string
		for _, p := range grp.Partitions {
			part := strconv.Itoa(int(p.Partition))
			g(d.Lag, float64(p.Lag), grp.Name, p.Topic, part)
			g(d.Committed, float64(p.Committed), grp.Name, p.Topic, part)
			if _, ok := sums[p.Topic]; !ok {
				topics = append(topics, p.Topic)
			}
			sums[p.Topic] += p.Lag
		}
		for _, t := range topics {
			g(d.LagSum, float64(sums[t]), grp.Name, t)
		}
	}
	for topic, ps := range snap.Ends {
		for p, end := range ps {
			g(d.End, float64(end), topic, strconv.Itoa(int(p)))
		}
	}
}
