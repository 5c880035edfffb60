package native

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// SparkMasterEnv names the setting that chooses where the Spark Connect server runs its
// application: unset, on the stack's standalone cluster (spark://<master>); local[N], in
// the server's own JVM, as a benchmark baseline. The master and workers run either way, so
// the scrape targets and alerts stay those of the topology.
const SparkMasterEnv = "FINOBS_SPARK_MASTER"

// SparkDaemonHeap is the heap of the standalone master and of each worker: they only keep
// the cluster's state; the executors the workers start have spark.executor.memory.
const SparkDaemonHeap = "256m"

var sparkLocalRE = regexp.MustCompile(`^local(\[(\*|[1-9][0-9]*)(,[1-9][0-9]*)?\])?$`)

// SparkMaster is the master URL the Spark Connect server of st runs against: $FINOBS_SPARK_MASTER,
// else the topology's standalone master.
func SparkMaster(st stack.Stack) (string, error) {
	v := strings.TrimSpace(os.Getenv(SparkMasterEnv))
	if v == "" {
		if st.Count(stack.SparkMaster) == 0 {
			return "local[2]", nil
		}
		return "spark://" + st.One(stack.SparkMaster).Addr(stack.PortSpark), nil
	}
	if sparkLocalRE.MatchString(v) || strings.HasPrefix(v, "spark://") && len(v) > len("spark://") {
		return v, nil
	}
	return "", fmt.Errorf("%s=%q: want local, local[N], local[*] or spark://host:port (unset: the stack's own master)", SparkMasterEnv, v)
}

// sparkDaemonEnv is the environment of a master or worker: Spark's launcher reads the heap
// and JVM options from it. Logs go through deploy/spark (SPARK_CONF_DIR) to the process's
// log, and through the rendered log4j2 config to its event file for Filebeat.
func sparkDaemonEnv(p Paths, env Env, inst stack.Instance) []string {
	return []string{"JAVA_HOME=" + env.JavaHome, "SPARK_HOME=" + env.SparkHome, "SPARK_LOCAL_IP=" + inst.Host,
		"SPARK_CONF_DIR=" + p.Deploy("spark"),
		"SPARK_DAEMON_MEMORY=" + SparkDaemonHeap,
		"SPARK_DAEMON_JAVA_OPTS=-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Dlog4j2.configurationFile=" + jvmLog4j(p, "spark") +
			" -D" + logpipeline.LogFileProperty + "=" + p.EventLog(inst.Name),
	}
}

// sparkProperties writes a daemon's properties file (conf/<name>.properties): given with
// --properties-file, it replaces spark-defaults.conf, which holds the Connect server's
// settings.
func sparkProperties(p Paths, inst stack.Instance, kvs [][2]string) (string, func(context.Context) error) {
	path := filepath.Join(p.Conf(), inst.Name+".properties")
	return path, func(context.Context) error {
		if err := generated(jvmLog4j(p, "spark")); err != nil {
			return err
		}
		if err := generated(p.Deploy("spark/metrics.properties")); err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("# Written by `go run ./cmd/stack up` from topology/; do not edit.\n")
		for _, kv := range kvs {
			fmt.Fprintf(&b, "%s %s\n", kv[0], kv[1])
		}
		return os.WriteFile(path, []byte(b.String()), 0o644)
	}
}

func sparkMasterService(p Paths, env Env, st stack.Stack, inst stack.Instance) service {
	conf, prepare := sparkProperties(p, inst, [][2]string{
		{"spark.metrics.conf", p.Deploy("spark/metrics.properties")},
		// The REST submission server would listen on 6066: nothing submits through it.
		{"spark.master.rest.enabled", "false"},
		{"spark.deploy.retainedApplications", "20"},
		{"spark.deploy.retainedDrivers", "20"},
	})
	base := "http://" + inst.Addr(stack.PortMetrics)
	return service{
		dir: filepath.Join(p.Data(), inst.Name),
		argv: []string{filepath.Join(env.SparkHome, "bin", "spark-class"), "org.apache.spark.deploy.master.Master",
			"--host", inst.Host, "--port", strconv.Itoa(inst.Port(stack.PortSpark)),
			"--webui-port", strconv.Itoa(inst.Port(stack.PortMetrics)), "--properties-file", conf},
		env:     sparkDaemonEnv(p, env, inst),
		prepare: prepare,
		// Healthy once every worker of the topology registered: a master alone runs nothing.
		health:  all(httpOK(metricsURL(inst)), sparkAliveWorkers(base, st.Count(stack.SparkWorker))),
		timeout: 90 * time.Second,
		url:     base,
	}
}

