// Package sizing plans the storage and partitions of the pipeline from typed inputs: how
// many records a second each topic takes, how large they are, how well they compress, how
// many replicas and brokers keep them and for how long, and the same for the log indices.
// Every input carries its source (declared, with why, or measured, with the PromQL and the
// Prometheus it ran on) and the plan prints it beside the number. The plan also gives the
// settings that depend on it: topic retention and segment size, the index lifecycle's
// delete age, and the window and horizon of the disk alerts.
package sizing

import (
	"fmt"
	"time"
)

// Source says where an input's value comes from.
type Source struct {
	Note  string // why this value: a document, a default, an assumption
	Query string // measured: the PromQL that gave it
	URL   string // measured: the Prometheus it ran on
}

// Measured is whether the value came from the running stack.
func (s Source) Measured() bool { return s.Query != "" }

func (s Source) String() string {
	if s.Measured() {
		out := "measured: " + s.Query + " at " + s.URL
		if s.Note != "" {
			out += " (" + s.Note + ")"
		}
		return out
	}
	return "declared: " + s.Note
}

// Input is one input of a plan and where it comes from.
type Input[T any] struct {
	V      T
	Source Source
}

// Declared is an input given by hand; note says why this value (required: an input whose
// reason nobody wrote down cannot be checked).
func Declared[T any](v T, note string) Input[T] { return Input[T]{V: v, Source: Source{Note: note}} }

// Measured is an input read from Prometheus.
func Measured[T any](v T, query, url, note string) Input[T] {
	return Input[T]{V: v, Source: Source{Query: query, URL: url, Note: note}}
}

// Rate is records (or log events) per second.
type Rate float64

// PerSecond is n records a second.
func PerSecond(n float64) Rate { return Rate(n) }

// PerHour is n records an hour.
func PerHour(n float64) Rate { return Rate(n / 3600) }

// Hourly is the rate in records an hour.
func (r Rate) Hourly() float64 { return float64(r) * 3600 }

// Scenario is one sizing question: a load on a cluster, with every input named.
type Scenario struct {
	Name        string
	Description string

	Topics []Topic

	Replication Input[int]     // replicas of every partition (replication.factor)
	Brokers     Input[int]     // brokers sharing the replicas evenly
	Disk        Input[Bytes]   // log directory size of each broker
	Headroom    Input[float64] // share of each broker's disk the plan keeps free (0.4: data fills at most 60%)
	Growth      Input[float64] // yearly growth of every rate (0.2: 20% a year)
	// PartitionThroughput is the compressed bytes a second one partition takes (the broker's
	// bytes-in): it sets the partition count.
	PartitionThroughput Input[Bytes]
	// ReactionTime is how long before a disk is full someone must know: the disk alert's
	// horizon, unless the retention is shorter (a fill cannot outlast the retention).
	ReactionTime Input[time.Duration]

	Logs          []LogIndex
	ESNodes       Input[int]   // Elasticsearch data nodes sharing the indices
	ESReplicas    Input[int]   // replicas of each index shard (0 on one node)
	ESDisk        Input[Bytes] // data path size of each Elasticsearch node; 0: not checked
	ESMaxShard    Input[Bytes] // largest primary shard a daily index may have
	ESShards      Input[int]   // primary shards of each daily index (the index templates' number_of_shards)
	ESHeadroom    Input[float64]
	BrokerSegment Input[Bytes] // largest segment a topic may roll (Kafka's default 1 GiB); 0: 1 GiB

	// Claims are figures a document gives for this scenario, printed beside the plan's own.
	Claims []Claim

	measuredLogs map[string]measuredIndex // by index, from Measure
}

// Claim is one figure a document states, what the plan gives for it, and why they differ.
type Claim struct {
	What    string
	Claimed string
	Planned func(Plan) Bytes
	Why     string
}

type measuredIndex struct {
	rate       Input[Rate]
	eventBytes Input[Bytes]
}

// Topic is one Kafka topic's load and retention.
type Topic struct {
	Name        string
	Rate        Input[Rate]          // records a second
	RecordBytes Input[Bytes]         // uncompressed bytes of one record as the producer batches it
	Compression Input[float64]       // uncompressed / compressed bytes (5: a fifth is stored)
	Retention   Input[time.Duration] // retention.ms: how long records are kept
	// RetentionBytes caps each partition (retention.bytes); 0: the plan sets the cap to the
	// partition's share of the usable disk, so a rate spike cannot fill the disk.
	RetentionBytes Input[Bytes]
	// Partitions is the count the topic is created with; 0: what the throughput needs.
	// Fewer than it needs is an error.
	Partitions Input[int]
}

// LogIndex is one log index group (daily indices) with the pipelines writing it.
type LogIndex struct {
	Index     string               // "finobs-logs-kafka", as pipelines/ declares it
	Retention Input[time.Duration] // every document is kept at least this long
	Pipelines []LogVolume
}

// LogVolume is what one log pipeline writes.
type LogVolume struct {
	Pipeline   string      // as pipelines/ names it
	Rate       Input[Rate] // events a second
	EventBytes Input[Bytes]
}

// Error is a bad input: the scenario, the input's name and what is wrong.
type Error struct {
	Scenario string
	Input    string
	Problem  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("capacity: scenario %q: %s: %s", e.Scenario, e.Input, e.Problem)
}
