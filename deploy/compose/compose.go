// Package compose renders deploy/compose.yaml, the Docker Compose deployment, from
// topology.Compose(): one service per topology instance (plus the one-shot jobs that
// prepare volumes and users), the configs cmd/gen renders mounted read-only, secrets
// from files outside the repository, and Kafka's settings from deploy/kafkaconf, the
// same the native 3+3 stack runs.
package compose

import (
	"bytes"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/deploy/deployment"
	"github.com/finobs/finobs/deploy/kafkaconf"
	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/logstash"
	"github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// SecretsDir is where the secret files live, relative to the compose file: git-ignored,
// written by `go run ./cmd/compose secrets`, never by cmd/gen.
const SecretsDir = "secrets"

// Secret is a file Compose mounts into services; its content never enters the repo.
type Secret struct {
	Name string
	What string // for `cmd/compose secrets` and the error naming a missing one
	// Random secrets are passwords `cmd/compose secrets` makes up; the others (receiver
	// keys and URLs of outside services) the user writes, and a placeholder is written
	// that no receiver accepts.
	Random bool
}

// Secrets are every secret of the stack.
var Secrets = []Secret{
	{Name: "elastic-password", What: "password of Elasticsearch's elastic superuser (Logstash, Grafana, the exporter and the provisioner log in with it)", Random: true},
	{Name: "kibana-system-password", What: "password of Elasticsearch's kibana_system user, set by the es-users job", Random: true},
	{Name: "grafana-admin-password", What: "password of Grafana's admin user", Random: true},
	{Name: "pagerduty-routing-key", What: "PagerDuty Events v2 routing key of the paging receiver"},
	{Name: "slack-webhook-url", What: "Slack incoming-webhook URL of the chat and default receivers"},
	{Name: "deadmansswitch-url", What: "URL of the dead man's switch service the heartbeat receiver posts the Watchdog to"},
}

// Options are what a user may change without editing the topology.
type Options struct {
	// PublishHost is the host address published ports bind to; stack.PublishedHost
	// (loopback) unless the deployment is meant to be reached from the network.
	PublishHost string
	// AlertmanagerSecrets is the directory Alertmanager's config reads secrets from
	// (alerts.SecretsDir).
	AlertmanagerSecrets string
	URLs                deployment.URLs
}

// Service is one Compose service, in the order its keys are written.
type Service struct {
	Image       string            `yaml:"image,omitempty"`
	Build       *Build            `yaml:"build,omitempty"`
	Hostname    string            `yaml:"hostname,omitempty"`
	User        string            `yaml:"user,omitempty"`
	Entrypoint  []string          `yaml:"entrypoint,omitempty"`
	Command     []string          `yaml:"command,omitempty"`
	Environment map[string]string `yaml:"environment,omitempty"`
	Expose      []string          `yaml:"expose,omitempty"`
	Ports       []string          `yaml:"ports,omitempty"`
	Volumes     []string          `yaml:"volumes,omitempty"`
	Secrets     []SecretRef       `yaml:"secrets,omitempty"`
	DependsOn   map[string]Dep    `yaml:"depends_on,omitempty"`
	Healthcheck *Healthcheck      `yaml:"healthcheck,omitempty"`
	MemLimit    string            `yaml:"mem_limit"`
	Restart     string            `yaml:"restart"`
}

// Build is a service image built from this repository.
type Build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
	Target     string `yaml:"target,omitempty"`
}

// SecretRef mounts a secret at Target (absolute), or /run/secrets/<source>.
type SecretRef struct {
	Source string `yaml:"source"`
	Target string `yaml:"target,omitempty"`
}

// Dep is a depends_on condition.
type Dep struct {
	Condition string `yaml:"condition"`
}

