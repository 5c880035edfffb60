package promql_test

import (
	"errors"
	"testing"
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/stack"
)

func TestRender(t *testing.T) {
	brokers := promql.Jobs(stack.BrokerRoles...)
	for _, c := range []struct {
		e           promql.Expr
		rule, panel string
	}{
		{
			promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn, brokers), 5*time.Minute), "topic"),
			`sum by (cluster, topic) (rate(kafka_server_messages_in_total{job=~"kafka-broker|kafka-combined"}[5m]))`,
			`sum by (cluster, topic) (rate(kafka_server_messages_in_total{cluster=~"$cluster",instance=~"$instance",job=~"$job"}[$__rate_interval]))`,
		},
		{
			promql.Sum(promql.Select(catalog.Up, brokers)),
			`sum by (cluster) (up{job=~"kafka-broker|kafka-combined"})`,
			`sum by (cluster) (up{cluster=~"$cluster",instance=~"$instance",job=~"$job",job=~"kafka-broker|kafka-combined"})`,
		},
		{
			// Every process exports jvm_* and process_*: the scope stays on panels although
			// the catalog lists only the Kafka roles as exporters.
			promql.Sum(promql.Rate(promql.Select(catalog.ProcessCPU, promql.Jobs(stack.KafkaRoles...)), 5*time.Minute), "instance"),
			`sum by (cluster, instance) (rate(process_cpu_seconds_total{job=~"kafka-broker|kafka-controller|kafka-combined"}[5m]))`,
			`sum by (cluster, instance) (rate(process_cpu_seconds_total{cluster=~"$cluster",instance=~"$instance",job=~"$job",job=~"kafka-broker|kafka-controller|kafka-combined"}[$__rate_interval]))`,
		},
		{
			promql.Max(promql.Select(catalog.KafkaBrokerMetadataLag, promql.Jobs(stack.BrokerRoles...)), "instance"),
			`max by (cluster, instance) (kafka_broker_metadata_last_applied_record_lag_seconds{job=~"kafka-broker|kafka-combined"})`,
			`max by (cluster, instance) (kafka_broker_metadata_last_applied_record_lag_seconds{cluster=~"$cluster",instance=~"$instance",job=~"$job"})`,
		},
		{
			promql.Time().Sub(promql.Select(catalog.StreamWatermark)).GT(promql.Num(600)).And(promql.Select(catalog.StreamWatermark).GT(promql.Num(0))),
			`time() - finobs_stream_watermark_timestamp_seconds > 600 and finobs_stream_watermark_timestamp_seconds > 0`,
			`time() - finobs_stream_watermark_timestamp_seconds{cluster=~"$cluster",instance=~"$instance",job=~"$job"} > 600 and finobs_stream_watermark_timestamp_seconds{cluster=~"$cluster",instance=~"$instance",job=~"$job"} > 0`,
		},
		{
			promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), 5*time.Minute), "instance").Div(
				promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), 5*time.Minute), "instance").Add(
					promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), 5*time.Minute), "instance"))).GT(promql.Num(0.01)),
			`sum by (cluster, instance) (rate(finobs_producer_errors_total[5m])) / (sum by (cluster, instance) (rate(finobs_producer_records_total[5m])) + sum by (cluster, instance) (rate(finobs_producer_errors_total[5m]))) > 0.01`,
			"",
		},
		{
			promql.HistogramQuantile(0.99, promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), 5*time.Minute), "instance", "le")),
			`histogram_quantile(0.99, sum by (cluster, instance, le) (rate(finobs_producer_produce_latency_seconds_bucket[5m])))`,
			"",
		},
		{
			promql.Sum(promql.Increase(promql.Select(catalog.StreamInputRows), 5*time.Minute), "query").EQ(promql.Num(0)).And(
				promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn, promql.Eq("topic", "financial_transactions")), 5*time.Minute)).GT(promql.Num(0)), promql.On()),
			`sum by (cluster, query) (increase(finobs_stream_input_rows_total[5m])) == 0 and on (cluster) sum by (cluster) (rate(kafka_server_messages_in_total{topic="financial_transactions"}[5m])) > 0`,
			"",
		},
		{
			promql.Select(catalog.StreamStateRows).GT(promql.Num(2).Mul(promql.Offset(promql.Select(catalog.StreamStateRows), 30*time.Minute))),
			`finobs_stream_state_rows > 2 * finobs_stream_state_rows offset 30m`,
			"",
		},
		{
			promql.PredictLinear(promql.Select(catalog.NodeFilesystemAvail), 6*time.Hour, 24*time.Hour).LT(promql.Num(0)),
			`predict_linear(node_filesystem_avail_bytes[6h], 86400) < 0`,
			`predict_linear(node_filesystem_avail_bytes{cluster=~"$cluster",instance=~"$instance",job=~"$job"}[6h], 86400) < 0`,
		},
		{
			promql.Count(promql.Select(catalog.Up).EQ(promql.Num(0))).Or(promql.Vector(0)),
			`count by (cluster) (up == 0) or vector(0)`,
			"",
		},
		{
			promql.Group(promql.Select(catalog.ConsumerGroupMembers).GT(promql.Num(0)), "consumergroup").Mul(promql.Num(900)),
			`group by (cluster, consumergroup) (kafka_consumergroup_members > 0) * 900`,
			`group by (cluster, consumergroup) (kafka_consumergroup_members{cluster=~"$cluster",instance=~"$instance",job=~"$job"} > 0) * 900`,
		},
		{
			promql.Sum(promql.Changes(promql.Select(catalog.ConsumerGroupCommittedOffset), 10*time.Minute), "consumergroup").EQ(promql.Num(0)),
			`sum by (cluster, consumergroup) (changes(kafka_consumergroup_current_offset[10m])) == 0`,
			`sum by (cluster, consumergroup) (changes(kafka_consumergroup_current_offset{cluster=~"$cluster",instance=~"$instance",job=~"$job"}[10m])) == 0`,
		},
	} {
		if got, err := c.e.Render(promql.Rule); err != nil || got != c.rule {
			t.Errorf("rule form:\n got %s (%v)\nwant %s", got, err, c.rule)
		}
		if c.panel == "" {
			continue
		}
		if got, err := c.e.Render(promql.Panel); err != nil || got != c.panel {
			t.Errorf("panel form:\n got %s (%v)\nwant %s", got, err, c.panel)
		}
	}
}

