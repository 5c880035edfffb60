package jmx

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/stack"
)

func TestRolesGetTheirBeans(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	get := func(role stack.Component) string {
		out, err := Config(cat, role)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	ctl, broker, combined := get(stack.KafkaController), get(stack.KafkaBroker), get(stack.KafkaCombined)
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

func TestObjectNames(t *testing.T) {
	for pattern, want := range map[string]string{
		`kafka.server<type=raft-metrics><>current-epoch`:                       "kafka.server:type=raft-metrics",
		`kafka.server<type=ReplicaManager, name=LeaderCount><>Value`:           "kafka.server:type=ReplicaManager,name=LeaderCount",
		`kafka.log<type=Log, name=Size, topic=(.+), partition=(.+)><>Value`:    "kafka.log:type=Log,name=Size,topic=*,partition=*",
		`kafka.network<type=RequestMetrics, request=(Produce|Fetch)><>Count`:   "kafka.network:type=RequestMetrics,request=Produce kafka.network:type=RequestMetrics,request=Fetch",
		`kafka.network<type=RequestMetrics, request=(Produce|Fetch.*)><>Count`: "kafka.network:type=RequestMetrics,request=*",
		`kafka.network<type=(A|B), request=(Produce|Fetch)><>Count`:            "kafka.network:type=A,request=Produce kafka.network:type=A,request=Fetch kafka.network:type=B,request=Produce kafka.network:type=B,request=Fetch",
		`kafka.network<type=RequestMetrics, request=Produce|Fetch><>Count`:     "kafka.network:type=RequestMetrics,request=*",
	} {
		got, err := ObjectNames(pattern)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("ObjectNames(%q) = %q, %v; want %q", pattern, got, err, want)
		}
	}
	// A regex in the domain or a key cannot name beans; neither can a pattern without properties.
	for _, pattern := range []string{
		`kafka.(server|log)<type=Log><>Value`,
		`kafka.server<(type|name)=Log><>Value`,
		`kafka.server<type><>Value`,
		`kafka.server:type=Log`,
		`kafka.server<><>Value`,
	} {
		if got, err := ObjectNames(pattern); err == nil {
			t.Errorf("ObjectNames(%q) = %q, want an error", pattern, got)
		}
	}
}

// The merged config holds each role's rules once, in each role's order, and reads the
// beans of every role.
func TestMerged(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	parse := func(data []byte, err error) config {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var c config
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	merged := parse(Merged(cat, "# test\n", stack.KafkaBroker, stack.KafkaController))
	seen := map[string]int{}
	for i, r := range merged.Rules {
		if _, dup := seen[r.Name]; dup {
			t.Errorf("rule %s given twice", r.Name)
		}
		seen[r.Name] = i
	}
	for _, role := range []stack.Component{stack.KafkaBroker, stack.KafkaController} {
		own := parse(Config(cat, role))
		last := -1
		for _, r := range own.Rules {
			i, ok := seen[r.Name]
			switch {
			case !ok:
				t.Errorf("%s: rule %s missing from the merged config", role, r.Name)
			case !reflect.DeepEqual(merged.Rules[i], r):
				t.Errorf("%s: rule %s differs in the merged config: %+v, want %+v", role, r.Name, merged.Rules[i], r)
			case i < last:
				t.Errorf("%s: rule %s comes earlier in the merged config than in the role's", role, r.Name)
			}
			last = i
		}
		for _, b := range own.IncludeObjectNames {
			if !slices.Contains(merged.IncludeObjectNames, b) {
				t.Errorf("%s: bean %s not read by the merged config", role, b)
			}
		}
	}
	if len(merged.Rules) != len(seen) || len(seen) == 0 {
		t.Errorf("%d rules", len(merged.Rules))
	}
}
