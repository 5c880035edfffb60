package stream

import "fmt"

// A dead letter must fit the dead-letter topic whatever the record it sets aside: the input
// topic takes records up to the broker's limit (1 MB by default), and a dead letter that
// carried the whole record (as escaped JSON text, or as base64: a third larger) would be
// refused with RecordTooLargeException, fail its batch for good and stop the query on that
// one record. So a dead letter carries an excerpt of the record, its size and its SHA-256
// (to find it in the input topic, with the partition and offset beside them), and a key cut
// the same way.
const (
	// DeadLetterExcerpt is how many bytes of the record a dead letter keeps: its whole text
	// below that. As JSON text it takes at most 6 bytes a byte (a control character escaped
	// as \u0000), as base64 4 bytes per 3: either way far below 1 MB.
	DeadLetterExcerpt = 64 << 10
	// deadLetterKeyMax is the longest key a dead letter keeps as it came; a longer one is
	// replaced by "sha256:" and its digest.
	deadLetterKeyMax = 1 << 10
)

// rawTextSQL is a JSON dead letter's record: its first DeadLetterExcerpt bytes as text.
var rawTextSQL = fmt.Sprintf("CAST(substring(bin, 1, %d) AS STRING)", DeadLetterExcerpt)

// deadLetterRecordSQL are the dead letter's fields that say what the record was, whole:
// rawBytes (its size), rawSha256 (the hex digest of its bytes) and truncated (raw is an
// excerpt).
var deadLetterRecordSQL = fmt.Sprintf("'rawBytes', octet_length(bin), 'rawSha256', sha2(bin, 256), 'truncated', octet_length(bin) > %d",
	DeadLetterExcerpt)

// deadLetterKeySQL is the key of the record a dead letter carries (its field key): the
// record's, or its digest when it is longer than deadLetterKeyMax bytes.
var deadLetterKeySQL = fmt.Sprintf("CASE WHEN kafka_key IS NULL OR octet_length(kafka_key) <= %d THEN kafka_key "+
	"ELSE concat('sha256:', sha2(CAST(kafka_key AS BINARY), 256)) END", deadLetterKeyMax)

// deadLetterSourceSQL is a dead letter's Kafka key: where its record is, "topic/partition/offset".
// Unique per record and the same when a replayed batch writes the dead letter again, so the
// compacted dead-letter topic keeps one per record.
func deadLetterSourceSQL(topic string) string {
	return "concat(" + sqlString(topic+"/") + ", CAST(kafka_partition AS STRING), '/', CAST(kafka_offset AS STRING))"
}
