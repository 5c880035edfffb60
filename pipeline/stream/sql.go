package stream

import (
	"fmt"
	"strings"
	"time"

	"github.com/finobs/finobs/pipeline/transaction"
)

// The job's SQL, kept in one place: the schema and the anomaly rule come from the transaction
// model, the validation mirrors transaction.Validate so that Spark and Go agree on what a
// valid record is.

// Bounds of transactionTime (epoch ms): [2000-01-01, 2100-01-01), as in transaction.Validate.
const (
	minTransactionTime = 946684800000
	maxTransactionTime = 4102444800000
)

// field is one JSON field of a transaction: its name, the Spark type it is read as and the
// extra rule a present value must satisfy ("" when the type is the whole contract).
type field struct {
	name, typ, rule, ruleReason string
}

func fields() []field {
	quoted := func(vs []string) string {
		q := make([]string, len(vs))
		for i, v := range vs {
			q[i] = "'" + v + "'"
		}
		return strings.Join(q, ", ")
	}
	var types, methods []string
	for _, t := range transaction.Types {
		types = append(types, string(t))
	}
	for _, m := range transaction.PaymentMethods {
		methods = append(methods, string(m))
	}
	return []field{
		{"transactionId", "string", `transactionId RLIKE '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`, "not a UUID"},
		{"userId", "string", `userId RLIKE '^U[0-9]{7}$'`, `not "U" and 7 digits`},
		{"merchantId", "string", `merchantId RLIKE '^M[0-9]{5}$'`, `not "M" and 5 digits`},
		// from_json reads a JSON string holding a number as a decimal; the contract (and Go) wants a
		// JSON number: amount_is_string (see amountIsStringSQL) is computed before parsing.
		{"amount", "decimal(18,2)", "amount >= 0 AND NOT amount_is_string", "negative or a string"},
		{"currency", "string", `currency RLIKE '^[A-Z]{3}$'`, "not an ISO 4217 code"},
		{"transactionType", "string", "transactionType IN (" + quoted(types) + ")", "unknown"},
		{"paymentMethod", "string", "paymentMethod IN (" + quoted(methods) + ")", "unknown"},
		{"location", "string", `location RLIKE '^[A-Z]{2}$'`, "not an ISO 3166-1 alpha-2 code"},
		{"isInternational", "boolean", "", ""},
		{"transactionTime", "bigint", fmt.Sprintf("transactionTime >= %d AND transactionTime < %d", int64(minTransactionTime), int64(maxTransactionTime)),
			"not epoch milliseconds in [2000, 2100)"},
	}
}

// amountIsStringSQL tells, from the record text, whether amount came as a JSON string: the
// first non-space character after "amount": is a quote. One search that stops at the key
// (a fixed-width prefix of the record) instead of scanning every record whole for each
// spelling, which cost 5% of the job's CPU.
const amountIsStringSQL = `(instr(raw, '"amount":') > 0 AND startswith(ltrim(substr(raw, instr(raw, '"amount":') + 9, 4)), '"'))`

// ValidSQL holds for a record that is valid: every field present and within the contract.
func ValidSQL() string {
	fs := fields()
	var ok []string
	for _, f := range fs {
		ok = append(ok, f.name+" IS NOT NULL")
	}
	for _, f := range fs {
		if f.rule != "" {
			ok = append(ok, f.rule)
		}
	}
	return strings.Join(ok, " AND ")
}

// reasonSQL is NULL for a valid record and otherwise says why it is not. The common case (all
// fields present and valid) is the first branch, so valid records never pay for the diagnosis;
// the JSON is only re-read (json_object_keys, get_json_object) for bad ones. It expects the
// parsed fields as top-level columns and the text of the value as `raw`.
func reasonSQL() string {
	fs := fields()
	var b strings.Builder
	b.WriteString("CASE WHEN " + ValidSQL() + " THEN NULL")
	b.WriteString(" WHEN raw IS NULL THEN 'empty value'")
	b.WriteString(" WHEN json_object_keys(raw) IS NULL THEN 'malformed JSON: not a JSON object'")
	for _, f := range fs {
		fmt.Fprintf(&b, " WHEN %s IS NULL THEN IF(get_json_object(raw, '$.%s') IS NULL, '%s: missing or null', '%s: not a %s')",
			f.name, f.name, f.name, f.name, f.typ)
	}
	for _, f := range fs {
		if f.rule != "" {
			fmt.Fprintf(&b, " WHEN NOT (%s) THEN '%s: %s'", f.rule, f.name, strings.ReplaceAll(f.ruleReason, "'", "\\'"))
		}
	}
	b.WriteString(" ELSE 'invalid' END")
	return b.String()
}

// transactionJSON re-encodes the parsed fields (anomalies carry the transaction as read).
func transactionJSON(extra ...string) string {
	var parts []string
	for _, f := range fields() {
		parts = append(parts, "'"+f.name+"', "+f.name)
	}
	parts = append(parts, extra...)
	return "to_json(named_struct(" + strings.Join(parts, ", ") + "))"
}

// sqlString quotes s as a Spark SQL string literal.
func sqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// interval renders a duration as a Spark interval string.
func interval(d interface{ Milliseconds() int64 }) string {
	return fmt.Sprintf("%d milliseconds", d.Milliseconds())
}

// eventSkewSQL is a record's event time minus its Kafka timestamp, in milliseconds: positive
// when the event claims to be later than the broker wrote it.
const eventSkewSQL = "(transactionTime - unix_millis(kafka_timestamp))"

// eventTimeReasonSQL is NULL for an event time within the tolerances of the record's Kafka
// timestamp, and otherwise the reason it is quarantined (the record itself gives its event
// time; finobs_stream_event_time_skew_seconds the size of the skew).
func eventTimeReasonSQL(ahead, behind time.Duration) string {
	if ahead <= 0 && behind <= 0 {
		return "CAST(NULL AS STRING)"
	}
	var b strings.Builder
	b.WriteString("CASE")
	if ahead > 0 {
		fmt.Fprintf(&b, " WHEN %s > %d THEN %s", eventSkewSQL, ahead.Milliseconds(), sqlString(QuarantineAhead(ahead)))
	}
	if behind > 0 {
		fmt.Fprintf(&b, " WHEN %s < %d THEN %s", eventSkewSQL, -behind.Milliseconds(), sqlString(QuarantineBehind(behind)))
	}
	b.WriteString(" END")
	return b.String()
}

// QuarantineAhead and QuarantineBehind are the dead-letter reasons of a record whose event
// time is out of tolerance.
func QuarantineAhead(d time.Duration) string {
	return fmt.Sprintf("quarantined: transactionTime more than %s ahead of the broker clock", d)
}

func QuarantineBehind(d time.Duration) string {
	return fmt.Sprintf("quarantined: transactionTime more than %s behind the broker clock", d)
}
