// Package kafkaconf renders the server settings of a KRaft node from the topology, once,
// for every deployment: the native stack writes them to a server.properties file, the
// Compose renderer passes them to the apache/kafka image as environment variables. What
// differs between deployments (listeners, hosts, log dirs) comes from the topology
// instance, never from a second copy of the settings.
package kafkaconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
)

// Setting is one server.properties key and its value.
type Setting struct {
	Key, Value string
}

// Listener names. HOST is the listener a Compose broker publishes to the machine it runs
// on; the native stack already listens on the machine and has none.
const (
	ListenerInternal   = "PLAINTEXT"
	ListenerController = "CONTROLLER"
	ListenerHost       = "HOST"
)

// Node returns the settings of a Kafka instance of st, in file order. logDirs are where
// the node keeps its log segments, one per directory the instance declares
// (stack.Instance.LogDirs); the first also holds the metadata log.
func Node(st stack.Stack, inst stack.Instance, logDirs ...string) ([]Setting, error) {
	switch inst.Component {
	case stack.KafkaCombined, stack.KafkaController, stack.KafkaBroker:
	default:
		return nil, fmt.Errorf("kafkaconf: %s is a %s, not a Kafka node", inst.Name, inst.Component)
	}
	if inst.NodeID <= 0 {
		return nil, fmt.Errorf("kafkaconf: %s has no node id", inst.Name)
	}
	if len(logDirs) != inst.KafkaLogDirs() {
		return nil, fmt.Errorf("kafkaconf: %s keeps %d log dirs, given %d (%q)", inst.Name, inst.KafkaLogDirs(), len(logDirs), logDirs)
	}
	for _, d := range logDirs {
		if d == "" || strings.Contains(d, ",") {
			return nil, fmt.Errorf("kafkaconf: %s: log dir %q is empty or holds a comma (log.dirs is a comma-separated list)", inst.Name, d)
		}
	}
	// The cluster's defaults (internal topics, anything created without a declaration)
	// replicate as the declared topics do.
	rf, minISR := topics.Replication(st.Brokers())
	var out []Setting
	w := func(k string, v any) { out = append(out, Setting{k, fmt.Sprint(v)}) }
	broker := inst.Component != stack.KafkaController
	host := broker && inst.Port(stack.PortHost) != 0

	w("node.id", inst.NodeID)
	w("controller.quorum.voters", st.KafkaVoters())
	w("controller.listener.names", ListenerController)
	protocols := []string{ListenerInternal + ":PLAINTEXT", ListenerController + ":PLAINTEXT"}
	if host {
		protocols = append(protocols, ListenerHost+":PLAINTEXT")
	}
	w("listener.security.protocol.map", strings.Join(protocols, ","))
	switch inst.Component {
	case stack.KafkaCombined:
		w("process.roles", "broker,controller")
	case stack.KafkaController:
		w("process.roles", "controller")
	case stack.KafkaBroker:
		w("process.roles", "broker")
	}
	var listeners, advertised []string
	if broker {
		listeners = append(listeners, ListenerInternal+"://"+inst.Addr(stack.PortBroker))
		advertised = append(advertised, ListenerInternal+"://"+inst.Addr(stack.PortBroker))
	}
	if host {
		// Bound on every interface of the container (the engine forwards the published
		// port to it), advertised as the machine's address clients dial.
		p := strconv.Itoa(inst.Port(stack.PortHost))
		listeners = append(listeners, ListenerHost+"://0.0.0.0:"+p)
		advertised = append(advertised, ListenerHost+"://"+stack.PublishedHost+":"+p)
	}
	if inst.Component != stack.KafkaBroker {
		listeners = append(listeners, ListenerController+"://"+inst.Addr(stack.PortController))
	}
	w("listeners", strings.Join(listeners, ","))
	if broker {
		w("advertised.listeners", strings.Join(advertised, ","))
		w("inter.broker.listener.name", ListenerInternal)
	}
	w("log.dirs", strings.Join(logDirs, ","))
	w("num.partitions", 3)
	w("default.replication.factor", rf)
	w("min.insync.replicas", minISR)
	w("offsets.topic.replication.factor", rf)
	w("transaction.state.log.replication.factor", rf)
	w("transaction.state.log.min.isr", minISR)
	w("share.coordinator.state.topic.replication.factor", rf)
	w("share.coordinator.state.topic.min.isr", minISR)
	w("group.initial.rebalance.delay.ms", 0) // tests start consumers right away
	// Topics are created on purpose (kadm) only: with auto-creation, a client still holding a
	// deleted topic's metadata (Spark's cached Kafka producer) recreates it, and stale topics
	// pile up, each partition adding to every JMX scrape.
	w("auto.create.topics.enable", false)
	w("log.retention.hours", 24)    // keep the disk small,
	w("log.retention.bytes", 1<<30) // even under a producer benchmark (per partition)
	w("log.segment.bytes", 64<<20)
	return out, nil
}

