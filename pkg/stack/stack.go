// Package stack is the vocabulary of a deployment: the kinds of component finobs knows how
// to run and scrape, their named ports, instances and the stacks they form. What a stack
// holds (how many of each, where, on which ports) is declared in package topology; scrape
// targets, Compose services and the native stack's processes are derived from it.
package stack

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Component names a kind of process in the stack. It becomes the Prometheus job label.
type Component string

const (
	KafkaController Component = "kafka-controller"
	KafkaBroker     Component = "kafka-broker"
	// KafkaCombined is a KRaft node that is broker and controller at once (local default).
	KafkaCombined  Component = "kafka-combined"
	SchemaRegistry Component = "schema-registry"
	SparkMaster    Component = "spark-master"
	SparkWorker    Component = "spark-worker"
	SparkConnect   Component = "spark-connect"
	Producer       Component = "producer"
	StreamDriver   Component = "stream-driver"
	NodeExporter   Component = "node-exporter"
	Prometheus     Component = "prometheus"
	Alertmanager   Component = "alertmanager"
	Webhook        Component = "webhook"
	Grafana        Component = "grafana"
	Elasticsearch  Component = "elasticsearch"
	Logstash       Component = "logstash"
	Filebeat       Component = "filebeat"
	Kibana         Component = "kibana"
	// ElasticsearchExporter turns Elasticsearch's health and stats APIs into metrics.
	ElasticsearchExporter Component = "elasticsearch-exporter"
	// KafkaLagExporter reports every consumer group's lag (cmd/kafka-lag-exporter), in
	// kafka_exporter's metric names where one exists.
	KafkaLagExporter Component = "kafka-lag-exporter"
	// SparkExecutors is the executor metrics endpoint of the Spark driver (its own job).
	SparkExecutors Component = "spark-executors"
	// Runbooks serves the generated runbook pages (deploy/runbooks) that runbook_url
	// annotations link to. On the native stack the webhook serves them.
	Runbooks Component = "runbooks"
)

// Components is every kind of component, in declaration order: what a deployment's
// config may name.
var Components = []Component{
	KafkaController, KafkaBroker, KafkaCombined, SchemaRegistry, SparkMaster, SparkWorker, SparkConnect,
	Producer, StreamDriver, NodeExporter, Prometheus, Alertmanager, Webhook, Grafana, Elasticsearch,
	Logstash, Filebeat, Kibana, ElasticsearchExporter, KafkaLagExporter, SparkExecutors, Runbooks,
}

// Port is a named port a process listens on.
type Port struct {
	Name string // "broker", "controller", "metrics", "http", ...
	Port int
	// Published is the host port Compose publishes Port on where that is another number:
	// two containers may listen on one port, the host has each port once. 0 is Port.
	Published int
}

// Well-known port names.
const (
	PortBroker     = "broker"
	PortController = "controller"
	PortMetrics    = "metrics" // what Prometheus scrapes
	PortHTTP       = "http"
	PortGRPC       = "grpc"
	PortSpark      = "spark" // a Spark master's or worker's RPC port
	PortBeats      = "beats"
	PortTransport  = "transport" // Elasticsearch node-to-node
	// PortNode is the native Elasticsearch node's own HTTP port, behind the stack's front
	// door on PortHTTP (the integ-test distribution lacks the root endpoint clients read).
	PortNode = "node"
	// PortHost is a Compose broker's listener for clients on the machine running the
	// engine: published on PublishedHost at the same number, advertised as such.
	PortHost = "host"
)

// PublishedHost is the address of the machine Compose publishes ports on: loopback, so
// nothing of the stack is reachable from the network unless a deployment says otherwise.
const PublishedHost = "127.0.0.1"

// Instance is one process of a component.
type Instance struct {
	Component Component
	Name      string // unique in the stack: "kafka-broker-1"
	Host      string // compose service name, or 127.0.0.1 locally
	NodeID    int    // Kafka node.id; 0 elsewhere
	Ports     []Port
	// MetricsPath is the HTTP path Prometheus scrapes; empty means /metrics.
	MetricsPath string
	// Extra are further scrape jobs served on the same metrics port under other paths
	// (Spark serves executor metrics beside the driver's).
	Extra []Scrape
	// Cores and MemoryMB are what a Spark worker offers to executors; 0 elsewhere.
	Cores, MemoryMB int
	// LogDirs is how many log directories a Kafka node keeps (JBOD, log.dirs); 0 means one.
	// The first also holds the metadata log: only the others can fail while the node lives.
	LogDirs int
}

// KafkaLogDirs is how many log directories the instance keeps: at least one.
func (i Instance) KafkaLogDirs() int { return max(i.LogDirs, 1) }

// Scrape is a scrape job of its own on an instance's metrics port.
type Scrape struct {
	Job  Component
	Path string
}

// Port returns the port with the given name, or 0.
func (i Instance) Port(name string) int {
	for _, p := range i.Ports {
		if p.Name == name {
			return p.Port
		}
	}
	return 0
}

// HostPort is the host port the named port is published on (Compose): Published, else
// the port itself; 0 for an unknown name.
func (i Instance) HostPort(name string) int {
	for _, p := range i.Ports {
		if p.Name == name && p.Published != 0 {
			return p.Published
		}
	}
	return i.Port(name)
}

