package topology

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/stack"
)

func TestStacks(t *testing.T) {
	c := Compose()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Controllers() != 3 || c.Brokers() != 3 || c.Count(stack.SparkWorker) != 3 {
		t.Errorf("compose: %d controllers, %d brokers, %d workers", c.Controllers(), c.Brokers(), c.Count(stack.SparkWorker))
	}
	l1, err := Local(1)
	if err != nil || l1.Controllers() != 1 || l1.Brokers() != 1 || l1.KafkaBootstrap() != "127.0.0.1:9092" {
		t.Errorf("local(1): %v %s", err, l1.KafkaBootstrap())
	}
	l3, err := Local(3)
	if err != nil || l3.KafkaVoters() != "1@127.0.0.1:19093,2@127.0.0.1:19193,3@127.0.0.1:19293" {
		t.Errorf("local(3): %v %s", err, l3.KafkaVoters())
	}
	// Spark's servlets answer a redirect without the trailing slash.
	for _, s := range []stack.Stack{c, l1, l3} {
		for _, comp := range []stack.Component{stack.SparkMaster, stack.SparkWorker, stack.SparkConnect} {
			for _, i := range s.Of(comp) {
				if !strings.HasSuffix(i.MetricsPath, "/") {
					t.Errorf("%s %s: metrics path %q has no trailing slash", s.Name, i.Name, i.MetricsPath)
				}
			}
		}
		if s.Count(stack.SparkMaster) != 1 || s.Count(stack.SparkWorker) == 0 {
			t.Errorf("%s: %d spark masters, %d workers", s.Name, s.Count(stack.SparkMaster), s.Count(stack.SparkWorker))
		}
		for _, w := range s.Of(stack.SparkWorker) {
			if w.Cores < 1 || w.MemoryMB < 1536 {
				t.Errorf("%s %s offers %d cores, %d MB: too little for one executor of deploy/spark", s.Name, w.Name, w.Cores, w.MemoryMB)
			}
		}
	}
	if l1.Count(stack.SparkWorker) != LocalSparkWorkers {
		t.Errorf("local: %d workers, want %d", l1.Count(stack.SparkWorker), LocalSparkWorkers)
	}
	if got := c.KafkaHostBootstrap(); got != "127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094" {
		t.Errorf("compose host bootstrap %s", got)
	}
	if got := l3.KafkaHostBootstrap(); got != l3.KafkaBootstrap() {
		t.Errorf("local host bootstrap %s", got)
	}
	// Compose publishes the registry and the master's UI (both 8080 in their containers) on
	// the native stack's ports: one address on the machine whichever stack runs.
	for _, pp := range []struct {
		c    stack.Component
		port string
	}{{stack.SchemaRegistry, stack.PortHTTP}, {stack.SparkMaster, stack.PortMetrics}} {
		if got, want := c.One(pp.c).HostPort(pp.port), l1.One(pp.c).Port(pp.port); got != want {
			t.Errorf("compose publishes %s's %s port on %d, the native stack listens on %d", pp.c, pp.port, got, want)
		}
	}
	if _, err := Local(2); err == nil || !strings.Contains(err.Error(), "1 or 3") {
		t.Errorf("Local(2) = %v", err)
	}
}
