package native

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

func props(s string, err error) map[string]string {
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			m[k] = v
		}
	}
	return m
}

func TestKafkaPropertiesCombined(t *testing.T) {
	st, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	p := props(kafkaProperties(st, st.One(stack.KafkaCombined), []string{"/d"}))
	for k, want := range map[string]string{
		"process.roles":                    "broker,controller",
		"controller.quorum.voters":         "1@127.0.0.1:19093",
		"listeners":                        "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19093",
		"advertised.listeners":             "PLAINTEXT://127.0.0.1:9092",
		"offsets.topic.replication.factor": "1",
		"min.insync.replicas":              "1",
	} {
		if p[k] != want {
			t.Errorf("%s = %q, want %q", k, p[k], want)
		}
	}
}

func TestKafkaPropertiesSplit(t *testing.T) {
	st, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	c := props(kafkaProperties(st, st.Of(stack.KafkaController)[1], []string{"/d"}))
	if c["process.roles"] != "controller" || c["listeners"] != "CONTROLLER://127.0.0.1:19193" || c["advertised.listeners"] != "" {
		t.Errorf("controller-2: %v", c)
	}
	broker3 := st.Of(stack.KafkaBroker)[2]
	dirs := Paths{State: "/s"}.KafkaLogDirs(st, broker3)
	b := props(kafkaProperties(st, broker3, dirs))
	if b["process.roles"] != "broker" || b["node.id"] != "6" || b["listeners"] != "PLAINTEXT://127.0.0.1:9292" {
		t.Errorf("broker-3: %v", b)
	}
	if b["controller.quorum.voters"] != "1@127.0.0.1:19093,2@127.0.0.1:19193,3@127.0.0.1:19293" {
		t.Errorf("voters %q", b["controller.quorum.voters"])
	}
	if b["default.replication.factor"] != "3" || b["min.insync.replicas"] != "2" {
		t.Errorf("replication: %v", b)
	}
	// The JBOD broker: its own dir first (the metadata log's), the one the fault suite fills beside it.
	if want := "/s/data/kafka-3nodes/kafka-broker-3,/s/data/kafka-3nodes/kafka-broker-3-disk2"; b["log.dirs"] != want {
		t.Errorf("broker-3 log.dirs = %q, want %q", b["log.dirs"], want)
	}
}

// Brokers must stop before the controllers: a broker without quorum hangs in shutdown.
func TestStopOrder(t *testing.T) {
	order := []stack.Component{stack.Prometheus, stack.SparkConnect, stack.KafkaBroker,
		stack.KafkaCombined, stack.KafkaController, stack.Alertmanager, stack.Webhook}
	// The driver before the workers (its executors), the workers before the master.
	if !(stopRank(stack.SparkConnect) < stopRank(stack.SparkWorker) && stopRank(stack.SparkWorker) < stopRank(stack.SparkMaster)) {
		t.Errorf("spark stops connect %d, worker %d, master %d", stopRank(stack.SparkConnect), stopRank(stack.SparkWorker), stopRank(stack.SparkMaster))
	}
	for i := 1; i < len(order); i++ {
		if stopRank(order[i-1]) > stopRank(order[i]) {
			t.Errorf("%s stops after %s", order[i-1], order[i])
		}
	}
}

func TestPortOwner(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	if portFree("127.0.0.1", port) {
		t.Errorf("port %d is listened on but reported free", port)
	}
	if got, want := portOwner(port), fmt.Sprintf("pid %d ", os.Getpid()); !strings.HasPrefix(got, want) {
		t.Errorf("portOwner(%d) = %q, want prefix %q", port, got, want)
	}
}

// FINOBS_PIPELINE=0 leaves the producer and the stream driver out; by default they run last,
// after the provisioner (phase 2), on the ports Prometheus scrapes.
func TestPipelineServices(t *testing.T) {
	st, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	p := Paths{Repo: "/r", State: "/s"}
	env := Env{JavaHome: "/j", SparkHome: "/sp", Alertmanager: "am"}
	for _, c := range []struct {
		env  string
		want bool
	}{{"", true}, {"1", true}, {"0", false}} {
		t.Setenv("FINOBS_PIPELINE", c.env)
		svcs, err := services(p, env, st)
		if err != nil {
			t.Fatal(err)
		}
		found := map[stack.Component]service{}
		for _, s := range svcs {
			found[s.inst.Component] = s
		}
		for _, comp := range []stack.Component{stack.Producer, stack.StreamDriver} {
			s, ok := found[comp]
			if ok != c.want {
				t.Errorf("FINOBS_PIPELINE=%q: %s started %v, want %v", c.env, comp, ok, c.want)
				continue
			}
			if ok && (s.phase != pipelinePhase || !strings.Contains(strings.Join(s.argv, " "), st.One(comp).Addr(stack.PortMetrics))) {
				t.Errorf("%s: phase %d, argv %v", comp, s.phase, s.argv)
			}
		}
	}
	t.Setenv("FINOBS_PIPELINE", "")
	t.Setenv("FINOBS_PRODUCER_RATE", "-3")
	if _, err := services(p, env, st); err == nil || !strings.Contains(err.Error(), "FINOBS_PRODUCER_RATE") {
		t.Errorf("bad rate: %v", err)
	}
}