// Healthcheck is how Compose (and `up --wait`) knows a service is ready.
type Healthcheck struct {
	Test        []string `yaml:"test,flow"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

type file struct {
	Name     string                       `yaml:"name"`
	Services map[string]*Service          `yaml:"services"`
	Volumes  map[string]struct{}          `yaml:"volumes"`
	Secrets  map[string]map[string]string `yaml:"secrets"`
}

// Container paths.
const (
	logDir        = "/var/log/finobs"
	kafkaData     = "/var/lib/kafka/data"
	jmxDir        = "/opt/jmx"
	checkpointDir = "/var/lib/finobs/checkpoints"
	// registryData holds the registry's H2 database, registry/db as on the native stack
	// (jdbc:h2:file:<data>/registry/db). The image ships no data directory (its profile):
	// the volume starts root-owned and the setup job gives it to the image's uid.
	registryData = "/var/lib/finobs/registry"
	sparkConf    = "/opt/finobs/spark"
	log4jDir     = "/opt/finobs/log4j2"
	runSecrets   = "/run/secrets/"
)

const (
	healthy   = "service_healthy"
	completed = "service_completed_successfully"
)

// Render writes the compose file of st.
func Render(st stack.Stack, o Options) ([]byte, error) {
	if o.PublishHost == "" {
		o.PublishHost = stack.PublishedHost
	}
	if net.ParseIP(o.PublishHost) == nil {
		return nil, fmt.Errorf("compose: publish host %q is not an IP address", o.PublishHost)
	}
	r := &renderer{st: st, o: o, f: file{Name: "finobs", Services: map[string]*Service{}, Volumes: map[string]struct{}{},
		Secrets: map[string]map[string]string{}}}
	for _, s := range Secrets {
		r.f.Secrets[s.Name] = map[string]string{"file": SecretsDir + "/" + s.Name}
	}
	if err := r.jobs(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	for _, inst := range st.Instances {
		if err := r.instance(inst); err != nil {
			return nil, fmt.Errorf("compose: %s: %w", inst.Name, err)
		}
	}
	for name, s := range r.f.Services {
		for dep := range s.DependsOn {
			if r.f.Services[dep] == nil {
				return nil, fmt.Errorf("compose: %s depends on %s, which is no service", name, dep)
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("# The Compose stack. Generated by `go run ./cmd/gen` from topology/ (deploy/compose); do not edit.\n")
	b.WriteString("# Run it with `make deploy` (secrets first: `go run ./cmd/compose secrets`); ports are published on " + o.PublishHost + ".\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(r.f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type renderer struct {
	st stack.Stack
	o  Options
	f  file
}

func (r *renderer) volume(name string) string {
	r.f.Volumes[name] = struct{}{}
	return name
}

// publish maps the instance's port to its host port (the topology's Published, else the
// same number) on the publish host.
func (r *renderer) publish(inst stack.Instance, port string) string {
	return net.JoinHostPort(r.o.PublishHost, strconv.Itoa(inst.HostPort(port))) + ":" + strconv.Itoa(inst.Port(port))
}

// health builds a healthcheck; a test given as one string runs in the image's shell.
func health(start string, test ...string) *Healthcheck {
	if len(test) == 1 {
		test = []string{"CMD-SHELL", test[0]}
	} else {
		test = append([]string{"CMD"}, test...)
	}
	return &Healthcheck{Test: test, Interval: "10s", Timeout: "5s", Retries: 12, StartPeriod: start}
}

// probe is a healthcheck asking url with an HTTP client the image's profile shows (wget,
// else curl) and, where want is set, finding want in the answer with grep: POSIX sh, for
// the image's /bin/sh (dash in Ubuntu-based images, busybox ash in Alpine and busybox
// ones). An image that shows neither client is an error.
func probe(image, start, url, want string) (*Healthcheck, error) {
	prof, err := profileOf(image)
	if err != nil {
		return nil, err
	}
	var get, discard string
	switch {
	case prof.Has("wget"):
		get, discard = "wget -q -O - "+url, "wget -q -O /dev/null "+url
	case prof.Has("curl"):
		get, discard = "curl -fsS "+url, "curl -fsS -o /dev/null "+url
	default:
		return nil, fmt.Errorf("%s: its profile shows no HTTP client (wget, curl) for the healthcheck", image)
	}
	if want == "" {
		return health(start, discard+" || exit 1"), nil
	}
	if !prof.Has("grep") {
		return nil, fmt.Errorf("%s: its profile shows no grep to find %q in the answer", image, want)
	}
	// The pipeline's status is grep's: an answer that failed is empty, and grep fails.
	return health(start, get+" | grep -q '"+want+"'"), nil
}

// bashProbe asks an HTTP endpoint with bash alone, /dev/tcp and built-ins, for an image
// whose profile shows bash and no HTTP client. Exec form: bash runs it, not /bin/sh.
func bashProbe(start string, port int, path string) *Healthcheck {
	return health(start, "bash", "-c", fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/%d && printf 'GET %s HTTP/1.0\r\n\r\n' >&3 && read -r proto code rest <&3 && test "$$code" = 200`, port, path))
}

// withSecretEnv wraps an entrypoint so that env holds the content of a secret file: for
// images that read a password from the environment only.
func withSecretEnv(env, secret string, entrypoint ...string) []string {
	return append([]string{"/bin/sh", "-c", fmt.Sprintf(`%s="$$(cat %s%s)" && export %s && exec "$$@"`, env, runSecrets, secret, env), "sh"}, entrypoint...)
}

func deps(kv ...string) map[string]Dep {
	m := map[string]Dep{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = Dep{kv[i+1]}
	}
	return m
}

