// Package topics names the Kafka topics of the data pipeline, once: the producer, the
// streaming job, the alerts and the dashboards all refer to these constants.
package topics

const (
	// Transactions is what the producer writes and the streaming job reads.
	Transactions = "financial_transactions"
	// Aggregates holds the per-merchant window totals the job writes.
	Aggregates = "merchant_aggregates"
	// Anomalies holds the transactions the job's screening flags.
	Anomalies = "transaction_anomalies"
	// DeadLetters holds the records the job cannot parse, with the reason.
	DeadLetters = "transactions_dead_letter"
)

// Outputs are the topics the streaming job writes results to.
var Outputs = []string{Aggregates, Anomalies}
