package lint

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

func testChecker(t *testing.T) Checker {
	t.Helper()
	exp := []stack.Component{stack.Producer}
	cat, err := metric.New(
		&metric.Metric{Name: "sent_total", Type: metric.Counter, Help: "h", Exporter: exp},
		&metric.Metric{Name: "buffered", Type: metric.Gauge, Help: "h", Exporter: exp},
		&metric.Metric{Name: "latency_seconds", Type: metric.Histogram, Help: "h", Exporter: exp},
	)
	if err != nil {
		t.Fatal(err)
	}
	return Checker{Catalog: cat, Recorded: map[string]bool{"job:sent:rate5m": true}}
}

func TestCheck(t *testing.T) {
	chk := testChecker(t)
	for _, tc := range []struct {
		expr string
		want string // substring of the only error; empty: no error
	}{
		{`rate(sent_total[5m]) > 10`, ""},
		{`histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket[$__rate_interval])))`, ""},
		{`job:sent:rate5m < 1`, ""},
		{`buffered > 100`, ""},
		{`increase(sent_total[1h]) == 0 and on() absent(sent_total)`, ""},
		{`count(sent_total) > 3`, ""},
		{`kafka_request_latency_ms > 100`, `"kafka_request_latency_ms" is not declared`},
		{`rate(buffered[5m]) > 0`, `rate() over "buffered", a gauge`},
		{`increase((buffered)[5m:1m])`, `increase() over "buffered"`},
		{`sent_total > 1000`, `counter "sent_total" compared raw`},
		{`sum(sent_total) / 2 > 5`, `counter "sent_total" compared raw`},
		{`max_over_time(sent_total{job="producer"}[15m]) > 0`, ""},
		{`(max_over_time(sent_total[15m])) > 0 and on() buffered > 1`, ""},
		{`max_over_time(sent_total[15m]) > 5`, `counter "sent_total" compared raw`},
		{`max_over_time(sent_total[15m]) >= 0`, `counter "sent_total" compared raw`},
		{`max_over_time(sent_total[15m]) > bool 0`, `counter "sent_total" compared raw`},
		{`0 < max_over_time(sent_total[15m])`, `counter "sent_total" compared raw`},
		{`sum(max_over_time(sent_total[15m])) > 0`, `counter "sent_total" compared raw`},
		{`max_over_time(sent_total[15m]) / 2 > 0`, `counter "sent_total" compared raw`},
		{`min_over_time(sent_total[15m]) > 0`, `counter "sent_total" compared raw`},
		{`{__name__=~"sent.*"}`, `does not name a metric exactly`},
		{`rate(sent_total[5m]) >`, `invalid PromQL`},
	} {
		errs := chk.Check(tc.expr)
		if tc.want == "" {
			if len(errs) != 0 {
				t.Errorf("%s: unexpected errors %v", tc.expr, errs)
			}
			continue
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%s: got %v, want one error containing %q", tc.expr, errs, tc.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	got := strings.Join(Metrics(`rate(sent_total[5m]) / on() group_left buffered + sent_total`), ",")
	if got != "buffered,sent_total" {
		t.Errorf("Metrics = %s", got)
	}
}