// A grouping or matcher label that the catalog does not declare is an error naming it.
func TestUndeclaredLabels(t *testing.T) {
	for _, e := range []promql.Expr{
		promql.Sum(promql.Select(catalog.KafkaUnderReplicatedPartitions), "intance"),
		promql.Select(catalog.KafkaMessagesIn, promql.Eq("topik", "x")),
		promql.Sum(promql.Sum(promql.Select(catalog.KafkaMessagesIn), "topic"), "instance"),
		promql.HistogramQuantile(0.99, promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), time.Minute), "instance")),
		promql.Select(catalog.StreamQueryUp).And(promql.Select(catalog.ProducerBuffered), promql.On("query")),
	} {
		_, err := e.Render(promql.Rule)
		var le *promql.LabelError
		if !errors.As(err, &le) {
			t.Errorf("%v: got %v, want a LabelError", e, err)
			continue
		}
		t.Log(err)
	}
}

// Narrow adds a matcher to the selectors whose metric has the label, in both forms.
func TestNarrow(t *testing.T) {
	e := promql.Narrow(promql.Sum(promql.Select(catalog.StreamQueryUp)).Div(promql.Count(promql.Select(catalog.Up))), promql.Re("query", "$query"))
	if got, err := e.Render(promql.Panel); err != nil ||
		got != `sum by (cluster) (finobs_stream_query_up{cluster=~"$cluster",instance=~"$instance",job=~"$job",query=~"$query"}) / count by (cluster) (up{cluster=~"$cluster",instance=~"$instance",job=~"$job"})` {
		t.Errorf("panel form: got %s, %v", got, err)
	}
	if got, err := e.Render(promql.Rule); err != nil || got != `sum by (cluster) (finobs_stream_query_up{query=~"$query"}) / count by (cluster) (up)` {
		t.Errorf("rule form: got %s, %v", got, err)
	}
	if m := e.Metrics(); len(m) != 2 {
		t.Errorf("metrics of a narrowed expression: %v", m)
	}
	if _, err := promql.Narrow(promql.Select(catalog.Up), promql.Jobs(stack.Producer)).Render(promql.Panel); err == nil {
		t.Error("narrowing by a job scope: no error")
	}
}

