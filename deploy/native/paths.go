// Package stack runs the native local stack of finobs: Kafka (KRaft), a standalone Spark
// master and worker with a Spark Connect server running against them, Prometheus,
// Alertmanager, node_exporter, a webhook receiver and the logging pipeline (Elasticsearch,
// its exporter, Filebeat), as plain background processes on loopback.
// Ports come from topology/; everything downloaded, built, logged or stored lives in
// the state directory (.stack/, or $FINOBS_STATE).
package native

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/finobs/finobs/pkg/stack"
)

// Paths is the layout of the repository and the state directory.
type Paths struct {
	Repo  string // repository root (holds go.mod)
	State string // .stack or $FINOBS_STATE
}

// FindPaths locates the repository root from the working directory upwards and the state
// directory: $FINOBS_STATE when set, else <repo>/.stack.
func FindPaths() (Paths, error) {
	wd, err := os.Getwd()
	if err != nil {
		return Paths{}, err
	}
	repo, err := findRepo(wd)
	if err != nil {
		return Paths{}, err
	}
	state := os.Getenv("FINOBS_STATE")
	if state == "" {
		state = filepath.Join(repo, ".stack")
	}
	state, err = filepath.Abs(state)
	if err != nil {
		return Paths{}, err
	}
	return Paths{Repo: repo, State: state}, nil
}

func findRepo(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/finobs/finobs") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("stack: not inside the finobs repository (no go.mod of github.com/finobs/finobs above " + dir + ")")
		}
	}
}

func (p Paths) Logs() string { return filepath.Join(p.State, "logs") }
func (p Paths) Run() string  { return filepath.Join(p.State, "run") }
func (p Paths) Data() string { return filepath.Join(p.State, "data") }

// StateOf is the data directory of a stateful component (Prometheus's TSDB, Alertmanager's
// silences, the registry's database) for one topology: data/NAME for the 1-node stack,
// data/NAME-kafka3 for the 3+3 one, so that switching KAFKA_NODES never mixes two deployments.
func (p Paths) StateOf(st stack.Stack, name string) string {
	if st.Controllers() == 1 {
		return filepath.Join(p.Data(), name)
	}
	return filepath.Join(p.Data(), fmt.Sprintf("%s-kafka%d", name, st.Controllers()))
}

func (p Paths) Bin() string              { return filepath.Join(p.State, "bin") }
func (p Paths) Conf() string             { return filepath.Join(p.State, "conf") }
func (p Paths) KafkaLibs() string        { return filepath.Join(p.State, "kafka", "libs") }
func (p Paths) SparkJars() string        { return filepath.Join(p.State, "spark", "jars") }
func (p Paths) Venv() string             { return filepath.Join(p.State, "venv") }
func (p Paths) WebhookDir() string       { return filepath.Join(p.State, "webhook") }
func (p Paths) Log(name string) string   { return filepath.Join(p.Logs(), name+".log") }
func (p Paths) Deploy(rel string) string { return filepath.Join(p.Repo, "deploy", rel) }

// Checkpoints is where cmd/stream keeps its queries' checkpoints by default: with the
// stack's data, not in a shared temporary folder.
func (p Paths) Checkpoints() string { return filepath.Join(p.State, "checkpoints") }

// PipelineCheckpoints is where the managed stream driver keeps its checkpoints: one
// directory per Kafka cluster, as the clusters' data are (kafkaDataDir), since a checkpoint
// is bound to the cluster it read (its ownership record refuses another).
func (p Paths) PipelineCheckpoints(st stack.Stack) string {
	return filepath.Join(p.Checkpoints(), fmt.Sprintf("kafka-%dnodes", st.Controllers()))
}

// JMXAgent is the path of the JMX exporter java agent jar.
func (p Paths) JMXAgent() string {
	return filepath.Join(p.State, "jmx", "jmx_prometheus_javaagent-"+JMXExporterVersion+".jar")
}

func mkdirs(dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("stack: %w", err)
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ESDir holds everything of Elasticsearch: its install, config, data, logs and temporary
// files. It is <state>/elasticsearch, unless Elasticsearch runs as another user (esUser,
// when the stack runs as root) who cannot reach the state directory, e.g. a clone under
// /root: then it is a directory of its own under the system's temporary directory, one per
// state directory.
func (p Paths) ESDir() string {
	dir := filepath.Join(p.State, "elasticsearch")
	if os.Geteuid() != 0 || othersCanReach(p.State) {
		return dir
	}
	sum := sha256.Sum256([]byte(p.State))
	return filepath.Join(os.TempDir(), "finobs-elasticsearch-"+hex.EncodeToString(sum[:6]))
}

// othersCanReach reports whether every directory from / down to dir lets others through.
func othersCanReach(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if filepath.Dir(d) == d {
			return true
		}
	}
}

// Elasticsearch is the home of the installed Elasticsearch (bin/, lib/, modules/).
func (p Paths) Elasticsearch() string {
	return filepath.Join(p.ESDir(), "elasticsearch-"+ElasticsearchVersion)
}

// Filebeat is the installed Filebeat binary.
func (p Paths) Filebeat() string {
	return filepath.Join(p.State, "filebeat", "filebeat-"+FilebeatVersion+"-linux-x86_64", "filebeat")
}

// EventLog is the file a JVM's log4j2 file appender writes (only log4j events, in the
// layout its pipeline declares); the launcher's own output stays in Log(name).
func (p Paths) EventLog(name string) string { return filepath.Join(p.Logs(), name+".events.log") }
