package sizing

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

const (
	Hour = time.Hour
	Day  = 24 * time.Hour
	Year = 365 * Day
)

// GrowthYears are the years the plan projects the load to.
var GrowthYears = []int{1, 2, 5}

// Flow is bytes a second at each stage: as produced, as stored once, as stored with every replica.
type Flow struct {
	Raw, Compressed, Replicated Bytes
}

// Over is the bytes the flow moves in d.
func (f Flow) Over(d time.Duration) Flow {
	s := Bytes(d.Seconds())
	return Flow{f.Raw * s, f.Compressed * s, f.Replicated * s}
}

func (f Flow) add(o Flow) Flow {
	return Flow{f.Raw + o.Raw, f.Compressed + o.Compressed, f.Replicated + o.Replicated}
}

func (f Flow) times(k float64) Flow {
	b := Bytes(k)
	return Flow{f.Raw * b, f.Compressed * b, f.Replicated * b}
}

// TopicPlan is the plan of one topic.
type TopicPlan struct {
	Topic Topic
	Flow  Flow // a second
	// Partitions is what the throughput needs, rounded up to a multiple of the brokers so
	// leaders spread evenly; PartitionsIn5y the same at the fifth year's rate.
	Partitions, PartitionsIn5y int
	// Count is the partitions the topic has: declared, or Partitions.
	Count int
	// PartitionBytes is one replica of one partition for the retention: its share of the
	// compressed flow over the retention plus one segment (Kafka deletes whole segments, the
	// active one never).
	PartitionBytes Bytes
	SegmentBytes   Bytes // segment.bytes
	RetentionBytes Bytes // retention.bytes, per partition
	SegmentRoll    time.Duration
	// Effective is how long records stay: the retention, or less when retention.bytes is
	// declared and fills first.
	Effective time.Duration
	// Retained is every replica of every partition over the retention.
	Retained Bytes
}

// YearPlan is the load after some years of growth.
type YearPlan struct {
	Years     int
	Factor    float64
	Flow      Flow  // a second
	PerBroker Bytes // on disk per broker for the retention, before headroom
	Needed    Bytes // per broker with the headroom kept free
	Fits      bool  // Needed <= the declared disk
}

// IndexPlan is the plan of one log index group.
type IndexPlan struct {
	Index LogIndex
	// Rate and EventBytes are the index's totals: the sum of its pipelines, or measured.
	Rate       Input[Rate]
	EventBytes Input[Bytes]
	Daily      Bytes         // primary bytes a day
	DeleteAge  time.Duration // the ILM delete phase's min_age: retention plus the day a daily index spans
	Indices    int           // daily indices alive at once
	OnDisk     Bytes         // every copy of every live daily index
	ShardBytes Bytes         // a daily index's primary shard
}

// DiskAlert is the window and horizon of the disk fill prediction (predict_linear).
type DiskAlert struct {
	Window, Horizon time.Duration
	Why             string
}

// Plan is a scenario's outputs.
type Plan struct {
	Scenario  Scenario
	Topics    []TopicPlan
	Flow      Flow // every topic, a second
	PerBroker Bytes
	Needed    Bytes // per broker with headroom
	Growth    []YearPlan
	Logs      []IndexPlan
	ESOnDisk  Bytes // every index, every copy
	ESPerNode Bytes
	ESNeeded  Bytes // per node with headroom
	DiskAlert DiskAlert
}

// After is the growth plan after years (one of GrowthYears); the zero YearPlan otherwise.
func (p Plan) After(years int) YearPlan {
	for _, y := range p.Growth {
		if y.Years == years {
			return y
		}
	}
	return YearPlan{}
}

