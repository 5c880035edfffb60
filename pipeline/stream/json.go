package stream

import (
	"context"

	"github.com/apache/spark-connect-go/spark/sql"
	"github.com/apache/spark-connect-go/spark/sql/functions"

	"github.com/finobs/finobs/pipeline/transaction"
)

// Parse turns a DataFrame with the record text in `raw` into the transaction's fields as
// columns and amount_is_string; ValidSQL and Classify judge them. Other columns pass through.
//
// The fields come out of a generator (inline of a one-element array) rather than a projection
// of from_json(raw).field: the optimizer pushes filters through projections and prunes every
// from_json(raw).field to its own from_json, which parsed each record once per field reference
// (5x slower in the job). A filter is not pushed below a generator's output, so each record
// is parsed exactly once.
func Parse(ctx context.Context, in sql.DataFrame) (sql.DataFrame, error) {
	return in.SelectExpr(ctx, "*", "("+amountIsStringSQL+") AS amount_is_string",
		"inline(array(from_json(raw, "+sqlString(transaction.SparkSchema)+")))")
}

// Classify is Parse with the verdict: `reason` is NULL for a valid record, else why not.
func Classify(ctx context.Context, parsed sql.DataFrame) (sql.DataFrame, error) {
	return parsed.WithColumn(ctx, "reason", functions.Expr(reasonSQL()))
}
