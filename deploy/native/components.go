package native

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/finobs/finobs/deploy/deployment"
	"github.com/finobs/finobs/deploy/kafkaconf"
	"github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// service is one process of the local stack, derived from a topology instance.
type service struct {
	inst    stack.Instance
	phase   int // 0 starts before 1; each phase waits for the health of all its services
	dir     string
	env     []string
	argv    []string
	prepare func(ctx context.Context) error // configs, storage format; nil when none
	health  check
	timeout time.Duration // to become healthy
	url     string        // what status shows
	// ready runs once the service is healthy, before the next phase starts (Elasticsearch
	// gets its index templates before Filebeat ships anything); nil when none.
	ready func(ctx context.Context, log *slog.Logger) error
	user  *syscall.Credential // run as this user; nil: as the stack's
	skip  string              // why `up` does not start it ("" starts it)
	// An instance served by two processes (the Elasticsearch node and its front door) names
	// the second (proc) and splits the ports (only).
	proc string
	only []string
}

func (s service) name() string {
	if s.proc != "" {
		return s.proc
	}
	return s.inst.Name
}

// ports are the ports the process listens on: the instance's, or those named in only.
func (s service) ports() []stack.Port {
	if s.only == nil {
		return s.inst.Ports
	}
	var out []stack.Port
	for _, p := range s.inst.Ports {
		if slices.Contains(s.only, p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// stopRank orders `down`: clients of a component stop before it. Brokers stop before the
// controllers (a broker without a quorum hangs in controlled shutdown).
func stopRank(c stack.Component) int {
	switch c {
	case stack.Prometheus, stack.Filebeat, stack.ElasticsearchExporter, stack.KafkaLagExporter,
		stack.Producer, stack.StreamDriver: // the stream driver stops its query on Spark Connect
		return 0
	case stack.SparkConnect:
		return 1
	case stack.KafkaBroker, stack.SparkWorker: // a worker takes its executors with it
		return 2
	case stack.KafkaCombined, stack.SparkMaster:
		return 3
	case stack.KafkaController:
		return 4
	case stack.Alertmanager:
		return 5
	case stack.Elasticsearch: // after Filebeat, its client
		return 6
	default:
		return 7
	}
}

// Managed reports whether the stack runs the component (Starts says whether `up` starts it
// here: FINOBS_LOGS=0 and FINOBS_PIPELINE=0 leave some out).
func Managed(c stack.Component) bool {
	switch c {
	case stack.KafkaCombined, stack.KafkaController, stack.KafkaBroker, stack.SparkConnect,
		stack.SparkMaster, stack.SparkWorker, stack.NodeExporter, stack.Prometheus, stack.Alertmanager, stack.Webhook,
		stack.Elasticsearch, stack.ElasticsearchExporter, stack.Filebeat, stack.SchemaRegistry,
		stack.Producer, stack.StreamDriver, stack.KafkaLagExporter:
		return true
	}
	return false
}

// services lists the managed processes of st.
func services(p Paths, env Env, st stack.Stack) ([]service, error) {
	urls, err := deployment.For(st, nil)
	if err != nil {
		return nil, err
	}
	var out []service
	for _, inst := range st.Instances {
		if !Starts(inst.Component) {
			continue
		}
		var s service
		var err error
		switch inst.Component {
		case stack.KafkaCombined, stack.KafkaController, stack.KafkaBroker:
			s, err = kafkaService(p, env, st, inst)
		case stack.SparkMaster:
			s = sparkMasterService(p, env, st, inst)
		case stack.SparkWorker:
			s = sparkWorkerService(p, env, st, inst)
		case stack.SparkConnect:
			s, err = sparkService(p, env, st, inst)
		case stack.NodeExporter:
			s = nodeExporterService(p, inst)
		case stack.KafkaLagExporter:
			s = lagExporterService(p, st, inst)
		case stack.Prometheus:
			s = prometheusService(p, st, inst, urls)
		case stack.Alertmanager:
			s = alertmanagerService(p, env, st, inst, urls)
		case stack.Webhook:
			s = webhookService(p, inst)
		case stack.Elasticsearch:
			s, err = elasticsearchService(p, env, inst)
			front := esFrontService(p, inst)
			front.inst = inst
			front.dir = p.Data()
			front.timeout = s.timeout
			out = append(out, front)
		case stack.ElasticsearchExporter:
			s = esExporterService(p, st, inst)
		case stack.Filebeat:
			s = filebeatService(p, st, inst)
		case stack.SchemaRegistry:
			s = registryService(p, env, st, inst)
		case stack.Producer:
			s, err = producerService(p, st, inst)
		case stack.StreamDriver:
			s = streamService(p, st, inst)
		}
		if err != nil {
			return nil, err
		}
		s.inst = inst
		if s.dir == "" {
			s.dir = p.Data()
		}
		if s.timeout == 0 {
			s.timeout = 30 * time.Second
		}
		out = append(out, s)
	}
	return out, nil
}

func metricsURL(inst stack.Instance) string {
	path := inst.MetricsPath
	if path == "" {
		path = "/metrics"
	}
	return "http://" + inst.Addr(stack.PortMetrics) + path
}

func jmxRole(c stack.Component) string {
	switch c {
	case stack.KafkaCombined:
		return "combined"
	case stack.KafkaController:
		return "controller"
	default:
		return "broker"
	}
}

// KafkaLogDirs are the log directories of a Kafka node of st: its directory under
// kafkaDataDir, then one beside it per further directory it declares (kafka-broker-3-disk2).
func (p Paths) KafkaLogDirs(st stack.Stack, inst stack.Instance) []string {
	return kafkaconf.LogDirs(inst, filepath.Join(kafkaDataDir(p, st), inst.Name))
}

// kafkaDataDir keeps the 1-node and the 3-node cluster apart: switching KAFKA_NODES
// never mixes their metadata.
func kafkaDataDir(p Paths, st stack.Stack) string {
	return filepath.Join(p.Data(), fmt.Sprintf("kafka-%dnodes", st.Controllers()))
}

func kafkaService(p Paths, env Env, st stack.Stack, inst stack.Instance) (service, error) {
	role := jmxRole(inst.Component)
	jmxConf := p.Deploy(filepath.Join("jmx", "kafka-"+role+".yml"))
	conf := filepath.Join(p.Conf(), inst.Name+".properties")
	logDirs := p.KafkaLogDirs(st, inst)
	heap := map[string]string{"combined": "512m", "broker": "384m", "controller": "256m"}[role]
	java := filepath.Join(env.JavaHome, "bin", "java")
	cp := filepath.Join(p.KafkaLibs(), "*")
	log4j := jvmLog4j(p, "kafka")
	// The whole heap from the start, as kafka-server-start.sh does: grown from a small one,
	// G1 ran young collections several times a second under load. 4 MB regions keep produce
	// requests (up to a few MB) from being humongous objects, each of which starts a
	// concurrent cycle.
	jvm := []string{java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:G1HeapRegionSize=4m", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError",
		"-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j, "-Dkafka.logs.dir=" + p.Logs(),
		"-D" + logpipeline.LogFileProperty + "=" + p.EventLog(inst.Name)}

	s := service{
		argv: append(jvm, fmt.Sprintf("-javaagent:%s=%s:%s", p.JMXAgent(), inst.Addr(stack.PortMetrics), jmxConf),
			"-cp", cp, "kafka.Kafka", conf),
		env:     []string{"JAVA_HOME=" + env.JavaHome},
		timeout: 120 * time.Second,
		url:     metricsURL(inst),
	}
	s.prepare = func(ctx context.Context) error {
		if err := mkdirs(logDirs...); err != nil {
			return err
		}
		if err := generated(jmxConf); err != nil {
			return err
		}
		if err := generated(log4j); err != nil {
			return err
		}
		props, err := kafkaProperties(st, inst, logDirs)
		if err != nil {
			return err
		}
		if err := os.WriteFile(conf, []byte(props), 0o644); err != nil {
			return err
		}
		// Every dir needs its meta.properties (a node does not start with an unformatted
		// one); --ignore-formatted formats only those without, as when a dir is added.
		formatted := true
		for _, d := range logDirs {
			formatted = formatted && exists(filepath.Join(d, "meta.properties"))
		}
		if formatted {
			return nil
		}
		id, err := clusterID(kafkaDataDir(p, st))
		if err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, java, "-Dlog4j2.configurationFile="+log4j, "-cp", cp,
			"kafka.tools.StorageTool", "format", "--ignore-formatted", "--cluster-id="+id, "-c", conf).CombinedOutput()
		if err != nil {
			return fmt.Errorf("format storage of %s in %s: %w\n%s", inst.Name, strings.Join(logDirs, ","), err, lastLines(string(out), 10))
		}
		return nil
	}
	metrics := httpOK(metricsURL(inst))
	switch inst.Component {
	case stack.KafkaController:
		s.health = all(metrics, tcpOpen(inst.Addr(stack.PortController)))
	default:
		s.health = all(metrics, kafkaBrokers(inst.Addr(stack.PortBroker), st.Brokers()))
	}
	return s, nil
}

// clusterID returns the KRaft cluster id of a data dir, making one on first use.
func clusterID(dir string) (string, error) {
	if err := mkdirs(dir); err != nil {
		return "", err
	}
	f := filepath.Join(dir, "cluster-id")
	if b, err := os.ReadFile(f); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	id := newClusterID()
	return id, os.WriteFile(f, []byte(id+"\n"), 0o644)
}

// newClusterID is a random KRaft cluster id as Kafka's Uuid.randomUuid makes one: version 4,
// base64url, and never starting with a dash (Kafka draws again: a command line would read
// "-t -Urp..." as an option; one id in 64 did, and the stack's format failed).
func newClusterID() string {
	for {
		var u [16]byte
		rand.Read(u[:])
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80
		if id := base64.RawURLEncoding.EncodeToString(u[:]); id[0] != '-' {
			return id
		}
	}
}

// kafkaProperties is the server.properties of a node: deploy/kafkaconf's settings, the
// same the Compose file gives each container.
func kafkaProperties(st stack.Stack, inst stack.Instance, logDirs []string) (string, error) {
	settings, err := kafkaconf.Node(st, inst, logDirs...)
	if err != nil {
		return "", err
	}
	return kafkaconf.Properties("Written by `go run ./cmd/stack up` from deploy/kafkaconf; do not edit.", settings), nil
}

// jvmLog4j is the log4j2 config of a JVM group, deploy/log4j2/<group>.properties: rendered
// by cmd/gen from the group's log pipeline, it logs to the console (the process's
// <instance>.log) and, through a file appender on ${sys:finobs.log.file}, to the
// <instance>.events.log Filebeat reads. Tools run with it (the storage format) set no
// file and write no events.
func jvmLog4j(p Paths, group string) string {
	return p.Deploy(filepath.Join("log4j2", group+".properties"))
}

func sparkService(p Paths, env Env, st stack.Stack, inst stack.Instance) (service, error) {
	master, err := SparkMaster(st)
	if err != nil {
		return service{}, err
	}
	dir := filepath.Join(p.Data(), "spark")
	host := inst.Host
	jars, _ := filepath.Glob(filepath.Join(p.SparkJars(), "*.jar"))
	conf := func(k, v string) []string { return []string{"--conf", k + "=" + v} }
	argv := []string{filepath.Join(env.SparkHome, "bin", "spark-submit"),
		"--properties-file", p.Deploy("spark/spark-defaults.conf"), "--master", master}
	// What depends on where the stack runs is set here; the rest lives in deploy/spark.
	for _, kv := range [][2]string{
		{"spark.metrics.conf", p.Deploy("spark/metrics.properties")},
		{"spark.connect.grpc.binding.address", host},
		{"spark.connect.grpc.binding.port", strconv.Itoa(inst.Port(stack.PortGRPC))},
		{"spark.ui.port", strconv.Itoa(inst.Port(stack.PortMetrics))},
		{"spark.port.maxRetries", "0"}, // fail rather than serve metrics on another port
		{"spark.driver.host", host},
		{"spark.driver.bindAddress", host},
		{"spark.local.dir", filepath.Join(dir, "tmp")},
		{"spark.sql.warehouse.dir", filepath.Join(dir, "warehouse")},
		{"spark.sql.streaming.checkpointLocation", filepath.Join(dir, "checkpoints")},
		{"spark.driver.extraJavaOptions", sparkDriverOpts(p, inst, dir)},
	} {
		argv = append(argv, conf(kv[0], kv[1])...)
	}
	argv = append(argv, "--jars", strings.Join(jars, ","),
		"--class", "org.apache.spark.sql.connect.service.SparkConnectServer", "spark-internal")
	// On the cluster the server is healthy once its application has an executor: before
	// that, every query it starts waits for resources.
	health := all(tcpOpen(inst.Addr(stack.PortGRPC)), httpOK(metricsURL(inst)))
	if strings.HasPrefix(master, "spark://") {
		for _, x := range inst.Extra {
			if x.Job == stack.SparkExecutors {
				health = all(health, sparkExecutorsUp("http://"+inst.Addr(stack.PortMetrics)+x.Path))
			}
		}
	}
	return service{
		dir:  dir,
		argv: argv,
		// SPARK_CONF_DIR: log4j2.properties (and the rest) come from deploy/spark.
		env: []string{"JAVA_HOME=" + env.JavaHome, "SPARK_HOME=" + env.SparkHome, "SPARK_LOCAL_IP=" + host,
			"SPARK_CONF_DIR=" + p.Deploy("spark"),
			"PYSPARK_PYTHON=" + filepath.Join(p.Venv(), "bin", "python")},
		prepare: func(context.Context) error {
			if err := generated(jvmLog4j(p, "spark")); err != nil {
				return err
			}
			return mkdirs(filepath.Join(dir, "tmp"))
		},
		health:  health,
		timeout: 180 * time.Second, // a JVM of 400 jars on 2 busy cores
		url:     "sc://" + inst.Addr(stack.PortGRPC),
	}, nil
}

// sparkDriverOpts are the driver JVM's options: its Derby home, and the rendered log4j2
// config with its event file (it takes precedence over SPARK_CONF_DIR's log4j2.properties,
// which Compose mounts).
func sparkDriverOpts(p Paths, inst stack.Instance, dir string) string {
	return "-Dderby.system.home=" + filepath.Join(dir, "derby") +
		" -Dlog4j2.configurationFile=" + jvmLog4j(p, "spark") + " -D" + logpipeline.LogFileProperty + "=" + p.EventLog(inst.Name)
}

func nodeExporterService(p Paths, inst stack.Instance) service {
	return service{
		argv: []string{filepath.Join(p.Bin(), "node_exporter"),
			"--web.listen-address=" + inst.Addr(stack.PortMetrics),
			"--collector.disable-defaults",
			"--collector.filesystem", "--collector.cpu", "--collector.meminfo", "--collector.loadavg",
			// Sandboxes mount tiny tmpfs file systems that are always "full": not ours to alert on.
			"--collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys|mnt/sandboxing|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
			"--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tmpfs|tracefs)$",
		},
		health: httpOK(metricsURL(inst)),
		url:    metricsURL(inst),
	}
}

// lagExporterService reads every consumer group's lag (cmd/kafka-lag-exporter); phase 1,
// after the brokers it reads.
func lagExporterService(p Paths, st stack.Stack, inst stack.Instance) service {
	return service{
		phase: 1,
		argv: []string{filepath.Join(p.Bin(), "kafka-lag-exporter"),
			"-brokers", st.KafkaBootstrap(), "-metrics-addr", inst.Addr(stack.PortMetrics)},
		health: httpOK(metricsURL(inst)),
		url:    metricsURL(inst),
	}
}

func prometheusService(p Paths, st stack.Stack, inst stack.Instance, urls deployment.URLs) service {
	// cmd/gen renders deploy/local/prometheus.yml for the default topology (one combined
	// node) and deploy/local/prometheus-kafka<N>.yml for the others.
	cfg := p.Deploy("local/prometheus.yml")
	if st.Controllers() != 1 {
		cfg = p.Deploy(fmt.Sprintf("local/prometheus-kafka%d.yml", st.Controllers()))
	}
	base := "http://" + inst.Addr(stack.PortMetrics)
	return service{
		argv: []string{filepath.Join(p.Bin(), "prometheus"),
			"--config.file=" + cfg,
			// One TSDB per topology size: after a switch, the other size's last samples
			// (up of kafka-1, say) would count as live targets for 5 minutes.
			"--storage.tsdb.path=" + promData(p, st),
			"--storage.tsdb.retention.time=2d",
			"--web.listen-address=" + inst.Addr(stack.PortMetrics),
			"--web.enable-lifecycle",
			// The links in alerts (generatorURL) use the deployment's address; routes stay
			// at / whatever path a proxy in front adds.
			"--web.external-url=" + urls.Prometheus, "--web.route-prefix=/",
		},
		prepare: func(context.Context) error { return generated(cfg) },
		phase:   1, // after its targets: its first scrapes find them up
		health:  httpOK(base + "/-/ready"),
		timeout: 60 * time.Second,
		url:     base,
	}
}

func alertmanagerService(p Paths, env Env, st stack.Stack, inst stack.Instance, urls deployment.URLs) service {
	cfg := p.Deploy("local/alertmanager.yml")
	base := "http://" + inst.Addr(stack.PortMetrics)
	return service{
		argv: []string{env.Alertmanager,
			"--config.file=" + cfg,
			// Silences and the notification log survive a restart, as an operator expects: a
			// silence stays set, and what was notified is not notified again before its repeat
			// interval. One directory per topology: the 3+3 stack is another deployment.
			"--storage.path=" + p.StateOf(st, "alertmanager"),
			"--web.listen-address=" + inst.Addr(stack.PortMetrics),
			"--cluster.listen-address=", // no gossip port: a single local instance
			"--web.external-url=" + urls.Alertmanager, "--web.route-prefix=/",
			// receiver_name on the notification metrics: the failing-delivery alert names the receiver.
			"--enable-feature=receiver-name-in-metrics",
		},
		prepare: func(context.Context) error { return generated(cfg) },
		health:  httpOK(base + "/-/ready"),
		url:     base,
	}
}

func webhookService(p Paths, inst stack.Instance) service {
	base := "http://" + inst.Addr(stack.PortHTTP)
	return service{
		argv: append([]string{filepath.Join(p.Bin(), "webhook"),
			"-listen", inst.Addr(stack.PortHTTP),
			"-file", filepath.Join(p.WebhookDir(), "notifications.jsonl"),
			// The runbook_url of the native rules points here (deploy/deployment).
			"-runbooks", p.Deploy("runbooks")}, webhookReceivers(inst)...),
		health: httpOK(base + "/healthz"),
		url:    base + "/notifications",
	}
}

// promData is the TSDB directory: data/prometheus for the default topology, and one per
// other size (data/prometheus-kafka3).
func promData(p Paths, st stack.Stack) string { return p.StateOf(st, "prometheus") }

// generated checks that a config cmd/gen renders is there: the stack runs what is committed
// under deploy/, never a second rendering of its own.
func generated(path string) error {
	if !exists(path) {
		return fmt.Errorf("%s is missing: run `go run ./cmd/gen`", path)
	}
	return nil
}
