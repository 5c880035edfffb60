package integration

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

// TestSparkCluster checks the native stack's standalone Spark cluster against the topology:
// the master is ALIVE with every declared worker registered and offering its cores, the
// Spark Connect server's application runs on it with an executor holding those cores, and
// Prometheus sees what the master sees (the series SparkWorkerLost compares).
func TestSparkCluster(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := "http://" + st.One(stack.SparkMaster).Addr(stack.PortMetrics)
	ms, err := native.ReadMasterStatus(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	cores := 0
	for _, w := range st.Of(stack.SparkWorker) {
		cores += w.Cores
	}
	if ms.Status != "ALIVE" || ms.AliveWorkers != st.Count(stack.SparkWorker) || ms.Cores != cores {
		t.Errorf("master at %s: status %s, %d alive workers, %d cores; the topology has %d workers with %d cores",
			base, ms.Status, ms.AliveWorkers, ms.Cores, st.Count(stack.SparkWorker), cores)
	}
	master, err := native.SparkMaster(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(master, "spark://") { // not with FINOBS_SPARK_MASTER=local[N]
		var running []string
		for _, a := range ms.ActiveApps {
			if a.Name == "finobs-connect" && a.State == "RUNNING" && a.Cores == cores {
				running = append(running, a.ID)
			}
		}
		if len(running) != 1 {
			t.Errorf("master at %s: want the Spark Connect server's application running on all %d cores, have %+v", base, cores, ms.ActiveApps)
		}
		// The driver's executor metrics (the spark-executors job) list the worker's executor.
		err := stacktest.Eventually(ctx, time.Minute, 2*time.Second, func(ctx context.Context) error {
			n, err := promScalar(ctx, st, `sum(metrics_executor_maxTasks{job="spark-executors",executor_id!="driver"})`)
			if err != nil {
				return err
			}
			if int(n) != cores {
				return fmt.Errorf("executors outside the driver have %v task slots in Prometheus, want %d", n, cores)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
	err = stacktest.Eventually(ctx, time.Minute, 2*time.Second, func(ctx context.Context) error {
		alive, err := promScalar(ctx, st, `max(spark_master_alive_workers)`)
		if err != nil {
			return err
		}
		deployed, err := promScalar(ctx, st, `count(up{job="spark-worker"} == 1)`)
		if err != nil {
			return err
		}
		if int(alive) != st.Count(stack.SparkWorker) || int(deployed) != st.Count(stack.SparkWorker) {
			return fmt.Errorf("Prometheus: %v alive workers at the master, %v worker targets up; the topology has %d", alive, deployed, st.Count(stack.SparkWorker))
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// promScalar is the single value of an instant query.
func promScalar(ctx context.Context, st stack.Stack, q string) (float64, error) {
	var res struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	}
	if err := stacktest.PromAPI(ctx, st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
		return 0, err
	}
	if len(res.Result) != 1 {
		return 0, fmt.Errorf("Prometheus: %s has %d series, want 1", q, len(res.Result))
	}
	s, _ := res.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}
