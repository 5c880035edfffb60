package jmx

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/topology"
)

func TestRolesGetTheirBeans(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	get := func(role topology.Component) string {
		out, err := Config(cat, role)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	ctl, broker, combined := get(topology.KafkaController), get(topology.KafkaBroker), get(topology.KafkaCombined)
	for _, c := range []struct {
		cfg, name string
		want      bool
	}{
		{ctl, "name: kafka_controller_active_controller_count", true},
		{ctl, "name: kafka_raft_current_epoch", true},
		{ctl, "name: kafka_server_under_replicated_partitions", false},
		{broker, "name: kafka_server_under_replicated_partitions", true},
		{broker, "name: kafka_controller_active_controller_count", false},
		{combined, "name: kafka_controller_active_controller_count", true},
		{combined, "name: kafka_server_messages_in_total", true},
		{combined, "valueFactor: 0.001", true},
		{combined, "type: COUNTER", true},
	} {
		if strings.Contains(c.cfg, c.name) != c.want {
			t.Errorf("%q present=%v, want %v", c.name, !c.want, c.want)
		}
	}
}
