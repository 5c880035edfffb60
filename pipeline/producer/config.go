// Package producer writes generated transactions to Kafka with franz-go, at a target rate
// or as fast as the broker takes them, and accounts for every record: each one the
// generator makes is either acknowledged, failed (counted and logged), or still buffered
// when a flush times out (reported). Nothing is dropped silently.
package producer

import (
	"github.com/finobs/finobs/topics"

	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/pipeline/generator"
)

// Key says what becomes the record key; it decides partitioning and per-key order.
type Key string

const (
	KeyMerchant    Key = "merchant"    // merchantId: per-merchant order, what the stream job groups by
	KeyUser        Key = "user"        // userId
	KeyTransaction Key = "transaction" // transactionId: uniform spread, no useful order
	KeyNone        Key = "none"        // no key: sticky partitioning, biggest batches
)

// Keys lists the valid key choices.
var Keys = []Key{KeyMerchant, KeyUser, KeyTransaction, KeyNone}

// Format is the encoding of record values.
type Format string

const (
	// FormatAvro is the schema registry's wire format: magic byte 0, the 4-byte schema id
	// the registry gave transaction.AvroSchema, the Avro body (~77 bytes a record).
	FormatAvro Format = "avro"
	// FormatJSON is transaction's JSON encoding (~261 bytes), kept for comparison.
	FormatJSON Format = "json"
)

// Compressions lists the codec names Config.Compression accepts.
var Compressions = []string{"none", "lz4", "zstd", "snappy", "gzip"}

// Config is everything a run needs. Defaults (see Defaults) suit the local stack.
type Config struct {
	Brokers []string
	Topic   string

	Rate     float64       // records per second; 0 is unlimited
	Duration time.Duration // stop after this long; 0 is no limit
	Count    int64         // stop after this many records; 0 is no limit

	// Topic creation and checks. When the topic exists, its partitions, replication factor
	// and min.insync.replicas must match these or the run fails before producing. Zero is
	// "as declared" (topics/, for the cluster's broker count; see TopicSpec).
	CreateTopic       bool
	Partitions        int32
	ReplicationFactor int16
	MinInsyncReplicas int

	Acks          string // "all", "1" or "0"
	Idempotent    bool   // requires Acks "all"
	Compression   string // one of Compressions
	Linger        time.Duration
	BatchMaxBytes int32
	MaxBuffered   int // records buffered before Produce blocks
	Key           Key

	ConnectTimeout  time.Duration // bound on reaching the brokers at start
	DeliveryTimeout time.Duration // a record not acknowledged by then fails (0: never)
	FlushTimeout    time.Duration // bound on the final flush
	Progress        time.Duration // progress log interval; 0 is none
	LatencySample   int           // observe latency of 1 record in this many; 1 is every record

	ClientID  string
	Generator generator.Config

	Format Format
	// Registry is the base URL of the schema registry's Confluent-compatible API (Avro
	// only). At start the producer registers its schema under the topic's subject
	// (<topic>-value) and refuses to start when the registry finds it incompatible.
	Registry string
}

// Subject is the registry subject of the topic's values (the topic name strategy).
func (c *Config) Subject() string { return c.Topic + "-value" }

// Defaults returns the configuration used when a flag is not given.
func Defaults() Config {
	return Config{
		Brokers:     []string{"127.0.0.1:9092"},
		Topic:       topics.Transactions,
		CreateTopic: true,
		// As topics/ declares the topic for the cluster it connects to.
		Partitions:        0,
		ReplicationFactor: 0,
		MinInsyncReplicas: 0,
		Acks:              "all",
		Idempotent:        true,
		// snappy: the least CPU per record for client and broker together on the local
		// stack (see cmd/bench producer); lz4 is close, zstd compresses best.
		Compression:     "snappy",
		Linger:          5 * time.Millisecond,
		BatchMaxBytes:   1 << 20,
		MaxBuffered:     30_000,
		Key:             KeyMerchant,
		ConnectTimeout:  10 * time.Second,
		DeliveryTimeout: 0, // retry with backpressure: a record is acknowledged, or the producer holds
		FlushTimeout:    60 * time.Second,
		Progress:        5 * time.Second,
		LatencySample:   64,
		ClientID:        "finobs-producer",
		Format:          FormatAvro,
		Registry:        localRegistry(),
	}
}