// Addr is host:port of the named port. It panics on an unknown port name: that is a
// programming error in a declaration, caught by the package tests.
func (i Instance) Addr(name string) string {
	p := i.Port(name)
	if p == 0 {
		panic(fmt.Sprintf("topology: instance %s has no port %q", i.Name, name))
	}
	return net.JoinHostPort(i.Host, strconv.Itoa(p))
}

// Stack is one deployment of the whole system.
type Stack struct {
	Name      string // "compose" or "local"
	Instances []Instance
}

// Of returns the instances of a component, in declaration order.
func (s Stack) Of(c Component) []Instance {
	var out []Instance
	for _, i := range s.Instances {
		if i.Component == c {
			out = append(out, i)
		}
	}
	return out
}

// One returns the single instance of a component; it panics when there is not exactly one.
func (s Stack) One(c Component) Instance {
	is := s.Of(c)
	if len(is) != 1 {
		panic(fmt.Sprintf("topology: %s stack has %d instances of %s, want 1", s.Name, len(is), c))
	}
	return is[0]
}

// Count is how many instances of a component the stack runs.
func (s Stack) Count(c Component) int { return len(s.Of(c)) }

// Scraped lists the instances Prometheus scrapes, in declaration order.
func (s Stack) Scraped() []Instance {
	var out []Instance
	for _, i := range s.Instances {
		if i.Port(PortMetrics) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// KafkaVoters is the controller.quorum.voters / bootstrap string of the KRaft quorum.
func (s Stack) KafkaVoters() string {
	out := ""
	for _, i := range s.Instances {
		if i.Component != KafkaController && i.Component != KafkaCombined {
			continue
		}
		if out != "" {
			out += ","
		}
		out += fmt.Sprintf("%d@%s", i.NodeID, i.Addr(PortController))
	}
	return out
}

// KafkaBootstrap is the bootstrap.servers string of the brokers.
func (s Stack) KafkaBootstrap() string {
	out := ""
	for _, i := range s.Instances {
		if i.Component != KafkaBroker && i.Component != KafkaCombined {
			continue
		}
		if out != "" {
			out += ","
		}
		out += i.Addr(PortBroker)
	}
	return out
}

// KafkaHostBootstrap is the bootstrap.servers string for clients on the machine running
// the stack: the brokers' host listeners where they have one (Compose), else their
// broker ports (the native stack listens on the machine already).
func (s Stack) KafkaHostBootstrap() string {
	var out []string
	for _, i := range s.Instances {
		if i.Component != KafkaBroker && i.Component != KafkaCombined {
			continue
		}
		if p := i.Port(PortHost); p != 0 {
			out = append(out, net.JoinHostPort(PublishedHost, strconv.Itoa(p)))
		} else {
			out = append(out, i.Addr(PortBroker))
		}
	}
	return strings.Join(out, ",")
}

// Controllers is how many KRaft voters the stack has (dedicated or combined).
func (s Stack) Controllers() int { return s.Count(KafkaController) + s.Count(KafkaCombined) }

// Brokers is how many nodes serve clients (dedicated or combined).
func (s Stack) Brokers() int { return s.Count(KafkaBroker) + s.Count(KafkaCombined) }

// Validate checks that names are unique and no two instances share a host:port.
func (s Stack) Validate() error {
	names := map[string]bool{}
	addrs := map[string]string{}
	for _, i := range s.Instances {
		if names[i.Name] {
			return fmt.Errorf("stack %s: duplicate instance name %q", s.Name, i.Name)
		}
		names[i.Name] = true
		for _, p := range i.Ports {
			a := net.JoinHostPort(i.Host, strconv.Itoa(p.Port))
			if other, ok := addrs[a]; ok {
				return fmt.Errorf("stack %s: %s and %s both listen on %s", s.Name, other, i.Name, a)
			}
			addrs[a] = i.Name
		}
	}
	return nil
}

// Kafka roles by what they serve: a combined KRaft node is both broker and controller.
var (
	BrokerRoles     = []Component{KafkaBroker, KafkaCombined}
	ControllerRoles = []Component{KafkaController, KafkaCombined}
	KafkaRoles      = []Component{KafkaBroker, KafkaController, KafkaCombined}
)

// JobMatcher is the PromQL matcher selecting the scrape jobs of the given components.
func JobMatcher(cs ...Component) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return `job=~"` + strings.Join(names, "|") + `"`
}

// RegistryCCompatPath is the base path of Apicurio's Confluent-compatible API (v7):
// franz-go's sr client and Spark's decoders talk to it as to a Confluent registry.
const RegistryCCompatPath = "/apis/ccompat/v7"

// RegistryURL is the base URL of the registry's Confluent-compatible API.
func (s Stack) RegistryURL() string {
	return "http://" + s.One(SchemaRegistry).Addr(PortHTTP) + RegistryCCompatPath
}

// PortReceiver prefixes the names of the local webhook's receiver ports: one per
// Alertmanager receiver, as production's receivers are different services (PagerDuty,
// Slack, a dead man's switch), so that one can be cut off while the others, and the
// webhook's own API on PortHTTP, stay reachable.
const PortReceiver = "receiver-"

// Receivers maps the receiver names of an instance's receiver ports to their addresses.
func (i Instance) Receivers() map[string]string {
	out := map[string]string{}
	for _, p := range i.Ports {
		if name, ok := strings.CutPrefix(p.Name, PortReceiver); ok {
			out[name] = i.Addr(p.Name)
		}
	}
	return out
}