// instanceNames of the components, for depends_on.
func (r *renderer) dependOn(m map[string]Dep, cond string, cs ...stack.Component) map[string]Dep {
	if m == nil {
		m = map[string]Dep{}
	}
	for _, c := range cs {
		for _, i := range r.st.Of(c) {
			m[i.Name] = Dep{cond}
		}
	}
	return m
}

// jobs are the one-shot services: `setup` fetches the JMX exporter agent (pinned by
// digest) and opens the shared volumes to the services' users; `es-users` sets the
// kibana_system password once Elasticsearch answers.
func (r *renderer) jobs() error {
	registry, ok := ProfileOf(ApicurioImage)
	if !ok || !registry.User.From.Known() || registry.User.UID < 0 || registry.User.GID < 0 {
		return fmt.Errorf("setup: the uid and gid %s runs as are not known (its profile): the registry's volume cannot be given to it", ApicurioImage)
	}
	jar := jmxDir + "/" + JMXAgentJar
	r.f.Services["setup"] = &Service{
		Image: CurlImage,
		User:  "0:0",
		// One command a line, none chained with &&: set -e ignores a failure before the last
		// && of a list (POSIX sh, set -e), and a failed download then exited 0. sha256sum -c
		// without busybox's -s, which GNU's lacks: the tests run the script on the host.
		Entrypoint: []string{"/bin/sh", "-c", strings.Join([]string{
			"set -e",
			fmt.Sprintf(`if ! echo "%s  %s" | sha256sum -c >/dev/null 2>&1; then`, JMXAgentSHA256, jar),
			fmt.Sprintf(`  curl -fsSL --retry 5 -o %s.part %s`, jar, JMXAgentURL),
			fmt.Sprintf(`  echo "%s  %s.part" | sha256sum -c`, JMXAgentSHA256, jar),
			fmt.Sprintf(`  mv %s.part %s`, jar, jar),
			"fi",
			fmt.Sprintf("chown %d:%d %s", registry.User.UID, registry.User.GID, registryData),
			// Kafka runs as appuser, Spark as spark: the volumes are created root-owned.
			"chmod 0777 " + logDir + " " + checkpointDir,
		}, "\n")},
		Volumes: []string{r.volume("jmx-agent") + ":" + jmxDir, r.volume("logs") + ":" + logDir, r.volume("checkpoints") + ":" + checkpointDir,
			r.volume("registry-data") + ":" + registryData},
		MemLimit: "64m",
		Restart:  "no",
	}
	es := r.st.One(stack.Elasticsearch)
	r.f.Services["es-users"] = &Service{
		Image: CurlImage,
		Entrypoint: []string{"/bin/sh", "-c", fmt.Sprintf(
			`curl -fsS -u "elastic:$$(cat %[1]selastic-password)" -H 'Content-Type: application/json' -X POST http://%[2]s/_security/user/kibana_system/_password -d "{\"password\":\"$$(cat %[1]skibana-system-password)\"}"`,
			runSecrets, es.Addr(stack.PortHTTP))},
		Secrets:   []SecretRef{{Source: "elastic-password"}, {Source: "kibana-system-password"}},
		DependsOn: deps(es.Name, healthy),
		MemLimit:  "64m",
		Restart:   "no",
	}
	return nil
}

