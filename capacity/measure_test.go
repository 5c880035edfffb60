package capacity

import (
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

func TestQueries(t *testing.T) {
	q := Queries{Window: 5 * time.Minute}
	for got, want := range map[string]string{
		q.RecordBytes("tx"):   `sum(rate(kgo_produce_bytes_total{topic="tx"}[5m])) / sum(rate(kgo_produce_records_total{topic="tx"}[5m]))`,
		q.Compression("tx"):   `sum(rate(kgo_produce_bytes_total{topic="tx"}[5m])) / sum(rate(kafka_server_bytes_in_total{topic="tx"}[5m]))`,
		q.LogRate("logs-a"):   `sum(rate(elasticsearch_index_stats_indexing_index_total{index=~"logs-a-.*"}[5m]))`,
		q.LogEventBytes("ix"): `sum(elasticsearch_indices_store_size_bytes_primary{index=~"ix-.*"}) / sum(elasticsearch_indices_docs_primary{index=~"ix-.*"})`,
	} {
		if got != want {
			t.Errorf("query\n%s\nwant\n%s", got, want)
		}
	}
	for _, e := range []string{q.RecordBytes("tx"), q.Compression("tx"), q.ProducerCompression("tx"), q.PartitionThroughput([]string{"tx", "ty"}), q.LogRate("ix"), q.LogEventBytes("ix")} {
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(e); err != nil {
			t.Errorf("%s: %v", e, err)
		}
	}
}
