package alerts

import (
	"fmt"
	"strconv"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/consumergroups"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

var lagExporterTarget = rules.Target(stack.KafkaLagExporter, "kafka-lag-exporter")

// Alerts of every consumer group, each to the team that owns the group (the consumergroup
// label routes it, cmd/gen -config). Their tests are made from the set of groups in force
// (consumerGroupTests): a group's levels are declared, and a deployment's config moves them.
var (
	KafkaLagExporterFailing = rules.Alert{
		Name: "KafkaLagExporterFailing", When: signals.LagExporterFailing, For: 5 * minute, Panel: dashboards.LagExporterUpPanel,
		Summary:     "The lag exporter cannot read the consumer groups from Kafka.",
		Description: "The lag exporter {{ $labels.instance }} has not reached Kafka for 5 minutes: no consumer group's lag is known.",
		Runbook: rules.Runbook{
			Meaning:    "The lag exporter runs and answers Prometheus, but its collections fail to read the groups' offsets from Kafka.",
			Impact:     "No consumer group has series: every consumer-group alert is blind and the consumer groups dashboard stops. The groups themselves may be fine.",
			Diagnosis:  []string{"Its log says why a collection failed: brokers unreachable, a refused authentication, a timeout (compare the collection time with its limit).", "Check the Kafka alerts (`KafkaBrokerDown`, `KafkaNoActiveController`): a cluster that is down explains it."},
			Mitigation: []string{"Restore its access to the brokers (bootstrap address, credentials) and restart it; its next scrape reads every group again."},
		},
		Tests: []rules.Test{
			{Name: "collections fail", At: 10 * minute,
				Fires: []rules.Firing{{Labels: lagExporterTarget.Expect(), Value: 0}}, Series: []rules.Series{
					lagExporterTarget.Series(catalog.LagExporterUp, "1x2 0x8"),
				}},
			{Name: "collections succeed", At: 10 * minute, Series: []rules.Series{
				lagExporterTarget.Series(catalog.LagExporterUp, "1x10"),
			}},
			{Name: "one collection failed", At: 10 * minute, Series: []rules.Series{
				lagExporterTarget.Series(catalog.LagExporterUp, "1x8 0 1"),
			}},
		},
	}
	KafkaConsumerGroupLagging = rules.Alert{
		Name: "KafkaConsumerGroupLagging", When: signals.ConsumerGroupLagging, For: 5 * minute, Panel: dashboards.ConsumerGroupLagTimePanel,
		Summary:     "A consumer group is further behind than its level.",
		Description: "The oldest record {{ $labels.consumergroup }} has not consumed was written {{ $value | humanizeDuration }} ago, past the group's level.",
		Runbook: rules.Runbook{
			Meaning: "For 5 minutes, the oldest record the group has not consumed is older than the group's level: its declared one (consumergroups/, or the deployment's finobs.yaml), or the default for a group nobody declares that has members.",
			Impact:  "What the group's consumers write is that far behind (for the stream job's group: the merchant aggregates); records past the topic's retention are deleted before they are read.",
			Diagnosis: []string{
				"Lag by partition: one partition far behind is a slow consumer of it or a hot key; all of them is too little consuming or a consumer that stopped (`KafkaConsumerGroupNotCommitting`, `KafkaConsumerGroupNoMembers`).",
				"The lag's 10-minute trend against the topic's produce rate: a burst drains by itself, a steady growth does not.",
				"For the stream job's group: the query's own alerts (`StreamLagging`, `StreamBacklogGrowing`, `StreamQueryStalled`).",
			},
			Mitigation: []string{
				"Add consumers (up to the topic's partitions), or restart the stuck one: it resumes from the group's committed offsets. For the stream job, give the query cores or a higher maxOffsetsPerTrigger.",
				"A group nobody uses any more: delete it (`kafka-consumer-groups.sh --delete --group G`). A group that may be this far behind: declare it with a level of its own.",
			},
		},
	}
	KafkaConsumerGroupBacklog = rules.Alert{
		Name: "KafkaConsumerGroupBacklog", When: signals.ConsumerGroupBacklog, For: 15 * minute, Panel: dashboards.ConsumerGroupLagRecordsPanel,
		Summary:     "A consumer group has more records waiting than its level.",
		Description: "{{ $labels.consumergroup }} has {{ $value | humanize }} records it has not consumed, past the group's level.",
		Runbook: rules.Runbook{
			Meaning:    "For 15 minutes, the records the group has not consumed, all its partitions, are more than the group's level (declared, or the default for a group nobody declares that has members).",
			Impact:     "None yet while the lag in time is within its level: the consumers have that much to catch up on, and a restart or a rebalance now takes that long to drain.",
			Diagnosis:  []string{"Lag by topic and partition: which topic grew, and whether its produce rate rose (a burst, a backfill) or the consumers slowed.", "Lag in time (`KafkaConsumerGroupLagging`): records that wait long are the page."},
			Mitigation: []string{"Let a burst drain; for a lasting rise, add consumers (up to the partitions) or declare the group's level for its new rate."},
		},
	}
	KafkaConsumerGroupNotCommitting = rules.Alert{
		Name: "KafkaConsumerGroupNotCommitting", When: signals.ConsumerGroupNotCommitting, For: 5 * minute, Panel: dashboards.ConsumerGroupOffsetMovesPanel,
		Summary:     "A consumer group commits nothing while its lag grows.",
		Description: "No committed offset of {{ $labels.consumergroup }} moved in 10 minutes, and its lag grows.",
		Runbook: rules.Runbook{
			Meaning:    "None of the group's committed offsets moved for ten minutes, while its lag grew, for 5 minutes more. Only groups with a level: declared ones, and the others while they have members.",
			Impact:     "Records wait, and wait longer with each one produced. Consumers that process without committing read it all again after a restart or a rebalance.",
			Diagnosis:  []string{"Members and state: no member is a consumer that is gone (`KafkaConsumerGroupNoMembers`); Stable with members is one stuck in its processing or failing to commit (its log: CommitFailedException, rebalances).", "For the stream job's group: its driver commits after each batch (`StreamQueryStalled`, the driver's log)."},
			Mitigation: []string{"Restart the stuck consumer: it resumes from the last commit. Commits that fail in a rebalance storm: a max.poll.interval.ms longer than a batch takes to process."},
		},
	}
	KafkaConsumerGroupNoMembers = rules.Alert{
		Name: "KafkaConsumerGroupNoMembers", When: signals.ConsumerGroupNoMembers, For: 5 * minute, Panel: dashboards.ConsumerGroupMembersPanel,
		Summary:     "A consumer group that should have consumers has none.",
		Description: "{{ $labels.consumergroup }} has had no member for 5 minutes.",
		Runbook: rules.Runbook{
			Meaning:    "A group declared with members (consumergroups/, or the deployment's finobs.yaml) has had no consumer in it for 5 minutes.",
			Impact:     "Nothing consumes the group's topics: its lag grows with every record produced, and its lag alerts follow.",
			Diagnosis:  []string{"Do the consumer processes run? Their logs: a failed start, a refused authorization, another group.id."},
			Mitigation: []string{"Start the consumers: they resume from the group's committed offsets. A group with no consumer by design (offsets committed by a job that never joins): declare it with members: false."},
		},
	}
)

// ConsumerGroupAlerts are the consumer-group alerts, those the set in force may leave out
// included: what a deployment's config may name.
func ConsumerGroupAlerts() []rules.Alert {
	return []rules.Alert{KafkaLagExporterFailing, KafkaConsumerGroupLagging, KafkaConsumerGroupBacklog, KafkaConsumerGroupNotCommitting, KafkaConsumerGroupNoMembers}
}

// ConsumerGroups is the rule group of every consumer group, made from the set in force
// (consumergroups.Declared): the level recording rules, and the alerts with the tests of its
// groups' levels. KafkaConsumerGroupNoMembers is left out when no group is declared with
// members: it could not fire.
func ConsumerGroups() rules.Group {
	s := consumergroups.Declared
	t := consumerGroupTests(s)
	as := []rules.Alert{KafkaLagExporterFailing}
	for _, a := range ConsumerGroupAlerts()[1:] {
		if a.Name == KafkaConsumerGroupNoMembers.Name && len(s.WithMembers()) == 0 {
			continue
		}
		a.Tests = t[a.Name]
		as = append(as, a)
	}
	return rules.Group{
		Name: "kafka-consumer-groups", Component: "consumer-groups",
		Recording: []rules.Recording{signals.ConsumerGroupLagSecondsLevelRule, signals.ConsumerGroupLagRecordsLevelRule},
		Alerts:    as,
	}
}

// consumerGroupTests are the tests of the per-group alerts, by alert, for the groups and
// levels of s: each declared group at twice its level and at half of it, a group nobody
// declares at the default's, with and without members, and where the first group's level and
// the default differ, both groups between them.
func consumerGroupTests(s consumergroup.Set) map[string][]rules.Test {
	exp := func(group string) rules.Labels { return lagExporterTarget.With(consumergroup.Label, group) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	steady := func(v float64, n int) string { return num(v) + "x" + strconv.Itoa(n) }
	other := "undeclared"
	for _, ok := s.Find(other); ok; _, ok = s.Find(other) {
		other += "-other"
	}
	// Every declared group's levels are tested; the first's further.
	var first []consumergroup.Group
	if len(s.Groups) > 0 {
		first = s.Groups[:1]
	}
	out := map[string][]rules.Test{}

	// Lag in time: over a 10-minute run, the level holds for the alert's 5 minutes.
	for _, g := range s.Groups {
		l := s.Lag(g).Seconds
		out[KafkaConsumerGroupLagging.Name] = append(out[KafkaConsumerGroupLagging.Name],
			rules.Test{Name: fmt.Sprintf("declared %s at twice its level (%ss)", g.Name, num(l)), At: 10 * minute,
				Fires:  []rules.Firing{{Labels: exp(g.Name).Keep(consumergroup.Label), Value: 2 * l}},
				Series: []rules.Series{exp(g.Name).Series(catalog.ConsumerGroupLagSeconds, steady(2*l, 10))}},
			rules.Test{Name: fmt.Sprintf("declared %s at half its level", g.Name), At: 10 * minute,
				Series: []rules.Series{exp(g.Name).Series(catalog.ConsumerGroupLagSeconds, steady(l/2, 10))}})
	}
	for _, g := range first {
		l := s.Lag(g).Seconds
		out[KafkaConsumerGroupLagging.Name] = append(out[KafkaConsumerGroupLagging.Name],
			rules.Test{Name: fmt.Sprintf("declared %s past its level for the last 3 minutes only", g.Name), At: 10 * minute,
				Series: []rules.Series{exp(g.Name).Series(catalog.ConsumerGroupLagSeconds, "0x6 "+steady(2*l, 4))}})
		if d := s.Default.Seconds; l != d {
			v, low := (l+d)/2, g.Name
			if d < l {
				low = other
			}
			out[KafkaConsumerGroupLagging.Name] = append(out[KafkaConsumerGroupLagging.Name],
				rules.Test{Name: fmt.Sprintf("declared %s and %s (with members) both at %ss, between the declared level and the default", g.Name, other, num(v)), At: 10 * minute,
					Fires: []rules.Firing{{Labels: exp(low).Keep(consumergroup.Label), Value: v}},
					Series: []rules.Series{
						exp(g.Name).Series(catalog.ConsumerGroupLagSeconds, steady(v, 10)),
						exp(other).Series(catalog.ConsumerGroupLagSeconds, steady(v, 10)),
						exp(other).Series(catalog.ConsumerGroupMembers, steady(1, 10)),
					}})
		}
	}
	d := s.Default.Seconds
	out[KafkaConsumerGroupLagging.Name] = append(out[KafkaConsumerGroupLagging.Name],
		rules.Test{Name: fmt.Sprintf("%s with members at twice the default (%ss)", other, num(d)), At: 10 * minute,
			Fires: []rules.Firing{{Labels: exp(other).Keep(consumergroup.Label), Value: 2 * d}},
			Series: []rules.Series{
				exp(other).Series(catalog.ConsumerGroupLagSeconds, steady(2*d, 10)),
				exp(other).Series(catalog.ConsumerGroupMembers, steady(3, 10)),
			}},
		rules.Test{Name: fmt.Sprintf("%s without members at twice the default: nobody consumes in it", other), At: 10 * minute,
			Series: []rules.Series{
				exp(other).Series(catalog.ConsumerGroupLagSeconds, steady(2*d, 10)),
				exp(other).Series(catalog.ConsumerGroupMembers, steady(0, 10)),
			}},
		rules.Test{Name: fmt.Sprintf("%s with members at half the default", other), At: 10 * minute,
			Series: []rules.Series{
				exp(other).Series(catalog.ConsumerGroupLagSeconds, steady(d/2, 10)),
				exp(other).Series(catalog.ConsumerGroupMembers, steady(3, 10)),
			}})

	// Lag in records, summed over the group's topics; the level holds for 15 minutes.
	records := func(g string, total float64) []rules.Series {
		return []rules.Series{
			exp(g).With("topic", "a").Series(catalog.ConsumerGroupLagSum, steady(total*3/4, 20)),
			exp(g).With("topic", "b").Series(catalog.ConsumerGroupLagSum, steady(total/4, 20)),
		}
	}
	for _, g := range s.Groups {
		l := s.Lag(g).Records
		out[KafkaConsumerGroupBacklog.Name] = append(out[KafkaConsumerGroupBacklog.Name],
			rules.Test{Name: fmt.Sprintf("declared %s at twice its level (%s records) over two topics", g.Name, num(l)), At: 20 * minute,
				Fires: []rules.Firing{{Labels: exp(g.Name).Keep(consumergroup.Label), Value: 2 * l}}, Series: records(g.Name, 2*l)},
			rules.Test{Name: fmt.Sprintf("declared %s at half its level", g.Name), At: 20 * minute, Series: records(g.Name, l/2)})
	}
	dr := s.Default.Records
	out[KafkaConsumerGroupBacklog.Name] = append(out[KafkaConsumerGroupBacklog.Name],
		rules.Test{Name: fmt.Sprintf("%s with members at twice the default (%s records)", other, num(dr)), At: 20 * minute,
			Fires:  []rules.Firing{{Labels: exp(other).Keep(consumergroup.Label), Value: 2 * dr}},
			Series: append(records(other, 2*dr), exp(other).Series(catalog.ConsumerGroupMembers, steady(1, 20)))},
		rules.Test{Name: fmt.Sprintf("%s without members at twice the default", other), At: 20 * minute,
			Series: append(records(other, 2*dr), exp(other).Series(catalog.ConsumerGroupMembers, steady(0, 20)))})

	// Commits: offsets flat for the 10-minute window and 5 minutes more, while the lag grows.
	commits := func(g, committed, lag string) []rules.Series {
		return []rules.Series{
			exp(g).With("topic", "a").With("partition", "0").Series(catalog.ConsumerGroupCommittedOffset, committed),
			exp(g).With("topic", "a").Series(catalog.ConsumerGroupLagSum, lag),
		}
	}
	var nc []rules.Test
	for _, g := range first {
		nc = append(nc,
			rules.Test{Name: fmt.Sprintf("declared %s: offsets flat, lag growing", g.Name), At: 20 * minute,
				Fires: []rules.Firing{{Labels: exp(g.Name).Keep(consumergroup.Label), Value: 0}}, Series: commits(g.Name, "1000x20", "0+100x20")},
			rules.Test{Name: fmt.Sprintf("declared %s: offsets moving, lag growing", g.Name), At: 20 * minute,
				Series: commits(g.Name, "1000+50x20", "0+50x20")},
			rules.Test{Name: fmt.Sprintf("declared %s: offsets flat, nothing produced", g.Name), At: 20 * minute,
				Series: commits(g.Name, "1000x20", "500x20")})
	}
	nc = append(nc,
		rules.Test{Name: other + " with members: offsets flat, lag growing", At: 20 * minute,
			Fires:  []rules.Firing{{Labels: exp(other).Keep(consumergroup.Label), Value: 0}},
			Series: append(commits(other, "1000x20", "0+100x20"), exp(other).Series(catalog.ConsumerGroupMembers, steady(2, 20)))},
		rules.Test{Name: other + " without members: offsets flat, lag growing (abandoned)", At: 20 * minute,
			Series: append(commits(other, "1000x20", "0+100x20"), exp(other).Series(catalog.ConsumerGroupMembers, steady(0, 20)))})
	out[KafkaConsumerGroupNotCommitting.Name] = nc

	// Members: only the groups declared with members.
	if names := s.WithMembers(); len(names) > 0 {
		var nm []rules.Test
		for _, m := range names {
			nm = append(nm, rules.Test{Name: fmt.Sprintf("declared %s with no member", m), At: 10 * minute,
				Fires: []rules.Firing{{Labels: exp(m).Keep(consumergroup.Label), Value: 0}}, Series: []rules.Series{exp(m).Series(catalog.ConsumerGroupMembers, steady(0, 10))}})
		}
		m := names[0]
		nm = append(nm, []rules.Test{
			{Name: fmt.Sprintf("declared %s with two members", m), At: 10 * minute,
				Series: []rules.Series{exp(m).Series(catalog.ConsumerGroupMembers, steady(2, 10))}},
			{Name: fmt.Sprintf("declared %s without members for the last 3 minutes only", m), At: 10 * minute,
				Series: []rules.Series{exp(m).Series(catalog.ConsumerGroupMembers, "2x6 0x4")}},
			{Name: other + " with no member", At: 10 * minute,
				Series: []rules.Series{exp(other).Series(catalog.ConsumerGroupMembers, steady(0, 10))}},
		}...)
		for _, g := range s.Groups {
			if !g.Members {
				nm = append(nm, rules.Test{Name: fmt.Sprintf("declared %s, without members by design, with no member", g.Name), At: 10 * minute,
					Series: []rules.Series{exp(g.Name).Series(catalog.ConsumerGroupMembers, steady(0, 10))}})
				break
			}
		}
		out[KafkaConsumerGroupNoMembers.Name] = nm
	}
	return out
}
