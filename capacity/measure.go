package capacity

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/catalog"
)

// Queries are the PromQL the planner measures with (internal/sizing.Measure), for a
// topic, an index group and a window. Each is one number: a ratio of sums, so any number of brokers, producers and
// daily indices add up.
type Queries struct{ Window time.Duration }

func (q Queries) w() string { return model.Duration(q.Window).String() }

// RecordBytes: uncompressed bytes per record as the producer batches them (franz-go's own
// count, record framing included).
func (q Queries) RecordBytes(topic string) string {
	return fmt.Sprintf(`sum(rate(%s{topic=%q}[%s])) / sum(rate(%s{topic=%q}[%s]))`,
		catalog.KgoProduceBytes.Name, topic, q.w(), catalog.KgoProduceRecords.Name, topic, q.w())
}

// Compression: the producer's uncompressed bytes over the bytes the brokers take in for the
// topic (BytesInPerSec counts leaders only: replication is not in it).
func (q Queries) Compression(topic string) string {
	return fmt.Sprintf(`sum(rate(%s{topic=%q}[%s])) / sum(rate(%s{topic=%q}[%s]))`,
		catalog.KgoProduceBytes.Name, topic, q.w(), catalog.KafkaBytesIn.Name, topic, q.w())
}

// ProducerCompression: the producer's own uncompressed over compressed batch bytes, to
// compare with what the broker sees (the difference is the batch and request framing).
func (q Queries) ProducerCompression(topic string) string {
	return fmt.Sprintf(`sum(rate(%s{topic=%q}[%s])) / sum(rate(%s{topic=%q}[%s]))`,
		catalog.KgoProduceBytes.Name, topic, q.w(), catalog.KgoProduceCompressedBytes.Name, topic, q.w())
}

// PartitionThroughput: the highest bytes-in a second per partition of the topics, over the
// window (one-minute rates): what a partition took, a lower bound of what it can take.
func (q Queries) PartitionThroughput(topics []string) string {
	re := strings.Join(topics, "|")
	return fmt.Sprintf(`max_over_time((max by (topic) (sum by (topic) (rate(%s{topic=~%q}[1m])) / count by (topic) (count by (topic, partition) (%s{topic=~%q}))))[%s:])`,
		catalog.KafkaBytesIn.Name, re, catalog.KafkaLogSize.Name, re, q.w())
}

// LogRate: documents a second into an index group's daily indices.
func (q Queries) LogRate(index string) string {
	return fmt.Sprintf(`sum(rate(%s{index=~%q}[%s]))`, catalog.ESIndexIndexed.Name, index+"-.*", q.w())
}

// LogEventBytes: primary store bytes per document of an index group.
func (q Queries) LogEventBytes(index string) string {
	return fmt.Sprintf(`sum(%s{index=~%q}) / sum(%s{index=~%q})`,
		catalog.ESIndexStoreSize.Name, index+"-.*", catalog.ESIndexDocs.Name, index+"-.*")
}
