package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/deploy/provision"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
)

func kafkaClient(t *testing.T, st stack.Stack) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(st.KafkaBootstrap(), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// planTopics runs the topics step alone and returns its plan lines by topic.
func planTopics(t *testing.T, cl *kgo.Client, decls []topics.Topic, dryRun, allowDecrease bool) (map[string]provision.Item, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	plan, err := provision.Run(ctx, []provision.Step{&provision.Topics{Client: cl, Topics: decls, AllowRetentionDecrease: allowDecrease}},
		provision.Options{DryRun: dryRun, Out: &out})
	items := map[string]provision.Item{}
	for _, sp := range plan.Steps {
		for _, it := range sp.Items {
			items[strings.TrimPrefix(it.Object, "topic ")] = it
		}
	}
	t.Logf("plan (dry run %v):\n%s", dryRun, out.String())
	return items, out.String(), err
}

// describe reads what the brokers have of the topics, failing the test on any error.
func describe(t *testing.T, cl *kgo.Client, names ...string) map[string]provision.Current {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, _, err := provision.Describe(ctx, cl, names...)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// hasDeclared fails unless the broker holds every topic as declared.
func hasDeclared(t *testing.T, cl *kgo.Client, decls []topics.Topic) {
	t.Helper()
	var names []string
	for _, d := range decls {
		names = append(names, d.Name)
	}
	cur := describe(t, cl, names...)
	for _, d := range decls {
		c := cur[d.Name]
		if !c.Exists || c.Partitions != int(d.Partitions) || c.ReplicationFactor != int(d.ReplicationFactor) || c.Mixed {
			t.Errorf("topic %s on the brokers: exists %v, %d partitions, replication factor %d; declared %d, %d",
				d.Name, c.Exists, c.Partitions, c.ReplicationFactor, d.Partitions, d.ReplicationFactor)
			continue
		}
		for k, v := range d.Configs() {
			if c.Configs[k] != v || !c.FromTopic[k] {
				t.Errorf("topic %s: %s is %q (set on the topic: %v), declared %q", d.Name, k, c.Configs[k], c.FromTopic[k], v)
			}
		}
	}
}

// TestProvisionStackTopics: the stack that `stack exec` started was provisioned by it, so
// every topic the pipeline uses, the stream job's outputs and dead letters included, has
// the replication the topology calls for (3 brokers: 3 and min.insync 2), and a plan of the
// declarations finds nothing to do.
func TestProvisionStackTopics(t *testing.T) {
	st := stacktest.Local(t)
	cl := kafkaClient(t, st)
	decls := provision.TopicsFor(st)
	rf, minISR := topics.Replication(st.Brokers())
	for _, d := range decls {
		if d.ReplicationFactor != rf || d.MinInsyncReplicas != minISR {
			t.Fatalf("%s declared with RF %d min.insync %d on %d brokers", d.Name, d.ReplicationFactor, d.MinInsyncReplicas, st.Brokers())
		}
	}
	hasDeclared(t, cl, decls)
	items, _, err := planTopics(t, cl, decls, true, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decls {
		if it := items[d.Name]; it.Action != provision.Unchanged {
			t.Errorf("provisioned stack: %s", it)
		}
	}
	for _, d := range decls {
		t.Logf("%s: %d partitions, replication factor %d, min.insync.replicas %d, retention.ms %s, retention.bytes %s",
			d.Name, d.Partitions, d.ReplicationFactor, d.MinInsyncReplicas, d.Configs()[topics.KeyRetentionMs], d.Configs()[topics.KeyRetentionBytes])
	}
}

// TestProvisionTopics runs the topics step on topics of its own (the declarations under
// other names): create, a second plan that changes nothing, refused unsafe changes that
// leave the brokers as they were, a config change planned and applied, and a dry run that
// applies nothing.
func TestProvisionTopics(t *testing.T) {
	st := stacktest.Local(t)
	cl := kafkaClient(t, st)
	prefix := fmt.Sprintf("provision_%d_", time.Now().UnixNano())
	var decls []topics.Topic
	var names []string
	for _, d := range provision.TopicsFor(st) {
		d.Name = prefix + d.Name
		decls = append(decls, d)
		names = append(names, d.Name)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		kadm.NewClient(cl).DeleteTopics(ctx, names...)
	})

	// A fresh cluster for these names: every topic is created.
	items, _, err := planTopics(t, cl, decls, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decls {
		if it := items[d.Name]; it.Action != provision.Create {
			t.Errorf("fresh: %s", it)
		}
	}
	hasDeclared(t, cl, decls)

	// Applied: a second run plans every topic unchanged.
	items, _, err = planTopics(t, cl, decls, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decls {
		if it := items[d.Name]; it.Action != provision.Unchanged {
			t.Errorf("second run: %s", it)
		}
	}

	// Unsafe changes, beside a safe one: nothing is applied, and the error names the topic
	// and the setting.
	unsafe := append([]topics.Topic(nil), decls...)
	unsafe[0].Partitions = decls[0].Partitions - 3               // fewer partitions
	unsafe[1].RetentionTime = decls[1].RetentionTime - time.Hour // lower retention
	unsafe[2].SegmentBytes = decls[2].SegmentBytes / 2           // safe, but in a refused run
	_, out, err := planTopics(t, cl, unsafe, false, false)
	if !provision.IsUnsafe(err) {
		t.Fatalf("unsafe plan: err %v, want a refusal", err)
	}
	for _, want := range []string{
		fmt.Sprintf("%s: partitions %d → %d", decls[0].Name, decls[0].Partitions, unsafe[0].Partitions),
		decls[1].Name + ": retention.ms " + strconv.FormatInt(decls[1].RetentionTime.Milliseconds(), 10) + " → " + strconv.FormatInt(unsafe[1].RetentionTime.Milliseconds(), 10) + " is lower",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %q", err, want)
		}
	}
	if !strings.Contains(out, "UNSAFE") {
		t.Errorf("the plan does not mark the unsafe changes:\n%s", out)
	}
	t.Logf("refused: %v", err)
	hasDeclared(t, cl, decls) // the brokers still have the old values, the safe change too

	// A lower retention passes with the flag's consent.
	items, _, err = planTopics(t, cl, unsafe[1:2], false, true)
	if err != nil || items[decls[1].Name].Action != provision.Change {
		t.Fatalf("allowed decrease: %v %v", items[decls[1].Name], err)
	}
	if got := describe(t, cl, decls[1].Name)[decls[1].Name].Configs[topics.KeyRetentionMs]; got != unsafe[1].Configs()[topics.KeyRetentionMs] {
		t.Errorf("retention.ms after the allowed decrease: %s", got)
	}

	// A dry run of a safe change applies nothing; the run without applies it.
	seg := unsafe[2:3]
	items, _, err = planTopics(t, cl, seg, true, false)
	if err != nil || items[seg[0].Name].Action != provision.Change || !strings.Contains(items[seg[0].Name].String(),
		fmt.Sprintf("segment.bytes %d → %d", decls[2].SegmentBytes, seg[0].SegmentBytes)) {
		t.Fatalf("segment change: %v %v", items[seg[0].Name], err)
	}
	hasDeclared(t, cl, decls[2:3])
	if _, _, err = planTopics(t, cl, seg, false, false); err != nil {
		t.Fatal(err)
	}
	hasDeclared(t, cl, seg)
	// More partitions are added.
	more := append([]topics.Topic(nil), decls[0])
	more[0].Partitions = decls[0].Partitions + 2
	if items, _, err = planTopics(t, cl, more, false, false); err != nil || items[more[0].Name].Action != provision.Change {
		t.Fatalf("more partitions: %v %v", items[more[0].Name], err)
	}
	hasDeclared(t, cl, more)
}

// TestProvisionMonitoring reloads the stack's Prometheus and Alertmanager and checks that
// they run the generated configs; a config that is not what runs is planned as a change and
// fails the check after the reload.
func TestProvisionMonitoring(t *testing.T) {
	st := stacktest.Local(t)
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	tg := provision.LocalTarget(p.Repo, st)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	steps := []provision.Step{
		provision.Prometheus(tg.Prometheus, tg.PrometheusConfig, tg.PrometheusConfigDir),
		provision.Alertmanager(tg.Alertmanager, tg.AlertmanagerConfig),
	}
	var out bytes.Buffer
	plan, err := provision.Run(ctx, steps, provision.Options{Out: &out})
	t.Logf("plan:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := plan.Count(); n[provision.Unchanged] != 2 {
		t.Errorf("the stack runs other configs than the generated ones: %v", n)
	}

	// Another config than the one running: planned as a change, and after the reload the
	// check finds the server still runs its own file.
	for _, c := range []struct {
		kind, file, from, to string
	}{
		{"prometheus", tg.PrometheusConfig, "scrape_interval: 10s", "scrape_interval: 11s"},
		{"alertmanager", tg.AlertmanagerConfig, "group_wait: 30s", "group_wait: 31s"},
	} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(c.from)) {
			t.Fatalf("%s holds no %q", c.file, c.from)
		}
		// Elsewhere: its rule file paths stay relative to the generated file's directory
		// (PrometheusConfigDir), as where Prometheus runs it.
		other := filepath.Join(t.TempDir(), c.kind+".yml")
		if err := os.WriteFile(other, bytes.Replace(b, []byte(c.from), []byte(c.to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		var s provision.Step = provision.Alertmanager(tg.Alertmanager, other)
		if c.kind == "prometheus" {
			s = provision.Prometheus(tg.Prometheus, other, tg.PrometheusConfigDir)
		}
		out.Reset()
		plan, err := provision.Run(ctx, []provision.Step{s}, provision.Options{Out: &out})
		if n := plan.Count(); n[provision.Change] != 1 || !strings.Contains(out.String(), c.from) {
			t.Errorf("%s: other config planned as %v:\n%s", c.kind, n, out.String())
		}
		if err == nil || !strings.Contains(err.Error(), "what it runs is not") {
			t.Errorf("%s: after reload the check passed against another config: %v", c.kind, err)
		}
	}
}

// TestProvisionCommand runs cmd/deploy as a user does against the stack: the plan of the
// provisioned stack changes nothing, and a retention on the brokers higher than declared is
// refused with exit 3, naming topic and setting, with nothing applied.
func TestProvisionCommand(t *testing.T) {
	st := stacktest.Local(t)
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "deploy")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/finobs/finobs/cmd/deploy").CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/deploy: %v\n%s", err, out)
	}
	deploy := func(args ...string) (string, int) {
		cmd := exec.Command(bin, append([]string{"-stack", "local"}, args...)...)
		cmd.Dir = p.Repo
		cmd.Env = append(os.Environ(), "KAFKA_NODES="+strconv.Itoa(st.Controllers()))
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := deploy("-dry-run")
	t.Logf("deploy -dry-run on the provisioned stack (exit %d):\n%s", code, out)
	if code != 0 || !strings.Contains(out, "0 to create, 0 to change") {
		t.Fatalf("provisioned stack: exit %d", code)
	}
	if out, code := deploy("-steps", "bogus"); code != 2 {
		t.Errorf("bad flag: exit %d\n%s", code, out)
	}

	// Someone kept the transactions longer on the brokers than declared.
	cl := kafkaClient(t, st)
	adm := kadm.NewClient(cl)
	decl, _ := topics.Lookup(topics.Transactions, st.Brokers())
	longer := strconv.FormatInt((decl.RetentionTime + 24*time.Hour).Milliseconds(), 10)
	set := func(v string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: topics.KeyRetentionMs, Value: &v}}, topics.Transactions)
		if err == nil {
			_, err = rs.On(topics.Transactions, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	set(longer)
	t.Cleanup(func() { set(decl.Configs()[topics.KeyRetentionMs]) })
	out, code = deploy()
	t.Logf("deploy with retention.ms raised on the brokers (exit %d):\n%s", code, out)
	if code != 3 || !strings.Contains(out, "topic "+topics.Transactions+": retention.ms "+longer+" → ") {
		t.Errorf("exit %d; want 3 and the topic and setting named", code)
	}
	if got := describe(t, cl, topics.Transactions)[topics.Transactions].Configs[topics.KeyRetentionMs]; got != longer {
		t.Errorf("retention.ms after the refused run: %s, want %s (untouched)", got, longer)
	}
}