// Make plans s, or says which input is wrong. Every input is checked before any is used.
func Make(s Scenario) (Plan, error) {
	if err := Validate(s); err != nil {
		return Plan{}, err
	}
	p := Plan{Scenario: s}
	brokers := s.Brokers.V
	rf := float64(s.Replication.V)
	for _, t := range s.Topics {
		raw := Bytes(t.Rate.V) * t.RecordBytes.V
		f := Flow{Raw: raw, Compressed: raw / Bytes(t.Compression.V)}
		f.Replicated = f.Compressed * Bytes(rf)
		tp := TopicPlan{Topic: t, Flow: f}
		tp.Partitions = partitions(f.Compressed, s.PartitionThroughput.V, brokers)
		tp.PartitionsIn5y = partitions(f.Compressed*Bytes(math.Pow(1+s.Growth.V, 5)), s.PartitionThroughput.V, brokers)
		tp.Count = tp.Partitions
		if n := t.Partitions.V; n > 0 {
			if n < tp.Partitions {
				return Plan{}, &Error{s.Name, "Topics[" + t.Name + "].Partitions", fmt.Sprintf("%d partitions, the throughput needs %d at %s/s a partition", n, tp.Partitions, s.PartitionThroughput.V.SI())}
			}
			tp.Count = n
		}
		perPartition := f.Compressed / Bytes(tp.Count) // a second
		kept := perPartition * Bytes(t.Retention.V.Seconds())
		tp.Effective = t.Retention.V
		if limit := t.RetentionBytes.V; limit > 0 && limit < kept {
			// retention.bytes binds first: records go before their time is up.
			kept = limit
			tp.Effective = time.Duration(float64(limit/perPartition) * float64(time.Second)).Truncate(time.Minute)
		}
		tp.SegmentBytes = segment(kept, s.maxSegment())
		tp.PartitionBytes = kept + tp.SegmentBytes
		if perPartition > 0 {
			tp.SegmentRoll = time.Duration(float64(tp.SegmentBytes/perPartition) * float64(time.Second))
		}
		tp.Retained = tp.PartitionBytes * Bytes(tp.Count) * Bytes(rf)
		p.Topics = append(p.Topics, tp)
		p.Flow = p.Flow.add(f)
		p.PerBroker += tp.Retained / Bytes(brokers)
	}
	headroom := 1 - s.Headroom.V
	p.Needed = p.PerBroker / Bytes(headroom)
	if p.Needed > s.Disk.V {
		return Plan{}, &Error{s.Name, "Disk", fmt.Sprintf("the retention needs %s on each broker with %.0f%% kept free (%s of data), the brokers have %s: lower a retention, add brokers or disk",
			p.Needed.SI(), s.Headroom.V*100, p.PerBroker.SI(), s.Disk.V.SI())}
	}
	// Each partition's size cap is its share of the usable disk: above the plan, below full.
	usable := s.Disk.V * Bytes(headroom)
	for i := range p.Topics {
		tp := &p.Topics[i]
		if tp.Topic.RetentionBytes.V > 0 {
			tp.RetentionBytes = tp.Topic.RetentionBytes.V
			continue
		}
		tp.RetentionBytes = Bytes(math.Floor(float64(tp.PartitionBytes * usable / p.PerBroker)))
	}
	for _, y := range GrowthYears {
		k := math.Pow(1+s.Growth.V, float64(y))
		yp := YearPlan{Years: y, Factor: k, Flow: p.Flow.times(k), PerBroker: p.PerBroker * Bytes(k)}
		yp.Needed = yp.PerBroker / Bytes(headroom)
		yp.Fits = yp.Needed <= s.Disk.V
		p.Growth = append(p.Growth, yp)
	}
	if err := p.planLogs(); err != nil {
		return Plan{}, err
	}
	p.DiskAlert = diskAlert(s, p.Topics)
	return p, nil
}

