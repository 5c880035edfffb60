package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
)

// consumerLane: a deployment's own consumer group, declared in a finobs.yaml with its owner
// team and its level, paused. What gen -config renders from that file (the consumer-group
// rules, the routing tree with the team's receivers) runs in a Prometheus and an Alertmanager
// of its own, the stack's binaries, beside the stack's: they scrape the stack's lag exporter,
// and the page must reach the team's receiver (an HTTP endpoint of the test), then its
// resolution once the consumer resumes. The stack's own rules see the group as undeclared
// (a quarter of an hour), so nothing of it reaches the stack's receivers meanwhile.
func consumerLane() []faultCase {
	g := &pausedGroup{group: fmt.Sprintf("finobs-faults-ledger-%d", time.Now().Unix()), level: 60 * time.Second}
	return []faultCase{{
		name:      "consumer group paused",
		setup:     g.setup,
		ready:     g.caughtUp,
		inject:    g.pause,
		during:    g.paged,
		recovered: g.resolved,
		never:     []expect{on(alerts.KafkaConsumerGroupLagging, "consumergroup", g.group)},
		// From the suite's start, beside the delivery faults: its rendering and its own
		// Prometheus' start cost a core for tens of seconds, kept off the lanes' clocks (a
		// disk filling beside them was paged 30 s late).
		ownDelivery: true,
	}}
}

// pausedGroup is the group, its consumer, the team's receiver and the deployment's own
// Prometheus and Alertmanager.
type pausedGroup struct {
	group string
	level time.Duration // the group's lagSeconds in the finobs.yaml

	dir      string
	consumer *kgo.Client
	team     *httptest.Server
	prom     string // base URL of the deployment's Prometheus
	procs    []*exec.Cmd

	mu    sync.Mutex
	got   []teamNotification
	lagAt map[string]float64 // lag in records and seconds when the page arrived
}

type teamNotification struct {
	at       time.Time
	receiver string // the path: paging or chat
	status   string
	alerts   []string // alertname/consumergroup of each alert
}

