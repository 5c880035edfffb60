package stack

import (
	"strings"
	"testing"
)

func TestValidateCatchesClashes(t *testing.T) {
	s := Stack{Name: "x", Instances: []Instance{
		{Name: "a", Host: "h", Ports: []Port{{Name: PortMetrics, Port: 1}}},
		{Name: "b", Host: "h", Ports: []Port{{Name: PortMetrics, Port: 1}}},
	}}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "a and b both listen on h:1") {
		t.Errorf("got %v", err)
	}
	s.Instances[1].Name = "a"
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "duplicate instance name") {
		t.Errorf("got %v", err)
	}
}

func TestHostPort(t *testing.T) {
	i := Instance{Name: "a", Host: "h", Ports: []Port{{Name: PortHTTP, Port: 8080, Published: 8085}, {Name: PortMetrics, Port: 9000}}}
	if got := i.HostPort(PortHTTP); got != 8085 {
		t.Errorf("published http: %d", got)
	}
	if got := i.HostPort(PortMetrics); got != 9000 {
		t.Errorf("metrics, published at its own number: %d", got)
	}
	if got := i.Addr(PortHTTP); got != "h:8080" {
		t.Errorf("the address stays the container's: %s", got)
	}
}
