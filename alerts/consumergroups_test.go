package alerts

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/consumergroups"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/rules"
)

// The consumer-group rules follow the set of groups in force (a deployment's under gen
// -config): its levels in the recording rules, tests of its groups, and the members alert
// only where a group expects members.
func TestConsumerGroupsFollowTheSet(t *testing.T) {
	has := func(g rules.Group, name string) bool {
		for _, a := range g.Alerts {
			if a.Name == name {
				return true
			}
		}
		return false
	}
	if has(ConsumerGroups(), KafkaConsumerGroupNoMembers.Name) {
		t.Error("finobs's own groups expect no members, yet KafkaConsumerGroupNoMembers is rendered")
	}
	defer func(s consumergroup.Set) { consumergroups.Declared = s }(consumergroups.Declared)
	consumergroups.Declared = consumergroups.Declared.With(consumergroup.Group{Name: "ledger", Lag: consumergroup.Levels{Seconds: 42}, Members: true})
	g := ConsumerGroups()
	if !has(g, KafkaConsumerGroupNoMembers.Name) {
		t.Error("a group expects members, and KafkaConsumerGroupNoMembers is not rendered")
	}
	expr, err := g.Recording[0].Rendered()
	if err != nil || !strings.Contains(expr, `{consumergroup="ledger"}) * 42 or`) {
		t.Errorf("level rule: %s (%v)", expr, err)
	}
	found := false
	for _, a := range g.Alerts {
		for _, tc := range a.Tests {
			for _, f := range tc.Fires {
				found = found || a.Name == KafkaConsumerGroupLagging.Name && f.Labels["consumergroup"] == "ledger" && f.Value == 84
			}
		}
	}
	if !found {
		t.Error("no Lagging test of the new group at twice its level")
	}
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := rules.Validate([]rules.Group{g}, lint.Checker{Catalog: cat}); err != nil {
		t.Error(err)
	}
}
