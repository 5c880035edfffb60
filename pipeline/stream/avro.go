package stream

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/spark-connect-go/spark/sql"
	"github.com/apache/spark-connect-go/spark/sql/functions"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pipeline/transaction"
)

// Avro input: values in the schema registry's wire format (magic byte 0, 4-byte schema id,
// Avro body), decoded with from_avro (spark-avro on the Connect server's classpath) with
// transaction.AvroSchema. The job decodes one schema id, the one the registry gave that
// schema (Config.SchemaID): a record of another id was written with a schema the job does
// not hold, and goes to the dead-letter topic, as does a body from_avro cannot decode.

// rawAvroSQL is a dead letter's record: its first DeadLetterExcerpt bytes as base64. Spark's
// base64 breaks lines every 76 characters (MIME): they are taken out again, by a regex written
// with escapes: a literal CR LF in the expression would reach the Connect server's log raw,
// inside its plan dumps, and break that log's events apart.
var rawAvroSQL = fmt.Sprintf(`regexp_replace(base64(substring(bin, 1, %d)), '[\\r\\n]', '')`, DeadLetterExcerpt)

// wireHeaderSQL is the framing a record of schema id must start with, as a binary literal.
func wireHeaderSQL(id uint32) string { return fmt.Sprintf("X'00%08X'", id) }

// ParseAvro turns a DataFrame with the record bytes in `bin` into the transaction's fields as
// columns (NULL when the framing is not id's or the body does not decode), and
// amount_is_string (always false: Avro has no such mistake to make). As Parse, through a
// generator, so that each record is decoded once.
func ParseAvro(ctx context.Context, in sql.DataFrame, id uint32) (sql.DataFrame, error) {
	return in.SelectExpr(ctx, "*", "false AS amount_is_string",
		"inline(array(CASE WHEN substring(bin, 1, 5) = "+wireHeaderSQL(id)+" THEN from_avro(substring(bin, 6), "+
			sqlString(transaction.AvroSchema)+", map('mode', 'PERMISSIVE')) END))")
}

// ClassifyAvro is ParseAvro with the verdict in `reason`, NULL for a valid record.
func ClassifyAvro(ctx context.Context, parsed sql.DataFrame, id uint32) (sql.DataFrame, error) {
	return parsed.WithColumn(ctx, "reason", functions.Expr(reasonAvroSQL(id)))
}

// reasonAvroSQL says why a record is not valid: its framing, its schema id, its body, then
// the same field rules as JSON records (a decoded value may still break the contract:
// transactionTime in seconds).
func reasonAvroSQL(id uint32) string {
	var b strings.Builder
	b.WriteString("CASE WHEN " + ValidSQL() + " THEN NULL")
	b.WriteString(" WHEN bin IS NULL OR length(bin) = 0 THEN 'empty value'")
	b.WriteString(" WHEN length(bin) < 5 OR substring(bin, 1, 1) != X'00' THEN 'not the registry wire format: no magic byte 0 and 4-byte schema id'")
	fmt.Fprintf(&b, " WHEN substring(bin, 2, 4) != X'%08X' THEN concat('unknown schema id ', conv(hex(substring(bin, 2, 4)), 16, 10), ' (the job decodes schema id %d)')", id, id)
	fmt.Fprintf(&b, " WHEN transactionId IS NULL THEN 'undecodable Avro body for schema id %d'", id)
	for _, f := range fields() {
		if f.rule != "" {
			fmt.Fprintf(&b, " WHEN NOT (%s) THEN '%s: %s'", f.rule, f.name, strings.ReplaceAll(f.ruleReason, "'", "\\'"))
		}
	}
	b.WriteString(" ELSE 'invalid' END")
	return b.String()
}

// SchemaID asks the registry at url for the id of transaction.AvroSchema under subject:
// the one id the job decodes. It fails when the schema is not registered there (start the
// producer or the provisioner first).
func SchemaID(ctx context.Context, url, subject string) (uint32, error) {
	cl, err := schemas.NewClient(url)
	if err != nil {
		return 0, err
	}
	ss, err := cl.LookupSchema(ctx, subject, sr.Schema{Schema: transaction.AvroSchema, Type: sr.TypeAvro})
	if err != nil {
		return 0, fmt.Errorf("stream: the transaction schema under %s at %s: %w (the producer registers it when it starts)", subject, url, err)
	}
	return uint32(ss.ID), nil
}
