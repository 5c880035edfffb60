package native

import (
	"strings"
	"testing"
)

func TestSummarizeDriver(t *testing.T) {
	const exposition = `# TYPE finobs_stream_query_up gauge
finobs_stream_query_up{query="transactions"} 0
finobs_stream_query_up{query="b"} 1
# TYPE finobs_stream_query_restarts_total counter
finobs_stream_query_restarts_total{query="transactions"} 4
finobs_stream_query_restarts_total{query="b"} 0
# TYPE finobs_stream_query_failures_total counter
finobs_stream_query_failures_total{error_class="data_loss",query="transactions"} 1
finobs_stream_query_failures_total{error_class="other",query="transactions"} 4
finobs_stream_query_failures_total{error_class="start",query="transactions"} 0
finobs_stream_query_failures_total{error_class="other",query="b"} 0
`
	got := summarizeDriver(strings.NewReader(exposition))
	want := "query b up, 0 restarts, 0 failures; query transactions down, 4 restarts, 5 failures (data_loss 1, other 4)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := summarizeDriver(strings.NewReader("# TYPE go_goroutines gauge\ngo_goroutines 7\n")); got != "serving, no query yet" {
		t.Errorf("no query: %q", got)
	}
}
