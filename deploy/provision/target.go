package provision

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pkg/stack"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/topics"
	"github.com/finobs/finobs/topology"
)

// Target is a running stack to provision: where its servers answer from this machine and
// which generated files describe it.
type Target struct {
	Stack         string // "local" or "compose"
	Bootstrap     string // Kafka bootstrap servers, comma-separated
	Prometheus    string // http://host:port; "" leaves the step out
	Alertmanager  string
	Elasticsearch string
	// Generated files on this machine.
	PrometheusConfig   string
	AlertmanagerConfig string
	ElasticsearchDir   string
	// PrometheusConfigDir is where Prometheus' config file lives on its own machine (its
	// rule file paths are relative to it).
	PrometheusConfigDir string
	Topics              []topics.Topic
	// Registry is the schema registry's Confluent-compatible API; empty: no subjects step.
	Registry string
}

// LocalTarget is the native stack st, run from the repository at repo.
func LocalTarget(repo string, st stack.Stack) Target {
	deploy := filepath.Join(repo, "deploy")
	prom := filepath.Join(deploy, "local", "prometheus.yml")
	if st.Controllers() != 1 {
		prom = filepath.Join(deploy, "local", fmt.Sprintf("prometheus-kafka%d.yml", st.Controllers()))
	}
	return Target{
		Stack:               st.Name,
		Bootstrap:           st.KafkaBootstrap(),
		Prometheus:          "http://" + st.One(stack.Prometheus).Addr(stack.PortMetrics),
		Alertmanager:        "http://" + st.One(stack.Alertmanager).Addr(stack.PortMetrics),
		Elasticsearch:       "http://" + st.One(stack.Elasticsearch).Addr(stack.PortHTTP),
		PrometheusConfig:    prom,
		AlertmanagerConfig:  filepath.Join(deploy, "local", "alertmanager.yml"),
		ElasticsearchDir:    filepath.Join(deploy, "elasticsearch"),
		PrometheusConfigDir: filepath.Dir(prom),
		Topics:              TopicsFor(st),
		Registry:            st.RegistryURL(),
	}
}

// ComposeTarget is the Compose stack as its published ports are reached from the host:
// every port is bound to 127.0.0.1. The Kafka bootstrap is the first broker's host listener.
func ComposeTarget(repo string) Target {
	st := topology.Compose()
	deploy := filepath.Join(repo, "deploy")
	local := func(c stack.Component, port string) string {
		return "http://127.0.0.1:" + strconv.Itoa(st.One(c).HostPort(port))
	}
	return Target{
		Stack:               st.Name,
		Bootstrap:           st.KafkaHostBootstrap(),
		Prometheus:          local(stack.Prometheus, stack.PortMetrics),
		Alertmanager:        local(stack.Alertmanager, stack.PortMetrics),
		Elasticsearch:       local(stack.Elasticsearch, stack.PortHTTP),
		PrometheusConfig:    filepath.Join(deploy, "prometheus", "prometheus.yml"),
		AlertmanagerConfig:  filepath.Join(deploy, "alertmanager", "alertmanager.yml"),
		ElasticsearchDir:    filepath.Join(deploy, "elasticsearch"),
		PrometheusConfigDir: "/etc/prometheus",
		Topics:              TopicsFor(st),
		Registry:            local(stack.SchemaRegistry, stack.PortHTTP) + stack.RegistryCCompatPath,
	}
}

// StepNames are the steps Steps builds, in the order they run.
var StepNames = []string{"topics", "schemas", "prometheus", "alertmanager", "elasticsearch"}

// Steps are the steps for t, those named in only (all when only is empty). The Kafka client
// is the caller's to close.
func Steps(t Target, cl *kgo.Client, allowRetentionDecrease bool, only map[string]bool) []Step {
	want := func(name string) bool { return len(only) == 0 || only[name] }
	var out []Step
	if want("topics") {
		out = append(out, &Topics{Client: cl, Topics: t.Topics, AllowRetentionDecrease: allowRetentionDecrease})
	}
	if want("schemas") && t.Registry != "" {
		out = append(out, &Schemas{URL: t.Registry, Wants: []schemas.Want{schemas.Transactions}})
	}
	if want("prometheus") && t.Prometheus != "" {
		out = append(out, Prometheus(t.Prometheus, t.PrometheusConfig, t.PrometheusConfigDir))
	}
	if want("alertmanager") && t.Alertmanager != "" {
		out = append(out, Alertmanager(t.Alertmanager, t.AlertmanagerConfig))
	}
	if want("elasticsearch") && t.Elasticsearch != "" {
		out = append(out, &Elasticsearch{URL: t.Elasticsearch, Dir: t.ElasticsearchDir})
	}
	return out
}

// Config of a Deploy.
type Config struct {
	DryRun                 bool
	AllowRetentionDecrease bool
	Only                   map[string]bool // step names; empty: every step
	Out                    io.Writer       // the plan
	Log                    *slog.Logger
}

// Deploy provisions t: the steps of Steps, then extra (steps other packages add, such as
// schema registry subjects), planned all together before anything is applied.
func Deploy(ctx context.Context, t Target, c Config, extra ...Step) (Plan, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(t.Bootstrap, ",")...), kgo.DialTimeout(5*time.Second))
	if err != nil {
		return Plan{}, fmt.Errorf("kafka client for %s: %w", t.Bootstrap, err)
	}
	defer cl.Close()
	steps := append(Steps(t, cl, c.AllowRetentionDecrease, c.Only), extra...)
	return Run(ctx, steps, Options{DryRun: c.DryRun, Out: c.Out, Log: c.Log})
}