// LogDirs names the log directories of inst, every deployment alike: first, then
// first-disk2, first-disk3, ... for the further directories the instance declares.
func LogDirs(inst stack.Instance, first string) []string {
	out := []string{first}
	for n := 2; n <= inst.KafkaLogDirs(); n++ {
		out = append(out, fmt.Sprintf("%s-disk%d", first, n))
	}
	return out
}

// Properties renders settings as a server.properties file under a header comment.
func Properties(header string, settings []Setting) string {
	var b strings.Builder
	if header != "" {
		b.WriteString("# " + header + "\n")
	}
	for _, s := range settings {
		b.WriteString(s.Key + "=" + s.Value + "\n")
	}
	return b.String()
}

// EnvName is the environment variable the apache/kafka image turns into key: "." becomes
// "_", "_" becomes "__", "-" becomes "___", prefixed with KAFKA_.
func EnvName(key string) string {
	r := strings.NewReplacer("_", "__", "-", "___", ".", "_")
	return "KAFKA_" + strings.ToUpper(r.Replace(key))
}

// KeyOfEnv reverses EnvName; ok is false for a variable that is not a setting.
func KeyOfEnv(name string) (key string, ok bool) {
	rest, ok := strings.CutPrefix(name, "KAFKA_")
	if !ok || rest == "" {
		return "", false
	}
	// Longest runs first: ___ is "-", __ is "_", _ is ".".
	var b strings.Builder
	for i := 0; i < len(rest); {
		switch {
		case strings.HasPrefix(rest[i:], "___"):
			b.WriteByte('-')
			i += 3
		case strings.HasPrefix(rest[i:], "__"):
			b.WriteByte('_')
			i += 2
		case rest[i] == '_':
			b.WriteByte('.')
			i++
		default:
			b.WriteByte(rest[i])
			i++
		}
	}
	return strings.ToLower(b.String()), true
}

// Map is the settings as a map, for comparisons.
func Map(settings []Setting) map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		m[s.Key] = s.Value
	}
	return m
}

// DeploymentKeys are the settings whose values may differ between two deployments of the
// same node, and why: where it listens and keeps its data. Any other difference is a
// setting one deployment runs that the other never checked.
var DeploymentKeys = map[string]string{
	"controller.quorum.voters":       "hosts and ports of the voters",
	"listeners":                      "hosts and ports; Compose brokers add the host listener",
	"advertised.listeners":           "hosts and ports; Compose brokers add the host listener",
	"listener.security.protocol.map": "Compose brokers map the host listener",
	"log.dirs":                       "where each deployment keeps data",
}

// Differences names every key whose value differs between a and b, or that one lacks,
// except the allowed keys present in both. Sorted.
func Differences(a, b map[string]string, allowed map[string]string) []string {
	var out []string
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		av, aok := a[k]
		bv, bok := b[k]
		if aok == bok && av == bv {
			continue
		}
		if _, ok := allowed[k]; ok && aok && bok {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %q (present %v) vs %q (present %v)", k, av, aok, bv, bok))
	}
	sort.Strings(out)
	return out
}
