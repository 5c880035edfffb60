package transaction

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/hamba/avro/v2"
)

// The Avro encoding: the transaction schema, declared once here, and the registry's wire
// format (Confluent framing): magic byte 0, the schema id as 4 bytes big-endian, then the
// Avro binary encoding of the record.
//
// The schema reads, in Spark (from_avro), as exactly SparkSchema: the enums read as
// strings, the decimal as DECIMAL(18,2), the time as BIGINT epoch milliseconds. The enums
// and the binary amount are why a record is ~95 bytes here and ~250 as JSON.

// Subject is the registry subject of the transaction schema (TopicNameStrategy: the topic
// name and "-value").
const Subject = "financial_transactions-value"

// AvroSchema is the transaction schema in Avro's JSON form.
const AvroSchema = `{"type":"record","name":"Transaction","namespace":"finobs","doc":"One payment event (pipeline/transaction).","fields":[` +
	`{"name":"transactionId","type":{"type":"string","logicalType":"uuid"}},` +
	`{"name":"userId","type":"string","doc":"U and 7 digits"},` +
	`{"name":"merchantId","type":"string","doc":"M and 5 digits"},` +
	`{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},` +
	`{"name":"currency","type":"string","doc":"ISO 4217"},` +
	`{"name":"transactionType","type":{"type":"enum","name":"TransactionType","symbols":["purchase","refund","withdrawal","transfer"]}},` +
	`{"name":"paymentMethod","type":{"type":"enum","name":"PaymentMethod","symbols":["credit_card","debit_card","digital_wallet","bank_transfer"]}},` +
	`{"name":"location","type":"string","doc":"ISO 3166-1 alpha-2"},` +
	`{"name":"isInternational","type":"boolean"},` +
	`{"name":"transactionTime","type":"long","doc":"event time, epoch milliseconds UTC"}]}`

// ParsedAvroSchema is AvroSchema parsed by hamba/avro (it panics at start-up if the
// constant is not a valid schema: a programming error the package tests catch).
var ParsedAvroSchema = avro.MustParse(AvroSchema)

// WireHeader is the size of the framing before the Avro body.
const WireHeader = 5

// The enum symbols are Types and PaymentMethods, in that order: the index is the encoding.
// A switch, not a loop over the lists: the compiler dispatches on length, then compares
// once (a loop cost a tenth of the encoder). TestEnumIndexes keeps them in step.
func typeIndex(t Type) int {
	switch t {
	case Purchase:
		return 0
	case Refund:
		return 1
	case Withdrawal:
		return 2
	case Transfer:
		return 3
	}
	return -1
}

func methodIndex(m PaymentMethod) int {
	switch m {
	case CreditCard:
		return 0
	case DebitCard:
		return 1
	case DigitalWallet:
		return 2
	case BankTransfer:
		return 3
	}
	return -1
}

// AppendAvro appends the wire form of t (framing with schemaID, then the Avro body) to b.
// It does not allocate when b has room. It fails on a transactionType or paymentMethod
// the schema's enums do not hold, naming the field.
func (t *Transaction) AppendAvro(b []byte, schemaID uint32) ([]byte, error) {
	ti, mi := typeIndex(t.TransactionType), methodIndex(t.PaymentMethod)
	if ti < 0 {
		return b, fmt.Errorf("transaction: transactionType %q is not a symbol of the Avro enum", t.TransactionType)
	}
	if mi < 0 {
		return b, fmt.Errorf("transaction: paymentMethod %q is not a symbol of the Avro enum", t.PaymentMethod)
	}
	if t.UserID > MaxUserID || t.MerchantID > MaxMerchantID {
		return b, fmt.Errorf("transaction: userId %d or merchantId %d out of range", uint32(t.UserID), uint32(t.MerchantID))
	}
	// At most: 5 framing, 37 id, 9 user, 7 merchant, 10 amount, 2 enums, 1 bool, 10 time,
	// and the two free strings with their lengths.
	need := 5 + 37 + 9 + 7 + 10 + 2 + 1 + 10 + 2*binary.MaxVarintLen64 + len(t.Currency) + len(t.Location)
	n := len(b)
	b = slices.Grow(b, need)
	p := b[n : n+need]
	p[0] = 0
	binary.BigEndian.PutUint32(p[1:5], schemaID)
	i := 5
	p[i] = 36 << 1 // zigzag length of the 36-character UUID
	putUUID(p[i+1:i+37], &t.TransactionID)
	i += 37
	p[i], p[i+1] = 8<<1, 'U'
	putDigits(p[i+2:i+9], uint64(t.UserID))
	i += 9
	p[i], p[i+1] = 6<<1, 'M'
	putDigits(p[i+2:i+7], uint64(t.MerchantID))
	i += 7
	i += putDecimal(p[i:], int64(t.Amount))
	i += putString(p[i:], t.Currency)
	p[i], p[i+1] = byte(ti<<1), byte(mi<<1)
	i += 2
	i += putString(p[i:], t.Location)
	if t.IsInternational {
		p[i] = 1
	} else {
		p[i] = 0
	}
	i++
	i += binary.PutVarint(p[i:], t.TransactionTime) // Avro's long is a zigzag varint, as Go's
	return b[:n+i], nil
}

// putString writes an Avro string (zigzag varint length, bytes).
func putString(p []byte, s string) int {
	i := binary.PutVarint(p, int64(len(s)))
	return i + copy(p[i:], s)
}

// putDecimal writes an Avro decimal on bytes: the unscaled value (cents) in the fewest
// bytes of big-endian two's complement, after its zigzag varint length.
func putDecimal(p []byte, v int64) int {
	n := 1
	for n < 8 && (v < -(1<<(8*n-1)) || v >= 1<<(8*n-1)) {
		n++
	}
	p[0] = byte(n << 1)
	for j := n; j >= 1; j-- {
		p[j] = byte(v)
		v >>= 8
	}
	return n + 1
}