func (r *renderer) instance(inst stack.Instance) error {
	switch inst.Component {
	case stack.KafkaController, stack.KafkaBroker, stack.KafkaCombined:
		return r.kafka(inst)
	}
	s := &Service{Hostname: inst.Host, Restart: "unless-stopped"}
	logs := r.volume("logs") + ":" + logDir
	logTo := func(name string) string { return " >>" + logDir + "/" + name + ".log 2>&1" }
	metrics := func(path string) string {
		if path == "" {
			path = inst.MetricsPath
		}
		if path == "" {
			path = "/metrics"
		}
		return "http://127.0.0.1:" + strconv.Itoa(inst.Port(stack.PortMetrics)) + path
	}
	master := r.st.Of(stack.SparkMaster)
	// check is an HTTP healthcheck with what the service's image has (probe).
	var checkErr error
	check := func(start, url, want string) *Healthcheck {
		h, err := probe(s.Image, start, url, want)
		if err != nil && checkErr == nil {
			checkErr = err
		}
		return h
	}
	switch inst.Component {
	case stack.SchemaRegistry:
		s.Image = ApicurioImage
		// Schemas in an H2 file on a volume, not in memory (apicurio.datasource.url defaults
		// to jdbc:h2:mem:, application.properties:242 of 3.3.1): a restart keeps each
		// schema and its id.
		s.Environment = map[string]string{"QUARKUS_HTTP_PORT": strconv.Itoa(inst.Port(stack.PortHTTP)), "APICURIO_STORAGE_KIND": "sql",
			"APICURIO_STORAGE_SQL_KIND": "h2", "APICURIO_DATASOURCE_URL": native.RegistryDatasourceURL(registryData + "/db"), "JAVA_OPTS_APPEND": "-Xmx192m"}
		s.Volumes = []string{r.volume("registry-data") + ":" + registryData}
		s.DependsOn = deps("setup", completed)
		s.Ports = []string{r.publish(inst, stack.PortHTTP)}
		// No HTTP client in the image's profile (ubi10 openjdk runtime): bash asks.
		s.Healthcheck = bashProbe("60s", inst.Port(stack.PortHTTP), "/apis/ccompat/v7/subjects")
		s.MemLimit = "384m"
	case stack.SparkMaster:
		s.Image = SparkImage
		s.Command = []string{"/opt/spark/bin/spark-class", "org.apache.spark.deploy.master.Master",
			"--host", inst.Host, "--port", strconv.Itoa(inst.Port(stack.PortSpark)), "--webui-port", strconv.Itoa(inst.Port(stack.PortMetrics))}
		r.spark(s, inst, "256m", "-Dspark.master.rest.enabled=false")
		s.Ports = []string{r.publish(inst, stack.PortMetrics)}
		s.Healthcheck = check("30s", metrics(""), "aliveWorkers")
		s.MemLimit = "384m"
	case stack.SparkWorker:
		if len(master) != 1 {
			return fmt.Errorf("a Spark worker needs one master, the topology has %d", len(master))
		}
		s.Image = SparkImage
		s.Command = []string{"/opt/spark/bin/spark-class", "org.apache.spark.deploy.worker.Worker",
			"--host", inst.Host, "--webui-port", strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--cores", strconv.Itoa(inst.Cores), "--memory", strconv.Itoa(inst.MemoryMB) + "m", "spark://" + master[0].Addr(stack.PortSpark)}
		r.spark(s, inst, "128m")
		// Executors write the queries' state under the checkpoint root.
		s.Volumes = append(s.Volumes, r.volume("checkpoints")+":"+checkpointDir)
		s.DependsOn = deps(master[0].Name, healthy)
		s.Healthcheck = check("30s", metrics(""), "coresUsed")
		// What the worker offers executors (the topology), and its own 128 MB heap.
		s.MemLimit = strconv.Itoa(inst.MemoryMB+256) + "m"
	case stack.SparkConnect:
		s.Image = SparkImage
		sparkMaster := "local[2]"
		if len(master) == 1 {
			sparkMaster = "spark://" + master[0].Addr(stack.PortSpark)
		}
		s.Command = []string{"/opt/spark/bin/spark-submit", "--master", sparkMaster,
			"--properties-file", sparkConf + "/spark-defaults.conf",
			// The native stack's Spark packages; Spark resolves them (and their dependencies)
			// from Maven Central when the server starts.
			"--packages", strings.Join(native.SparkPackages, ","),
			"--conf", "spark.jars.ivy=/tmp/ivy",
			"--conf", "spark.metrics.conf=" + sparkConf + "/metrics.properties",
			"--conf", "spark.connect.grpc.binding.port=" + strconv.Itoa(inst.Port(stack.PortGRPC)),
			"--conf", "spark.ui.port=" + strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--conf", "spark.port.maxRetries=0",
			"--conf", "spark.driver.host=" + inst.Host,
			"--conf", "spark.driver.memory=640m",
			"--conf", "spark.sql.streaming.checkpointLocation=" + checkpointDir,
			"--conf", "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=" + log4jDir + "/spark.properties -D" + logpipeline.LogFileProperty + "=" + logDir + "/" + inst.Name + ".events.log",
			"--class", "org.apache.spark.sql.connect.service.SparkConnectServer", "spark-internal"}
		r.spark(s, inst, "") // spark-submit: the driver's heap is spark.driver.memory
		s.Volumes = append(s.Volumes, r.volume("checkpoints")+":"+checkpointDir)
		s.Ports = []string{r.publish(inst, stack.PortGRPC), r.publish(inst, stack.PortMetrics)}
		s.DependsOn = r.dependOn(deps(), healthy, stack.SparkWorker, stack.KafkaBroker)
		s.Healthcheck = check("180s", metrics(""), "finobs")
		s.MemLimit = "1280m"
	case stack.Producer:
		s.Build = &Build{Context: "..", Dockerfile: "deploy/Dockerfile"}
		s.Image = OwnImage
		s.Entrypoint = []string{"/bin/sh", "-c", "exec produce \"$$@\"" + logTo(inst.Name), "produce"}
		s.Command = []string{"-brokers", r.st.KafkaBootstrap(), "-registry", r.st.RegistryURL(), "-rate", "200",
			"-metrics-addr", ":" + strconv.Itoa(inst.Port(stack.PortMetrics)), "-progress", "1m"}
		s.Volumes = []string{logs}
		// It registers its schema before it produces, and refuses to start without the registry.
		s.DependsOn = r.dependOn(deps(), healthy, stack.KafkaBroker, stack.SchemaRegistry)
		s.Healthcheck = check("20s", metrics(""), "")
		s.MemLimit = "256m"
	case stack.StreamDriver:
		connect := r.st.One(stack.SparkConnect)
		s.Build = &Build{Context: "..", Dockerfile: "deploy/Dockerfile"}
		s.Image = OwnImage
		s.Entrypoint = []string{"/bin/sh", "-c", "exec stream \"$$@\"" + logTo(inst.Name), "stream"}
		s.Command = []string{"-spark", connect.Addr(stack.PortGRPC), "-bootstrap", r.st.KafkaBootstrap(),
			"-registry", r.st.RegistryURL(), "-checkpoint-dir", checkpointDir, "-replication-factor", strconv.Itoa(min(3, r.st.Brokers())),
			"-metrics-addr", ":" + strconv.Itoa(inst.Port(stack.PortMetrics))}
		s.Volumes = []string{logs, r.volume("checkpoints") + ":" + checkpointDir}
		s.DependsOn = deps(connect.Name, healthy, r.st.One(stack.Producer).Name, healthy, r.st.One(stack.SchemaRegistry).Name, healthy)
		s.Healthcheck = check("60s", metrics(""), "")
		s.MemLimit = "256m"
	case stack.KafkaLagExporter:
		s.Build = &Build{Context: "..", Dockerfile: "deploy/Dockerfile"}
		s.Image = OwnImage
		s.Entrypoint = []string{"/bin/sh", "-c", "exec kafka-lag-exporter \"$$@\"" + logTo(inst.Name), "kafka-lag-exporter"}
		s.Command = []string{"-brokers", r.st.KafkaBootstrap(), "-metrics-addr", ":" + strconv.Itoa(inst.Port(stack.PortMetrics))}
		s.Volumes = []string{logs}
		s.DependsOn = r.dependOn(deps(), healthy, stack.KafkaBroker)
		s.Healthcheck = check("20s", metrics(""), "")
		s.MemLimit = "128m"
	case stack.NodeExporter:
		s.Image = NodeExporterImage
		s.Command = []string{"--path.rootfs=/host", "--web.listen-address=:" + strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--collector.disable-defaults", "--collector.filesystem", "--collector.cpu", "--collector.meminfo", "--collector.loadavg"}
		s.Volumes = []string{"/:/host:ro,rslave"}
		s.Healthcheck = check("10s", metrics(""), "")
		s.MemLimit = "64m"
	case stack.Prometheus:
		am := r.st.One(stack.Alertmanager)
		s.Image = PrometheusImage
		s.Entrypoint = []string{"/bin/sh", "-c", "exec /bin/prometheus \"$$@\"" + logTo(inst.Name), "prometheus"}
		s.Command = []string{"--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
			"--storage.tsdb.retention.time=7d", "--web.listen-address=:" + strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--web.enable-lifecycle", "--web.external-url=" + r.o.URLs.Prometheus, "--web.route-prefix=/"}
		s.Volumes = []string{"./prometheus:/etc/prometheus:ro", r.volume("prometheus-data") + ":/prometheus", logs}
		s.Ports = []string{r.publish(inst, stack.PortMetrics)}
		s.DependsOn = deps(am.Name, healthy, "setup", completed)
		s.Healthcheck = check("20s", metrics("/-/ready"), "")
		s.MemLimit = "512m"
	case stack.Alertmanager:
		s.Image = AlertmanagerImage
		s.Entrypoint = []string{"/bin/sh", "-c", "exec /bin/alertmanager \"$$@\"" + logTo(inst.Name), "alertmanager"}
		s.Command = []string{"--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager",
			"--web.listen-address=:" + strconv.Itoa(inst.Port(stack.PortMetrics)), "--cluster.listen-address=",
			"--web.external-url=" + r.o.URLs.Alertmanager, "--web.route-prefix=/",
			// receiver_name on the notification metrics: the failing-delivery alert names the receiver.
			"--enable-feature=receiver-name-in-metrics"}
		s.Volumes = []string{"./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro", r.volume("alertmanager-data") + ":/alertmanager", logs}
		for _, name := range []string{"pagerduty-routing-key", "slack-webhook-url", "deadmansswitch-url"} {
			s.Secrets = append(s.Secrets, SecretRef{Source: name, Target: r.o.AlertmanagerSecrets + "/" + name})
		}
		s.Ports = []string{r.publish(inst, stack.PortMetrics)}
		s.DependsOn = deps("setup", completed)
		s.Healthcheck = check("10s", metrics("/-/ready"), "")
		s.MemLimit = "128m"
	case stack.Runbooks:
		s.Build = &Build{Context: "..", Dockerfile: "deploy/Dockerfile"}
		s.Image = OwnImage
		s.Command = []string{"webhook", "-listen", ":" + strconv.Itoa(inst.Port(stack.PortHTTP)), "-runbooks", "/srv/runbooks", "-file", "/tmp/notifications.jsonl"}
		s.Volumes = []string{"./runbooks:/srv/runbooks:ro"}
		s.Ports = []string{r.publish(inst, stack.PortHTTP)}
		s.Healthcheck = check("5s", fmt.Sprintf("http://127.0.0.1:%d/healthz", inst.Port(stack.PortHTTP)), "")
		s.MemLimit = "64m"
	case stack.Grafana:
		s.Image = GrafanaImage
		s.Entrypoint = withSecretEnv(logstash.ElasticPasswordEnv, "elastic-password", "/run.sh")
		s.Environment = map[string]string{
			"GF_SECURITY_ADMIN_USER":           "admin",
			"GF_SECURITY_ADMIN_PASSWORD__FILE": runSecrets + "grafana-admin-password",
			"GF_SERVER_ROOT_URL":               r.o.URLs.Grafana,
			"GF_SERVER_HTTP_PORT":              strconv.Itoa(inst.Port(stack.PortHTTP)),
			"GF_USERS_ALLOW_SIGN_UP":           "false",
			"GF_AUTH_ANONYMOUS_ENABLED":        "false",
			"GF_ANALYTICS_REPORTING_ENABLED":   "false",
		}
		s.Volumes = []string{"./grafana/provisioning:/etc/grafana/provisioning:ro", "./grafana/dashboards:/var/lib/grafana/dashboards:ro",
			r.volume("grafana-data") + ":/var/lib/grafana"}
		s.Secrets = []SecretRef{{Source: "grafana-admin-password"}, {Source: "elastic-password"}}
		s.Ports = []string{r.publish(inst, stack.PortHTTP)}
		s.DependsOn = deps(r.st.One(stack.Prometheus).Name, healthy, r.st.One(stack.Elasticsearch).Name, healthy)
		s.Healthcheck = check("30s", fmt.Sprintf("http://127.0.0.1:%d/api/health", inst.Port(stack.PortHTTP)), "")
		s.MemLimit = "256m"
	case stack.Elasticsearch:
		s.Image = ElasticsearchImage
		s.Environment = map[string]string{
			"discovery.type":         "single-node",
			"xpack.security.enabled": "true",
			// Plain HTTP inside the stack's network; TLS belongs to a proxy in front.
			"xpack.security.http.ssl.enabled":                       "false",
			"xpack.security.transport.ssl.enabled":                  "false",
			"ELASTIC_PASSWORD_FILE":                                 runSecrets + "elastic-password",
			"ES_JAVA_OPTS":                                          "-Xms512m -Xmx512m",
			"cluster.name":                                          "finobs",
			"cluster.routing.allocation.disk.watermark.low":         "2gb",
			"cluster.routing.allocation.disk.watermark.high":        "1gb",
			"cluster.routing.allocation.disk.watermark.flood_stage": "512mb",
		}
		s.Volumes = []string{r.volume("es-data") + ":/usr/share/elasticsearch/data"}
		s.Secrets = []SecretRef{{Source: "elastic-password"}}
		s.Ports = []string{r.publish(inst, stack.PortHTTP)}
		s.Healthcheck = health("60s", fmt.Sprintf(`curl -fsS -u "elastic:$$(cat %selastic-password)" "http://127.0.0.1:%d/_cluster/health?wait_for_status=yellow&timeout=4s" || exit 1`,
			runSecrets, inst.Port(stack.PortHTTP)))
		s.MemLimit = "1g"
	case stack.ElasticsearchExporter:
		es := r.st.One(stack.Elasticsearch)
		s.Image = ESExporterImage
		s.Entrypoint = withSecretEnv("ES_PASSWORD", "elastic-password", "/bin/elasticsearch_exporter")
		s.Command = []string{"--es.uri=http://" + es.Addr(stack.PortHTTP), "--web.listen-address=:" + strconv.Itoa(inst.Port(stack.PortMetrics)),
			"--es.indices", "--es.timeout=10s"}
		s.Environment = map[string]string{"ES_USERNAME": "elastic"}
		s.Secrets = []SecretRef{{Source: "elastic-password"}}
		s.DependsOn = deps(es.Name, healthy)
		s.Healthcheck = check("10s", metrics(""), "")
		s.MemLimit = "64m"
	case stack.Logstash:
		es := r.st.One(stack.Elasticsearch)
		s.Image = LogstashImage
		s.Entrypoint = withSecretEnv(logstash.ElasticPasswordEnv, "elastic-password", "/usr/local/bin/docker-entrypoint")
		s.Environment = map[string]string{"LS_JAVA_OPTS": "-Xms320m -Xmx320m", "XPACK_MONITORING_ENABLED": "false",
			"API_HTTP_HOST": "0.0.0.0", "API_HTTP_PORT": strconv.Itoa(inst.Port(stack.PortHTTP)),
			// Only our pipeline: the image's default pipelines.yml reads pipeline/ already.
			"CONFIG_RELOAD_AUTOMATIC": "false"}
		s.Volumes = []string{"./logstash/pipeline:/usr/share/logstash/pipeline:ro"}
		s.Secrets = []SecretRef{{Source: "elastic-password"}}
		s.DependsOn = deps(es.Name, healthy)
		s.Healthcheck = health("90s", fmt.Sprintf("curl -fsS http://127.0.0.1:%d/_node/pipelines || exit 1", inst.Port(stack.PortHTTP)))
		s.MemLimit = "640m"
	case stack.Filebeat:
		s.Image = FilebeatImage
		s.User = "root" // reads files other users' services wrote
		s.Command = []string{"filebeat", "-e", "--strict.perms=false", "-c", "/usr/share/filebeat/filebeat.yml"}
		s.Volumes = []string{"./filebeat/compose.yml:/usr/share/filebeat/filebeat.yml:ro", r.volume("logs") + ":" + logDir + ":ro",
			r.volume("filebeat-data") + ":/usr/share/filebeat/data"}
		s.DependsOn = deps(r.st.One(stack.Logstash).Name, healthy, "setup", completed)
		// The 8.19 image's base, so its /bin/sh and curl, were not readable (its profile):
		// filebeat itself tests its output, Logstash, which is what shipping needs.
		s.Healthcheck = health("20s", "filebeat", "test", "output", "-c", "/usr/share/filebeat/filebeat.yml", "--strict.perms=false")
		s.MemLimit = "256m"
	case stack.Kibana:
		es := r.st.One(stack.Elasticsearch)
		s.Image = KibanaImage
		s.Entrypoint = withSecretEnv("ELASTICSEARCH_PASSWORD", "kibana-system-password", "/bin/tini", "--", "/usr/local/bin/kibana-docker")
		s.Environment = map[string]string{"ELASTICSEARCH_HOSTS": "http://" + es.Addr(stack.PortHTTP), "ELASTICSEARCH_USERNAME": "kibana_system",
			"SERVER_PORT": strconv.Itoa(inst.Port(stack.PortHTTP)), "TELEMETRY_OPTIN": "false", "NODE_OPTIONS": "--max-old-space-size=384"}
		s.Secrets = []SecretRef{{Source: "kibana-system-password"}}
		s.Ports = []string{r.publish(inst, stack.PortHTTP)}
		s.DependsOn = deps(es.Name, healthy, "es-users", completed)
		s.Healthcheck = health("120s", fmt.Sprintf(`curl -fsS http://127.0.0.1:%d/api/status | grep -q '"level":"available"' || exit 1`, inst.Port(stack.PortHTTP)))
		s.MemLimit = "640m"
	default:
		return fmt.Errorf("no Compose service for component %s", inst.Component)
	}
	if checkErr != nil {
		return checkErr
	}
	r.f.Services[inst.Name] = withExpose(s, inst)
	return nil
}

// withExpose declares the container ports of the instance: what Prometheus and the other
// services dial, checked against the scrape config.
func withExpose(s *Service, inst stack.Instance) *Service {
	for _, p := range inst.Ports {
		s.Expose = append(s.Expose, strconv.Itoa(p.Port))
	}
	return s
}

// spark sets what every Spark process shares: the image's conf dir from deploy/spark,
// the log4j2 config with the instance's event log, the log volume; a master's or worker's
// heap (SPARK_DAEMON_MEMORY, "" for none) and JVM options.
func (r *renderer) spark(s *Service, inst stack.Instance, heap string, daemonOpts ...string) {
	opts := append([]string{"-Dlog4j2.configurationFile=" + log4jDir + "/spark.properties",
		"-D" + logpipeline.LogFileProperty + "=" + logDir + "/" + inst.Name + ".events.log"}, daemonOpts...)
	s.Environment = map[string]string{"SPARK_CONF_DIR": sparkConf, "SPARK_NO_DAEMONIZE": "true",
		"SPARK_DAEMON_JAVA_OPTS": strings.Join(opts, " ")}
	// Not -Xmx in the options: Spark's launcher refuses to start a Master or Worker whose
	// SPARK_DAEMON_JAVA_OPTS holds one, and gives it -Xmx$SPARK_DAEMON_MEMORY (Spark 4.1.1,
	// launcher/src/main/java/org/apache/spark/launcher/SparkClassCommandBuilder.java:95, :103).
	if heap != "" {
		s.Environment["SPARK_DAEMON_MEMORY"] = heap
	}
	s.Volumes = []string{"./spark:" + sparkConf + ":ro", "./log4j2:" + log4jDir + ":ro", r.volume("logs") + ":" + logDir}
	if s.DependsOn == nil {
		s.DependsOn = deps("setup", completed)
	} else {
		s.DependsOn["setup"] = Dep{completed}
	}
}

// kafka is a KRaft node: kafkaconf's settings as the image's KAFKA_* variables, the JMX
// exporter agent from the setup job's volume with our rules, our log4j2 config.
func (r *renderer) kafka(inst stack.Instance) error {
	dirs := kafkaconf.LogDirs(inst, kafkaData)
	settings, err := kafkaconf.Node(r.st, inst, dirs...)
	if err != nil {
		return err
	}
	role := map[stack.Component]string{stack.KafkaController: "controller", stack.KafkaBroker: "broker", stack.KafkaCombined: "combined"}[inst.Component]
	// The native stack's heaps (deploy/native).
	heap := map[string]string{"combined": "512m", "broker": "384m", "controller": "256m"}[role]
	env := map[string]string{
		"CLUSTER_ID":      ClusterID,
		"KAFKA_HEAP_OPTS": "-Xms" + heap + " -Xmx" + heap,
		"KAFKA_OPTS":      fmt.Sprintf("-javaagent:%s/%s=%d:/etc/finobs/jmx.yml", jmxDir, JMXAgentJar, inst.Port(stack.PortMetrics)),
		"KAFKA_LOG4J_OPTS": "-Dlog4j2.configurationFile=" + log4jDir + "/kafka.properties -D" + logpipeline.LogFileProperty + "=" +
			logDir + "/" + inst.Name + ".events.log",
	}
	for _, s := range settings {
		name := kafkaconf.EnvName(s.Key)
		if _, clash := env[name]; clash {
			return fmt.Errorf("setting %s clashes with the image's variable %s", s.Key, name)
		}
		env[name] = s.Value
	}
	s := &Service{
		Image:       KafkaImage,
		Hostname:    inst.Host,
		Environment: env,
		Volumes: []string{r.volume(inst.Name+"-data") + ":" + kafkaData, r.volume("jmx-agent") + ":" + jmxDir + ":ro",
			"./jmx/kafka-" + role + ".yml:/etc/finobs/jmx.yml:ro", "./log4j2:" + log4jDir + ":ro", r.volume("logs") + ":" + logDir},
		DependsOn: deps("setup", completed),
		Restart:   "unless-stopped",
	}
	for _, d := range dirs[1:] { // a volume per further log dir (JBOD)
		s.Volumes = append(s.Volumes, r.volume(inst.Name+"-data"+strings.TrimPrefix(d, kafkaData))+":"+d)
	}
	// The image's tools read KAFKA_OPTS too: a health probe must not start a second agent.
	tool := "KAFKA_OPTS= KAFKA_LOG4J_OPTS= KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/"
	if inst.Component == stack.KafkaController {
		s.Healthcheck = health("30s", tool+"kafka-metadata-quorum.sh --bootstrap-controller "+inst.Addr(stack.PortController)+" describe --status >/dev/null || exit 1")
		s.MemLimit = "384m"
	} else {
		r.dependOn(s.DependsOn, healthy, stack.KafkaController)
		s.Healthcheck = health("30s", tool+"kafka-broker-api-versions.sh --bootstrap-server "+inst.Addr(stack.PortBroker)+" >/dev/null || exit 1")
		s.MemLimit = "768m"
		if inst.Port(stack.PortHost) != 0 {
			s.Ports = []string{r.publish(inst, stack.PortHost)}
		}
	}
	r.f.Services[inst.Name] = withExpose(s, inst)
	return nil
}

// ServiceNames lists the services of a rendered file, sorted (for messages).
func ServiceNames(m map[string]*Service) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