func (g *pausedGroup) setup(ctx context.Context, e *env) (func(context.Context) error, error) {
	var err error
	if g.dir, err = os.MkdirTemp("", "finobs-faults-consumers-"); err != nil {
		return nil, err
	}
	teardown := func(context.Context) error {
		for _, p := range g.procs {
			p.Process.Kill()
			p.Wait()
		}
		if g.consumer != nil {
			g.consumer.Close()
		}
		if g.team != nil {
			g.team.Close()
		}
		return os.RemoveAll(g.dir)
	}
	fail := func(err error) (func(context.Context) error, error) {
		teardown(ctx)
		return nil, err
	}
	// The team's receiver: every Alertmanager webhook message, by path.
	g.team = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Status string `json:"status"`
			Alerts []struct {
				Labels map[string]string `json:"labels"`
			} `json:"alerts"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n := teamNotification{at: time.Now(), receiver: strings.Trim(r.URL.Path, "/"), status: m.Status}
		for _, a := range m.Alerts {
			n.alerts = append(n.alerts, a.Labels["alertname"]+"/"+a.Labels["consumergroup"])
		}
		g.mu.Lock()
		g.got = append(g.got, n)
		g.mu.Unlock()
	}))
	for _, r := range []string{"paging", "chat"} {
		if err := os.WriteFile(filepath.Join(g.dir, r+"-url"), []byte(g.team.URL+"/"+r), 0o600); err != nil {
			return fail(err)
		}
	}
	cluster := e.st.Name
	if c, ok := clusterLabel(e); ok {
		cluster = c
	}
	cfg := fmt.Sprintf(`clusters: [%s]
teams:
  - name: ledger
    paging: {webhook: {urlFile: %s}}
    chat: {webhook: {urlFile: %s}}
consumerGroups:
  groups:
    - {name: %s, team: ledger, lagSeconds: %d, members: true}
`, cluster, filepath.Join(g.dir, "paging-url"), filepath.Join(g.dir, "chat-url"), g.group, int(g.level.Seconds()))
	cfgFile := filepath.Join(g.dir, "finobs.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		return fail(err)
	}
	out := filepath.Join(g.dir, "out")
	gen := exec.CommandContext(ctx, "go", "run", "./cmd/gen", "-config", cfgFile, "-out", out)
	gen.Dir = e.stack.P.Repo
	if b, err := gen.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("gen -config %s: %v\n%s", cfgFile, err, b))
	}

	promPort, amPort := freePort(), freePort()
	if promPort == 0 || amPort == 0 {
		return fail(errors.New("no free port for the deployment's Prometheus and Alertmanager"))
	}
	lag := e.st.One(stack.KafkaLagExporter)
	promCfg := fmt.Sprintf(`global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: [%s]
alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:%d']}]}]}
scrape_configs:
  - job_name: kafka-lag-exporter
    static_configs: [{targets: ['%s'], labels: {cluster: %s}}]
`, filepath.Join(out, "rules", "kafka-consumer-groups.yml"), amPort, lag.Addr(stack.PortMetrics), cluster)
	if err := os.WriteFile(filepath.Join(g.dir, "prometheus.yml"), []byte(promCfg), 0o644); err != nil {
		return fail(err)
	}
	bin := e.stack.P.Bin()
	for _, argv := range [][]string{
		{filepath.Join(bin, "alertmanager"), "--config.file=" + filepath.Join(out, "alertmanager", "alertmanager.yml"),
			"--storage.path=" + filepath.Join(g.dir, "am"), fmt.Sprintf("--web.listen-address=127.0.0.1:%d", amPort), "--cluster.listen-address="},
		{filepath.Join(bin, "prometheus"), "--config.file=" + filepath.Join(g.dir, "prometheus.yml"),
			"--storage.tsdb.path=" + filepath.Join(g.dir, "prom"), fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort)},
	} {
		log, err := os.Create(filepath.Join(g.dir, filepath.Base(argv[0])+".log"))
		if err != nil {
			return fail(err)
		}
		p := exec.Command(argv[0], argv[1:]...)
		p.Stdout, p.Stderr = log, log
		if err := p.Start(); err != nil {
			return fail(fmt.Errorf("start %s: %w", argv[0], err))
		}
		g.procs = append(g.procs, p)
	}
	g.prom = fmt.Sprintf("http://127.0.0.1:%d", promPort)
	for _, u := range []string{g.prom, fmt.Sprintf("http://127.0.0.1:%d", amPort)} {
		if err := stacktest.Eventually(ctx, time.Minute, time.Second, func(ctx context.Context) error {
			return stacktest.GetJSON(ctx, u+"/-/ready", nil)
		}); err != nil {
			return fail(fmt.Errorf("%s not ready (logs in %s): %w", u, g.dir, err))
		}
	}

	// The consumer: a member of the group, reading the transactions from their end and
	// committing what it polled (kgo's autocommit) until paused.
	g.consumer, err = kgo.NewClient(kgo.SeedBrokers(strings.Split(e.st.KafkaBootstrap(), ",")...),
		kgo.ConsumerGroup(g.group), kgo.ConsumeTopics(topics.Transactions),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()), kgo.AutoCommitInterval(2*time.Second))
	if err != nil {
		return fail(err)
	}
	go func() {
		for {
			fs := g.consumer.PollFetches(context.Background())
			if fs.IsClientClosed() {
				return
			}
		}
	}()
	return teardown, nil
}

// clusterLabel is the cluster label the stack's Prometheus gives its targets.
func clusterLabel(e *env) (string, bool) {
	var res struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	}
	if err := stacktest.PromAPI(context.Background(), e.st, "/api/v1/query", url.Values{"query": {`up{job="kafka-lag-exporter"}`}}, &res); err != nil || len(res.Result) == 0 {
		return "", false
	}
	c, ok := res.Result[0].Metric["cluster"]
	return c, ok
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// query is one instant value of the deployment's Prometheus.
func (g *pausedGroup) query(ctx context.Context, q string) (float64, error) {
	v, ok, err := promValueAt(ctx, g.prom, q)
	if err == nil && !ok {
		err = fmt.Errorf("%s: no single series", q)
	}
	return v, err
}

// caughtUp waits until the deployment's Prometheus sees the group with its member, a
// committed offset on every partition of the topic, and less than ten seconds behind (a
// group that committed nothing yet has no lag at all).
func (g *pausedGroup) caughtUp(ctx context.Context, e *env) error {
	return stacktest.Eventually(ctx, 5*time.Minute, 2*time.Second, func(ctx context.Context) error {
		m, err := g.query(ctx, fmt.Sprintf(`kafka_consumergroup_members{consumergroup=%q}`, g.group))
		if err != nil || m != 1 {
			return fmt.Errorf("group %s: %v members (%v)", g.group, m, err)
		}
		missing, err := g.query(ctx, fmt.Sprintf(`count(kafka_topic_partition_current_offset{topic=%q}) - (count(kafka_consumergroup_current_offset{consumergroup=%q,topic=%q}) or vector(0))`,
			topics.Transactions, g.group, topics.Transactions))
		if err != nil || missing != 0 {
			return fmt.Errorf("group %s: %v partitions of %s without a committed offset (%v)", g.group, missing, topics.Transactions, err)
		}
		s, err := g.query(ctx, fmt.Sprintf(`finobs_consumergroup_lag_seconds{consumergroup=%q}`, g.group))
		if err != nil || s >= 10 {
			return fmt.Errorf("group %s: %vs behind (%v)", g.group, s, err)
		}
		return nil
	})
}

func (g *pausedGroup) pause(ctx context.Context, e *env) (func(context.Context) error, error) {
	g.consumer.PauseFetchTopics(topics.Transactions)
	return func(context.Context) error {
		g.consumer.ResumeFetchTopics(topics.Transactions)
		return nil
	}, nil
}

// paged waits for the page at the team's paging receiver: the level, the alert's for, a
// scrape and an evaluation, the team route's group wait; with a minute to spare.
func (g *pausedGroup) paged(ctx context.Context, e *env, t0 time.Time) error {
	bound := g.level + alerts.KafkaConsumerGroupLagging.For + 10*time.Second + 10*time.Second + time.Minute
	first, err := g.lagNow(ctx)
	if err != nil {
		return err
	}
	var at time.Time
	err = stacktest.Eventually(ctx, bound-time.Since(t0), 2*time.Second, func(ctx context.Context) error {
		if n, ok := g.notified("paging", "firing"); ok {
			at = n.at
			return nil
		}
		return fmt.Errorf("no page of %s at the team's receiver %s after %s (got %d notifications)", g.group, g.team.URL+"/paging", time.Since(t0).Round(time.Second), len(g.got))
	})
	if err != nil {
		return err
	}
	last, err := g.lagNow(ctx)
	if err != nil {
		return err
	}
	for k, v := range last {
		if v <= first[k] {
			return fmt.Errorf("group %s paused: lag %s %v when paused, %v when paged: it must grow", g.group, k, first[k], v)
		}
	}
	if n, ok := g.notified("chat", "firing"); ok {
		return fmt.Errorf("%s reached the team's chat too (%v): a critical alert pages", g.group, n.alerts)
	}
	e.report(fmt.Sprintf("%-36s %-58s %-10s delivered %4.0fs (bound %4.0fs, its own Alertmanager); lag %.0f→%.0f records, %.0f→%.0f s",
		"consumer group paused", g.alert(), "/team-ledger-paging", at.Sub(t0).Seconds(), bound.Seconds(), first["records"], last["records"], first["seconds"], last["seconds"]))
	return nil
}

// resolved waits for the resolution at the team's paging receiver once the consumer
// resumed: its lag back under the level at the next scrape, the alert resolved at the next
// evaluation, sent with the team route's next group interval.
func (g *pausedGroup) resolved(ctx context.Context, e *env, tu time.Time) error {
	bound := 10*time.Second + 10*time.Second + time.Minute + time.Minute
	var n teamNotification
	err := stacktest.Eventually(ctx, bound, 2*time.Second, func(ctx context.Context) error {
		var ok bool
		if n, ok = g.notified("paging", "resolved"); ok {
			return nil
		}
		return fmt.Errorf("no resolution of %s at the team's receiver within %s of the consumer's resume", g.group, bound)
	})
	if err == nil {
		e.report(fmt.Sprintf("%-36s %-58s %-10s resolved %4.0fs after the resume (bound %4.0fs)",
			"consumer group paused", g.alert(), "/team-ledger-paging", n.at.Sub(tu).Seconds(), bound.Seconds()))
	}
	return err
}

// alert is the page as the suite's lines name alerts.
func (g *pausedGroup) alert() string {
	return alerts.KafkaConsumerGroupLagging.Name + "{consumergroup=" + g.group + "}"
}

func (g *pausedGroup) lagNow(ctx context.Context) (map[string]float64, error) {
	out := map[string]float64{}
	for k, q := range map[string]string{
		"records": fmt.Sprintf(`sum(kafka_consumergroup_lag{consumergroup=%q})`, g.group),
		"seconds": fmt.Sprintf(`finobs_consumergroup_lag_seconds{consumergroup=%q}`, g.group),
	} {
		v, err := g.query(ctx, q)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// notified is the first notification of the group's lag alert at receiver with status.
func (g *pausedGroup) notified(receiver, status string) (teamNotification, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	want := alerts.KafkaConsumerGroupLagging.Name + "/" + g.group
	for _, n := range g.got {
		if n.receiver == receiver && n.status == status && slices.Contains(n.alerts, want) {
			return n, true
		}
	}
	return teamNotification{}, false
}