func (p *Plan) planLogs() error {
	s := p.Scenario
	copies := Bytes(1 + s.ESReplicas.V)
	for _, ix := range s.Logs {
		ip := IndexPlan{Index: ix}
		var rate Rate
		var bytes Bytes // a second
		for _, v := range ix.Pipelines {
			rate += v.Rate.V
			bytes += Bytes(v.Rate.V) * v.EventBytes.V
		}
		ip.Rate = Declared(rate, "sum of the index's pipelines")
		ip.EventBytes = Declared(Bytes(0), "the pipelines' mean, weighted by their rates")
		if rate > 0 {
			ip.EventBytes.V = bytes / Bytes(rate)
		}
		if m, ok := s.measuredLogs[ix.Index]; ok {
			ip.Rate, ip.EventBytes = m.rate, m.eventBytes
		}
		ip.Daily = Bytes(ip.Rate.V) * ip.EventBytes.V * Bytes(Day.Seconds())
		ip.DeleteAge = ix.Retention.V + Day
		ip.Indices = int(ix.Retention.V/Day) + 1
		ip.OnDisk = ip.Daily * Bytes(ip.Indices) * copies
		ip.ShardBytes = ip.Daily / Bytes(s.ESShards.V)
		if ip.ShardBytes > s.ESMaxShard.V {
			return &Error{s.Name, "Logs[" + ix.Index + "]", fmt.Sprintf("a daily index holds %s in each of its %d primary shards, above ESMaxShard %s: raise ESShards",
				ip.ShardBytes.SI(), s.ESShards.V, s.ESMaxShard.V.SI())}
		}
		p.Logs = append(p.Logs, ip)
		p.ESOnDisk += ip.OnDisk
	}
	p.ESPerNode = p.ESOnDisk / Bytes(s.ESNodes.V)
	p.ESNeeded = p.ESPerNode / Bytes(1-s.ESHeadroom.V)
	if s.ESDisk.V > 0 && p.ESNeeded > s.ESDisk.V {
		return &Error{s.Name, "ESDisk", fmt.Sprintf("the log retentions need %s on each Elasticsearch node with %.0f%% kept free, the nodes have %s: lower a log retention or add disk",
			p.ESNeeded.SI(), s.ESHeadroom.V*100, s.ESDisk.V.SI())}
	}
	return nil
}

func (s Scenario) maxSegment() Bytes {
	if s.BrokerSegment.V > 0 {
		return s.BrokerSegment.V
	}
	return GiB
}

// partitions is the partition count a compressed flow needs at perPartition a second,
// rounded up to a multiple of the brokers (at least one each).
func partitions(flow, perPartition Bytes, brokers int) int {
	n := int(math.Ceil(float64(flow / perPartition)))
	if n < 1 {
		n = 1
	}
	return (n + brokers - 1) / brokers * brokers
}

// segment is the segment size of a partition that keeps kept bytes: a twentieth of them, so
// whole-segment deletion keeps at most 5% more than the retention asks, in whole MiB between
// 1 MiB (Kafka's minimum) and max.
func segment(kept, largest Bytes) Bytes {
	s := Bytes(math.Ceil(float64(kept/20/MiB))) * MiB
	return min(max(s, MiB), largest)
}