// A recorded series is the rule's series in rules, the rule's expression on panels.
func TestRecordedPanelForm(t *testing.T) {
	p99 := promql.HistogramQuantile(0.99, promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), 5*time.Minute), "instance", "le"))
	e := promql.Recorded("instance:finobs_producer_produce_latency_seconds:p99", p99).GT(promql.Num(1))
	if got, err := e.Render(promql.Rule); err != nil || got != `instance:finobs_producer_produce_latency_seconds:p99 > 1` {
		t.Errorf("rule form: got %s, %v", got, err)
	}
	want := `histogram_quantile(0.99, sum by (cluster, instance, le) (rate(finobs_producer_produce_latency_seconds_bucket{cluster=~"$cluster",instance=~"$instance",job=~"$job"}[$__rate_interval]))) > 1`
	if got, err := e.Render(promql.Panel); err != nil || got != want {
		t.Errorf("panel form:\n got %s (%v)\nwant %s", got, err, want)
	}
}

// A deferred expression is what its function returns when rendered, not when declared.
func TestDeferred(t *testing.T) {
	level := 300.0
	e := promql.Deferred(func() promql.Expr { return promql.Select(catalog.ConsumerGroupLagSeconds).GT(promql.Num(level)) })
	level = 600
	if got, err := e.Render(promql.Rule); err != nil || got != `finobs_consumergroup_lag_seconds > 600` {
		t.Errorf("got %s (%v), want the level set after the declaration", got, err)
	}
	if m := e.Metrics(); len(m) != 1 || m[0] != catalog.ConsumerGroupLagSeconds {
		t.Errorf("metrics of a deferred expression: %v", m)
	}
	if _, err := promql.Deferred(func() promql.Expr { return promql.Expr{} }).Render(promql.Rule); err == nil {
		t.Error("an empty deferred expression renders")
	}
}

func TestLabels(t *testing.T) {
	got, err := promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn), time.Minute), "topic", "instance").Labels()
	if err != nil || len(got) != 3 || got[0] != "cluster" || got[1] != "instance" || got[2] != "topic" {
		t.Fatalf("got %v, %v", got, err)
	}
}

// Every aggregation and every on() keeps the cluster label, unless the expression adds the
// clusters together on purpose (AcrossClusters); the label's name is a setting.
func TestClusterKept(t *testing.T) {
	up := promql.Select(catalog.Up)
	for _, c := range []struct {
		e    promql.Expr
		want string
	}{
		{promql.Max(promql.Select(catalog.KafkaActiveBrokers)).LT(promql.Count(up)),
			`max by (cluster) (kafka_controller_active_brokers) < count by (cluster) (up)`},
		{promql.Sum(up, "cluster", "job"), `sum by (cluster, job) (up)`},
		{promql.SumWithout(up, "instance"), `sum without (instance) (up)`},
		{up.And(up, promql.On("job")), `up and on (cluster, job) up`},
		{up.And(up, promql.Ignoring("instance")), `up and ignoring (instance) up`},
		{promql.AcrossClusters(promql.Count(up).Or(up, promql.On())), `count(up) or on () up`},
	} {
		if got, err := c.e.Render(promql.Rule); err != nil || got != c.want {
			t.Errorf("got %s (%v), want %s", got, err, c.want)
		}
	}
	defer func(l string) { promql.ClusterLabel = l }(promql.ClusterLabel)
	promql.ClusterLabel = "k8s_cluster"
	if got, err := promql.Sum(up, "job").Render(promql.Rule); err != nil || got != `sum by (k8s_cluster, job) (up)` {
		t.Errorf("with another cluster label: got %s (%v)", got, err)
	}
}
