package stack

import (
	"strings"
	"testing"
)

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