// Validate reports every setting that cannot work, before anything connects.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(c.Brokers) == 0 {
		bad("no brokers")
	}
	if c.Topic == "" {
		bad("empty topic")
	}
	if c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) {
		bad("rate %v: want records per second >= 0 (0 is unlimited)", c.Rate)
	}
	if c.Duration < 0 {
		bad("duration %v is negative", c.Duration)
	}
	if c.Count < 0 {
		bad("count %d is negative", c.Count)
	}
	if c.Partitions < 0 {
		bad("partitions %d: want at least 1 (0: as declared)", c.Partitions)
	}
	if c.ReplicationFactor < 0 {
		bad("replication factor %d: want at least 1 (0: as declared)", c.ReplicationFactor)
	}
	if c.MinInsyncReplicas < 0 || (c.ReplicationFactor > 0 && c.MinInsyncReplicas > int(c.ReplicationFactor)) {
		bad("min.insync.replicas %d: want 1..replication factor (%d) (0: as declared)", c.MinInsyncReplicas, c.ReplicationFactor)
	}
	if _, err := acks(c.Acks); err != nil {
		errs = append(errs, err)
	}
	if c.Idempotent && c.Acks != "all" {
		bad("idempotence needs acks=all (got acks=%s); disable idempotence or use acks=all", c.Acks)
	}
	if _, err := codec(c.Compression); err != nil {
		errs = append(errs, err)
	}
	if c.Linger < 0 {
		bad("linger %v is negative", c.Linger)
	}
	if c.BatchMaxBytes < 1024 {
		bad("batch size %d bytes: want at least 1024", c.BatchMaxBytes)
	}
	if c.MaxBuffered < 1 {
		bad("max buffered records %d: want at least 1", c.MaxBuffered)
	}
	if !validKey(c.Key) {
		bad("key %q: want one of %v", c.Key, Keys)
	}
	if c.ConnectTimeout <= 0 || c.FlushTimeout <= 0 {
		bad("connect and flush timeouts must be positive")
	}
	if c.DeliveryTimeout < 0 {
		bad("delivery timeout %v is negative", c.DeliveryTimeout)
	}
	switch c.Format {
	case FormatAvro:
		if c.Registry == "" {
			bad("format avro needs a schema registry URL (or use format json)")
		}
	case FormatJSON:
	default:
		bad("format %q: want avro or json", c.Format)
	}
	if c.LatencySample < 1 {
		bad("latency sample %d: want 1 or more", c.LatencySample)
	}
	return errors.Join(errs...)
}

func validKey(k Key) bool {
	for _, v := range Keys {
		if v == k {
			return true
		}
	}
	return false
}

func acks(s string) (kgo.Acks, error) {
	switch s {
	case "all", "-1":
		return kgo.AllISRAcks(), nil
	case "1":
		return kgo.LeaderAck(), nil
	case "0":
		return kgo.NoAck(), nil
	}
	return kgo.Acks{}, fmt.Errorf("acks %q: want all, 1 or 0", s)
}

func codec(s string) (kgo.CompressionCodec, error) {
	switch strings.ToLower(s) {
	case "none", "":
		return kgo.NoCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("compression %q: want one of %s", s, strings.Join(Compressions, ", "))
}

// clientOpts translates the configuration into franz-go options.
func (c *Config) clientOpts() ([]kgo.Opt, error) {
	a, err := acks(c.Acks)
	if err != nil {
		return nil, err
	}
	cc, err := codec(c.Compression)
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.DefaultProduceTopic(c.Topic),
		kgo.RequiredAcks(a),
		kgo.ProducerLinger(c.Linger),
		kgo.ProducerBatchMaxBytes(c.BatchMaxBytes),
		// Batches compressed together as a request is cut, up to BatchMaxBytes compressed (as
		// Java's batch.size). Not with snappy, which has its own compressor (see xerialSnappy).
		kgo.StreamingCompression(),
		// The producer applies MaxBuffered itself (see Producer.waitSpace); the client's
		// limit sits just above it, as the client counts a record down only after its promise.
		kgo.MaxBufferedRecords(c.MaxBuffered + 64),
		kgo.DialTimeout(c.ConnectTimeout),
		// Fail fast on a missing topic rather than retrying forever.
		kgo.UnknownTopicRetries(4),
	}
	if c.Compression == "snappy" {
		opts = append(opts, kgo.WithCompressor(xerialSnappy{}))
	} else {
		opts = append(opts, kgo.ProducerBatchCompression(cc))
	}
	if !c.Idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	if c.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(c.DeliveryTimeout))
	}
	return opts, nil
}
