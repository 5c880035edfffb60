package integration

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

// TestStreamingMetricsReachPrometheus runs a streaming query on the stack's Spark Connect
// server and waits for its per-query metrics in Prometheus under their catalog names: it
// proves deploy/spark (metrics namespace, streaming metrics, the servlet) together with the
// scrape job's renaming.
func TestStreamingMetricsReachPrometheus(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	addr := st.One(stack.SparkConnect).Addr(stack.PortGRPC)
	s, err := sparkconnect.Connect(ctx, addr)
	if err != nil {
		t.Fatalf("Spark Connect at %s: %v", addr, err)
	}
	defer s.Close()
	src, err := s.ReadStream().Format("rate").Option("rowsPerSecond", "50").Load()
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("it_metrics_%d", time.Now().UnixNano())
	q, err := s.WriteStream(src).Format("noop").QueryName(name).OutputMode("append").
		Trigger(sparkconnect.ProcessingTime(time.Second)).
		Checkpoint(filepath.Join(os.TempDir(), "finobs-integration", name)).Start(ctx)
	if err != nil {
		t.Fatalf("start streaming query %s: %v", name, err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop %s: %v", name, err)
		}
	}()

	for _, m := range []*metric.Metric{catalog.SparkStreamingInputRate, catalog.SparkStreamingProcessingRate,
		catalog.SparkStreamingLatency, catalog.SparkStreamingStateRows} {
		sel := fmt.Sprintf(`%s{query=%q}`, m.Name, name)
		err := stacktest.Eventually(ctx, 2*time.Minute, 2*time.Second, func(ctx context.Context) error {
			var res struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
				} `json:"result"`
			}
			if err := stacktest.PromAPI(ctx, st, "/api/v1/query", url.Values{"query": {sel}}, &res); err != nil {
				return err
			}
			if len(res.Result) == 0 {
				return fmt.Errorf("Prometheus has no %s", sel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