func TestServicesCoverManagedInstances(t *testing.T) {
	t.Setenv("FINOBS_REGISTRY", "")
	t.Setenv("FINOBS_LOGS", "") // the whole stack, whatever the caller's environment says
	for _, n := range []int{1, 3} {
		st, err := topology.Local(n)
		if err != nil {
			t.Fatal(err)
		}
		svcs, err := services(Paths{Repo: "/r", State: "/s"}, Env{JavaHome: "/j", SparkHome: "/sp", Alertmanager: "am"}, st)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, i := range st.Instances {
			if Starts(i.Component) {
				want++
			}
			if i.Component == stack.Elasticsearch && Starts(i.Component) {
				want++ // the node and its front door
			}
		}
		if len(svcs) != want {
			t.Errorf("KAFKA_NODES=%d: %d services, want %d", n, len(svcs), want)
		}
		for _, s := range svcs {
			if s.health == nil || len(s.argv) == 0 {
				t.Errorf("%s: no health check or command", s.name())
			}
		}
	}
}

// A started process is found by its pid file, is not mistaken for another name, and stops
// with its whole process group.
func TestProcLifecycle(t *testing.T) {
	p := Paths{Repo: t.TempDir(), State: t.TempDir()}
	if err := mkdirs(p.Logs(), p.Run()); err != nil {
		t.Fatal(err)
	}
	pr, err := startProc(p, "sleeper", p.State, nil, []string{"sh", "-c", "sleep 60 & sleep 60"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pf, ok, err := readPid(p, "sleeper")
	if err != nil || !ok || pf.Pid != pr.Pid {
		t.Fatalf("pid file: %+v %v %v", pf, ok, err)
	}
	if !alive(pf.Pid, "sleeper") {
		t.Fatal("started process is not alive")
	}
	if alive(pf.Pid, "other") {
		t.Error("a process is taken for another component")
	}
	if err := stopPid(pf.Pid, "sleeper", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pr.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("process did not exit")
	}
	// The background sleep of the group is gone too.
	out, _ := os.ReadFile("/proc/" + strconv.Itoa(pf.Pid) + "/stat")
	if len(out) > 0 && alive(pf.Pid, "sleeper") {
		t.Error("still alive after stop")
	}
	// Members that were killed may stay zombies a moment, until init reaps them.
	for i := 0; syscall.Kill(-pf.Pid, 0) == nil; i++ {
		if i == 50 {
			t.Fatal("process group still has members")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Elasticsearch runs as nobody when the stack runs as root: its files move out of a state
// directory nobody can reach (a clone under /root), and stay put otherwise.
func TestESDirReachable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only a root stack runs Elasticsearch as another user")
	}
	open := t.TempDir()
	os.Chmod(filepath.Dir(open), 0o755) // go test makes its temporary directories 0700
	os.Chmod(open, 0o755)
	if got, want := (Paths{State: open}).ESDir(), open+"/elasticsearch"; got != want {
		t.Errorf("reachable state: ESDir %s, want %s", got, want)
	}
	closed := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(filepath.Join(closed, "repo", ".stack"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(closed, 0o700)
	state := filepath.Join(closed, "repo", ".stack")
	got := (Paths{State: state}).ESDir()
	if strings.HasPrefix(got, closed) || !othersCanReach(filepath.Dir(got)) {
		t.Errorf("state under a 0700 directory: ESDir %s", got)
	}
	if again := (Paths{State: state}).ESDir(); again != got {
		t.Errorf("ESDir not stable: %s, then %s", got, again)
	}
}

// A cluster id is what Kafka's Uuid.randomUuid makes: 16 bytes, version 4, base64url, and
// never a leading dash (the storage tool would read it as an option: one draw in 64).
func TestNewClusterID(t *testing.T) {
	for range 5000 {
		id := newClusterID()
		if strings.HasPrefix(id, "-") {
			t.Fatalf("cluster id %q starts with a dash", id)
		}
		u, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(u) != 16 || u[6]>>4 != 4 {
			t.Fatalf("cluster id %q: %x (%v), want 16 bytes of a version 4 uuid", id, u, err)
		}
	}
}