func sparkWorkerService(p Paths, env Env, st stack.Stack, inst stack.Instance) service {
	dir := filepath.Join(p.Data(), inst.Name)
	master := st.One(stack.SparkMaster)
	conf, prepare := sparkProperties(p, inst, [][2]string{
		{"spark.metrics.conf", p.Deploy("spark/metrics.properties")},
		// Every Spark Connect start is an application whose directory (the jars it was given,
		// the executor's logs) the worker keeps: drop those of finished ones after a day.
		{"spark.worker.cleanup.enabled", "true"},
		{"spark.worker.cleanup.appDataTtl", "86400"},
	})
	mkdir := prepare
	prepare = func(ctx context.Context) error {
		if err := mkdirs(filepath.Join(dir, "work"), filepath.Join(dir, "tmp")); err != nil {
			return err
		}
		return mkdir(ctx)
	}
	return service{
		dir: dir,
		argv: []string{filepath.Join(env.SparkHome, "bin", "spark-class"), "org.apache.spark.deploy.worker.Worker",
			"--host", inst.Host, "--port", strconv.Itoa(inst.Port(stack.PortSpark)),
			"--webui-port", strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--cores", strconv.Itoa(inst.Cores), "--memory", strconv.Itoa(inst.MemoryMB) + "m",
			"--work-dir", filepath.Join(dir, "work"), "--properties-file", conf,
			"spark://" + master.Addr(stack.PortSpark)},
		// Executors' shuffle and spill files go under the worker's local dirs.
		env:     append(sparkDaemonEnv(p, env, inst), "SPARK_LOCAL_DIRS="+filepath.Join(dir, "tmp")),
		prepare: prepare,
		health: all(httpOK(metricsURL(inst)),
			sparkWorkerRegistered("http://"+master.Addr(stack.PortMetrics), inst.Addr(stack.PortSpark))),
		timeout: 90 * time.Second,
		url:     metricsURL(inst),
	}
}

// MasterStatus is what the standalone master's web UI serves at /json/ (the fields the
// stack reads).
type MasterStatus struct {
	Status       string `json:"status"`
	AliveWorkers int    `json:"aliveworkers"`
	Cores        int    `json:"cores"`
	CoresUsed    int    `json:"coresused"`
	Memory       int    `json:"memory"`
	MemoryUsed   int    `json:"memoryused"`
	Workers      []struct {
		ID        string `json:"id"`
		Host      string `json:"host"`
		Port      int    `json:"port"`
		Cores     int    `json:"cores"`
		CoresUsed int    `json:"coresused"`
		State     string `json:"state"`
	} `json:"workers"`
	ActiveApps []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Cores int    `json:"cores"`
		State string `json:"state"`
	} `json:"activeapps"`
}

// ReadMasterStatus reads the master's /json/ at base (http://host:port of its web UI).
func ReadMasterStatus(ctx context.Context, base string) (MasterStatus, error) {
	var ms MasterStatus
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/json/", nil)
	if err != nil {
		return ms, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return ms, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return ms, err
	}
	if resp.StatusCode != http.StatusOK {
		return ms, fmt.Errorf("GET %s/json/: %s", base, resp.Status)
	}
	if err := json.Unmarshal(body, &ms); err != nil {
		return ms, fmt.Errorf("GET %s/json/: %w", base, err)
	}
	return ms, nil
}

// sparkAliveWorkers checks that the master is ALIVE with want workers alive.
func sparkAliveWorkers(base string, want int) check {
	return func(ctx context.Context) error {
		ms, err := ReadMasterStatus(ctx, base)
		if err != nil {
			return err
		}
		if ms.Status != "ALIVE" {
			return fmt.Errorf("spark master at %s is %s, not ALIVE", base, ms.Status)
		}
		if ms.AliveWorkers != want {
			return fmt.Errorf("spark master at %s has %d alive workers, want %d", base, ms.AliveWorkers, want)
		}
		return nil
	}
}

// sparkWorkerRegistered checks that the master lists the worker at addr as ALIVE.
func sparkWorkerRegistered(base, addr string) check {
	return func(ctx context.Context) error {
		ms, err := ReadMasterStatus(ctx, base)
		if err != nil {
			return err
		}
		for _, w := range ms.Workers {
			if w.State == "ALIVE" && fmt.Sprintf("%s:%d", w.Host, w.Port) == addr {
				return nil
			}
		}
		return fmt.Errorf("spark master at %s has no alive worker at %s", base, addr)
	}
}

var executorIDRE = regexp.MustCompile(`executor_id="([^"]+)"`)

// sparkExecutorsUp checks that the driver's executor metrics at url list an executor other
// than the driver: the application got resources from the cluster.
func sparkExecutorsUp(url string) check {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		for _, m := range executorIDRE.FindAllSubmatch(body, -1) {
			if string(m[1]) != "driver" {
				return nil
			}
		}
		return fmt.Errorf("GET %s: no executor besides the driver yet (is a worker registered with the master?)", url)
	}
}