// fmtDuration prints whole days as days (7d), else Go's form (6h0m0s as 6h).
func fmtDuration(d time.Duration) string {
	if d >= Day && d%Day == 0 {
		return fmt.Sprintf("%dd", d/Day)
	}
	out := strings.TrimSuffix(d.String(), "m0s")
	if out != d.String() {
		out += "m"
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// diskAlert: the horizon is the reaction time, but never beyond the shortest retention: a
// disk fills linearly only until retention starts deleting as much as is written, so a
// prediction past it warns of a fill that never comes. The window is a quarter of the
// horizon: long enough to hold several segment deletions (a sawtooth, not a trend), short
// enough to see a new fill rate within hours.
func diskAlert(s Scenario, topics []TopicPlan) DiskAlert {
	h := s.ReactionTime.V
	why := fmt.Sprintf("horizon: the reaction time %s", fmtDuration(h))
	for _, t := range topics {
		if r := t.Effective; r < h {
			h = r
			why = fmt.Sprintf("horizon: the retention of %s (%s), shorter than the reaction time %s", t.Topic.Name, fmtDuration(r), fmtDuration(s.ReactionTime.V))
		}
	}
	w := (h / 4).Truncate(time.Minute)
	return DiskAlert{Window: w, Horizon: h, Why: why + "; window: a quarter of the horizon"}
}

// Validate checks every input of s, naming each one that is wrong.
func Validate(s Scenario) error {
	var errs []error
	bad := func(input, format string, args ...any) {
		errs = append(errs, &Error{s.Name, input, fmt.Sprintf(format, args...)})
	}
	if s.Name == "" {
		bad("Name", "a scenario needs a name")
	}
	if len(s.Topics) == 0 {
		bad("Topics", "no topic: nothing to plan")
	}
	positiveInt := func(name string, in Input[int]) {
		if in.V <= 0 {
			bad(name, "%d: must be at least 1", in.V)
		}
	}
	positiveInt("Replication", s.Replication)
	positiveInt("Brokers", s.Brokers)
	if s.Replication.V > s.Brokers.V && s.Brokers.V > 0 {
		bad("Replication", "%d replicas on %d brokers: each replica needs its own broker", s.Replication.V, s.Brokers.V)
	}
	if s.Disk.V <= 0 {
		bad("Disk", "%s: every broker needs a disk size to check the retention against", s.Disk.V.SI())
	}
	share := func(name string, in Input[float64]) {
		if in.V < 0 || in.V >= 1 {
			bad(name, "%g: a share of the disk, from 0 to below 1", in.V)
		}
	}
	share("Headroom", s.Headroom)
	share("ESHeadroom", s.ESHeadroom)
	if s.Growth.V <= -1 {
		bad("Growth", "%g: a yearly growth of -100%% or less leaves nothing", s.Growth.V)
	}
	if s.PartitionThroughput.V <= 0 {
		bad("PartitionThroughput", "%s a second: must be positive", s.PartitionThroughput.V.SI())
	}
	if s.ReactionTime.V <= 0 {
		bad("ReactionTime", "%s: must be positive", s.ReactionTime.V)
	}
	seen := map[string]bool{}
	for _, t := range s.Topics {
		in := func(field string) string { return "Topics[" + t.Name + "]." + field }
		if t.Name == "" || seen[t.Name] {
			bad("Topics", "topic name %q empty or repeated", t.Name)
		}
		seen[t.Name] = true
		if !(t.Rate.V > 0) {
			bad(in("Rate"), "%g records a second: must be positive", float64(t.Rate.V))
		}
		if !(t.RecordBytes.V > 0) {
			bad(in("RecordBytes"), "%g: must be positive", float64(t.RecordBytes.V))
		}
		if !(t.Compression.V >= 1) {
			bad(in("Compression"), "%g: a compression ratio is uncompressed over compressed bytes, at least 1", t.Compression.V)
		}
		if t.Retention.V <= 0 {
			bad(in("Retention"), "%s: must be positive", t.Retention.V)
		}
		if t.Partitions.V < 0 {
			bad(in("Partitions"), "%d: must not be negative (0: what the throughput needs)", t.Partitions.V)
		}
		if t.RetentionBytes.V < 0 {
			bad(in("RetentionBytes"), "%s: must not be negative (0: set by the plan)", t.RetentionBytes.V.SI())
		}
	}
	if len(s.Logs) > 0 {
		positiveInt("ESNodes", s.ESNodes)
		positiveInt("ESShards", s.ESShards)
		if s.ESReplicas.V < 0 {
			bad("ESReplicas", "%d: must not be negative", s.ESReplicas.V)
		}
		if s.ESReplicas.V >= s.ESNodes.V && s.ESNodes.V > 0 {
			bad("ESReplicas", "%d replicas on %d nodes: a replica never shares a node with its primary", s.ESReplicas.V, s.ESNodes.V)
		}
		if s.ESMaxShard.V <= 0 {
			bad("ESMaxShard", "must be positive")
		}
		if s.ESDisk.V < 0 {
			bad("ESDisk", "must not be negative (0: not checked)")
		}
	}
	indices := map[string]bool{}
	for _, ix := range s.Logs {
		if ix.Index == "" || indices[ix.Index] {
			bad("Logs", "index name %q empty or repeated", ix.Index)
		}
		indices[ix.Index] = true
		if ix.Retention.V < Day || ix.Retention.V%Day != 0 {
			bad("Logs["+ix.Index+"].Retention", "%s: daily indices are kept whole days, at least one", ix.Retention.V)
		}
		for _, v := range ix.Pipelines {
			in := func(field string) string { return "Logs[" + ix.Index + "]." + v.Pipeline + "." + field }
			if !(v.Rate.V > 0) {
				bad(in("Rate"), "%g events a second: must be positive", float64(v.Rate.V))
			}
			if !(v.EventBytes.V > 0) {
				bad(in("EventBytes"), "%g: must be positive", float64(v.EventBytes.V))
			}
		}
	}
	return errors.Join(errs...)
}
