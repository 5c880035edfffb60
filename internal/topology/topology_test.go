package topology

import (
	"strings"
	"testing"
)

func TestStacks(t *testing.T) {
	c := Compose()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Controllers() != 3 || c.Brokers() != 3 || c.Count(SparkWorker) != 3 {
		t.Errorf("compose: %d controllers, %d brokers, %d workers", c.Controllers(), c.Brokers(), c.Count(SparkWorker))
	}
	l1, err := Local(1)
	if err != nil || l1.Controllers() != 1 || l1.Brokers() != 1 || l1.KafkaBootstrap() != "127.0.0.1:9092" {
		t.Errorf("local(1): %v %s", err, l1.KafkaBootstrap())
	}
	l3, err := Local(3)
	if err != nil || l3.KafkaVoters() != "1@127.0.0.1:19093,2@127.0.0.1:19193,3@127.0.0.1:19293" {
		t.Errorf("local(3): %v %s", err, l3.KafkaVoters())
	}
	if _, err := Local(2); err == nil || !strings.Contains(err.Error(), "1 or 3") {
		t.Errorf("Local(2) = %v", err)
	}
}

func TestValidateCatchesClashes(t *testing.T) {
	s := Stack{Name: "x", Instances: []Instance{
		{Name: "a", Host: "h", Ports: []Port{{PortMetrics, 1}}},
		{Name: "b", Host: "h", Ports: []Port{{PortMetrics, 1}}},
	}}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "a and b both listen on h:1") {
		t.Errorf("got %v", err)
	}
	s.Instances[1].Name = "a"
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "duplicate instance name") {
		t.Errorf("got %v", err)
	}
}
