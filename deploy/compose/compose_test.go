package compose_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	promcfg "github.com/prometheus/prometheus/config"

	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/deploy/compose"
	"github.com/finobs/finobs/deploy/kafkaconf"
	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

const root = "../.."

var (
	repoOnce sync.Once
	repo     compose.Repo
	repoErr  error
)

// theRepo: what cmd/gen generates and what git tracks and ignores, of this checkout.
func theRepo(t *testing.T) compose.Repo {
	t.Helper()
	repoOnce.Do(func() {
		abs, err := filepath.Abs(root)
		if err != nil {
			repoErr = err
			return
		}
		set, _, err := deploy.All()
		if err != nil {
			repoErr = err
			return
		}
		gen := map[string]bool{}
		for _, p := range set.Paths() {
			gen[p] = true
		}
		out, err := exec.Command("git", "-C", abs, "ls-files").Output()
		if err != nil {
			repoErr = err
			return
		}
		tracked := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			tracked[l] = l != ""
		}
		repo = compose.Repo{Root: abs, SecretMode: compose.SecretFileMode,
			Generated: func(rel string) bool { return gen[rel] },
			Tracked:   func(rel string) bool { return tracked[rel] },
			Ignored: func(rel string) bool {
				return exec.Command("git", "-C", abs, "check-ignore", "-q", "--no-index", rel).Run() == nil
			},
		}
	})
	if repoErr != nil {
		t.Fatal(repoErr)
	}
	return repo
}

func load(t *testing.T) *types.Project {
	t.Helper()
	p, err := compose.Load(context.Background(), filepath.Join(root, deploy.ComposeFile))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// scrapes are the targets of the Compose Prometheus config and its Alertmanager, as
// Prometheus itself reads them.
func scrapes(t *testing.T) []string {
	t.Helper()
	cfg, err := promcfg.LoadFile(filepath.Join(root, deploy.PrometheusCompose), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sc := range cfg.ScrapeConfigs {
		for _, d := range sc.ServiceDiscoveryConfigs {
			if s, ok := d.(interface{ Targets() []string }); ok {
				out = append(out, s.Targets()...)
			}
		}
		for _, tg := range staticTargets(sc) {
			out = append(out, tg)
		}
	}
	for _, am := range cfg.AlertingConfig.AlertmanagerConfigs {
		for _, tg := range staticOf(am.ServiceDiscoveryConfigs) {
			out = append(out, tg)
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d scrape targets in %s", len(out), deploy.PrometheusCompose)
	}
	return out
}

func check(t *testing.T, p *types.Project) error {
	return compose.Check(p, theRepo(t), stack.PublishedHost, topology.Compose(), scrapes(t))
}

// The committed compose file loads with compose-go and passes every check.
func TestComposeFile(t *testing.T) {
	p := load(t)
	if err := check(t, p); err != nil {
		t.Fatal(err)
	}
	st := topology.Compose()
	for _, inst := range st.Instances {
		if _, ok := p.Services[inst.Name]; !ok {
			t.Errorf("topology instance %s has no service", inst.Name)
		}
	}
	for _, want := range []string{"setup", "es-users"} {
		if _, ok := p.Services[want]; !ok {
			t.Errorf("no %s job", want)
		}
	}
	// Interpolation turned $$ into $: the shells see their own variables.
	es := p.Services["elasticsearch"]
	if !strings.Contains(strings.Join(es.HealthCheck.Test, " "), `"elastic:$(cat /run/secrets/elastic-password)"`) {
		t.Errorf("elasticsearch healthcheck: %q", es.HealthCheck.Test)
	}
	var mem int64
	for _, s := range p.Services {
		mem += int64(s.MemLimit)
	}
	t.Logf("%d services, memory limits %d MiB in all: %s", len(p.Services), mem>>20, strings.Join(p.ServiceNames(), " "))
}

// Each Kafka container's settings, as compose-go reads them from the file, are those the
// native 3+3 node of the same name runs (deploy/native writes them from kafkaconf), key by
// key, but for kafkaconf.DeploymentKeys.
func TestKafkaSettingsAsNative(t *testing.T) {
	p := load(t)
	local, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, inst := range local.Instances {
		if !slices.Contains(stack.KafkaRoles, inst.Component) {
			continue
		}
		s, ok := p.Services[inst.Name]
		if !ok {
			t.Errorf("no service %s", inst.Name)
			continue
		}
		got := map[string]string{}
		for k, v := range s.Environment {
			if key, ok := kafkaconf.KeyOfEnv(k); ok && k != "KAFKA_OPTS" && k != "KAFKA_HEAP_OPTS" && k != "KAFKA_LOG4J_OPTS" {
				got[key] = *v
			}
		}
		native, err := kafkaconf.Node(local, inst, kafkaconf.LogDirs(inst, "/native/data")...)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range kafkaconf.Differences(got, kafkaconf.Map(native), kafkaconf.DeploymentKeys) {
			t.Errorf("%s: compose vs native: %s", inst.Name, d)
		}
		n++
	}
	if n != 6 {
		t.Errorf("compared %d nodes", n)
	}
}

// Every check fails on the fault it is for: each case breaks one thing of the real file.
func TestCheckCatches(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(p *types.Project)
		want   string
	}{
		{"latest", func(p *types.Project) {
			svc(p, "grafana", func(s *types.ServiceConfig) { s.Image = "grafana/grafana:latest" })
		}, "not pinned (latest)"},
		{"no tag", func(p *types.Project) {
			svc(p, "kibana", func(s *types.ServiceConfig) { s.Image = "docker.elastic.co/kibana/kibana" })
		}, "has no tag"},
		{"published everywhere", func(p *types.Project) {
			svc(p, "prometheus", func(s *types.ServiceConfig) { s.Ports[0].HostIP = "0.0.0.0" })
		}, `service prometheus: port 9090 is published on "0.0.0.0"`},
		{"one host port twice", func(p *types.Project) { // as both were, on their container port
			svc(p, "schema-registry", func(s *types.ServiceConfig) { s.Ports[0].Published = "8080" })
			svc(p, "spark-master", func(s *types.ServiceConfig) { s.Ports[0].Published = "8080" })
		}, "service spark-master: host port 127.0.0.1:8080/tcp is published by service schema-registry too"},
		{"host port taken on every address", func(p *types.Project) {
			svc(p, "kibana", func(s *types.ServiceConfig) { s.Ports[0].HostIP, s.Ports[0].Published = "0.0.0.0", "9200" })
		}, "service kibana: host port 0.0.0.0:9200/tcp is published by service elasticsearch too"},
		{"max heap in the daemon options", func(p *types.Project) { // as it was
			svc(p, "spark-master", func(s *types.ServiceConfig) {
				v := *s.Environment["SPARK_DAEMON_JAVA_OPTS"] + " -Xmx" + *s.Environment["SPARK_DAEMON_MEMORY"]
				s.Environment["SPARK_DAEMON_JAVA_OPTS"] = &v
				delete(s.Environment, "SPARK_DAEMON_MEMORY")
			})
		}, "service spark-master: SPARK_DAEMON_JAVA_OPTS holds a max heap"},
		{"no daemon heap", func(p *types.Project) {
			svc(p, "spark-worker-2", func(s *types.ServiceConfig) { delete(s.Environment, "SPARK_DAEMON_MEMORY") })
		}, "service spark-worker-2: runs Spark's org.apache.spark.deploy.worker.Worker without SPARK_DAEMON_MEMORY"},
		{"no registry address", func(p *types.Project) { // as it was
			svc(p, "producer", func(s *types.ServiceConfig) {
				i := slices.Index(s.Command, "-registry")
				s.Command = slices.Delete(s.Command, i, i+2)
			})
		}, "service producer: command lacks -registry"},
		{"registry on loopback", func(p *types.Project) { // what the fallback dials
			svc(p, "stream-driver", func(s *types.ServiceConfig) {
				s.Command[slices.Index(s.Command, "-registry")+1] = "http://127.0.0.1:8085/apis/ccompat/v7"
			})
		}, "service stream-driver: command points at 127.0.0.1:8085, which is the container itself; address schema-registry:8080 by its service name"},
		{"elasticsearch on localhost", func(p *types.Project) {
			svc(p, "kibana", func(s *types.ServiceConfig) { v := "http://localhost:9200"; s.Environment["ELASTICSEARCH_HOSTS"] = &v })
		}, "service kibana: variable ELASTICSEARCH_HOSTS points at localhost:9200, which is the container itself; address elasticsearch:9200 by its service name"},
		{"spark packages without spark-avro", func(p *types.Project) { // as it was
			svc(p, "spark-connect", func(s *types.ServiceConfig) {
				i := slices.Index(s.Command, "--packages") + 1
				s.Command[i] = strings.Join(slices.DeleteFunc(strings.Split(s.Command[i], ","), func(p string) bool { return strings.Contains(p, "spark-avro") }), ",")
			})
		}, "service spark-connect: --packages lacks org.apache.spark:spark-avro_2.13:" + native.SparkVersion + ", which the native stack installs"},
		{"spark package of its own", func(p *types.Project) {
			svc(p, "spark-connect", func(s *types.ServiceConfig) {
				s.Command[slices.Index(s.Command, "--packages")+1] += ",io.delta:delta-spark_2.13:4.0.0"
			})
		}, "service spark-connect: --packages has io.delta:delta-spark_2.13:4.0.0, which the native stack does not install"},
		{"job script chained by &&", func(p *types.Project) { // as it was
			svc(p, "setup", func(s *types.ServiceConfig) { s.Entrypoint[2] = chained(s.Entrypoint[2]) })
		}, "service setup: script line 2 chains commands with &&"},
		{"job script without set -e", func(p *types.Project) {
			svc(p, "setup", func(s *types.ServiceConfig) { s.Entrypoint[2] = strings.TrimPrefix(s.Entrypoint[2], "set -e\n") })
		}, "lines without set -e first: a failing line would not stop the job"},
		{"healthcheck in bash under sh", func(p *types.Project) { // as it was: dash has no /dev/tcp
			svc(p, "spark-master", func(s *types.ServiceConfig) {
				s.HealthCheck.Test = types.HealthCheckTest{"CMD-SHELL", `exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /metrics/master/prometheus/ HTTP/1.0\r\n\r\n' >&3 && grep -q 'aliveWorkers' <&3`}
			})
		}, "service spark-master: healthcheck uses bash's /dev/tcp and /dev/udp, which POSIX sh lacks (this image's /bin/sh is dash)"},
		{"healthcheck with [[", func(p *types.Project) {
			svc(p, "kibana", func(s *types.ServiceConfig) {
				s.HealthCheck.Test = types.HealthCheckTest{"CMD-SHELL", `[[ "$(curl -fsS http://127.0.0.1:5601/api/status)" == *available* ]]`}
			})
		}, "service kibana: healthcheck uses [[ ]], which POSIX sh lacks"},
		{"healthcheck with a tool the image lacks", func(p *types.Project) { // as it was
			svc(p, "schema-registry", func(s *types.ServiceConfig) {
				s.HealthCheck.Test = types.HealthCheckTest{"CMD-SHELL", "curl -fsS http://127.0.0.1:8080/apis/ccompat/v7/subjects || exit 1"}
			})
		}, "service schema-registry: healthcheck runs curl, which is no built-in of a /bin/sh not identified and which the image's profile does not show"},
		{"healthcheck in a shell not known", func(p *types.Project) { // as it was
			svc(p, "filebeat", func(s *types.ServiceConfig) {
				s.HealthCheck.Test = types.HealthCheckTest{"CMD-SHELL", "curl -fsS http://filebeat:5066/ || exit 1"}
			})
		}, "service filebeat: healthcheck runs /bin/sh, which the image's profile does not show"},
		{"exec-form healthcheck of a tool the image lacks", func(p *types.Project) {
			svc(p, "filebeat", func(s *types.ServiceConfig) {
				s.HealthCheck.Test = types.HealthCheckTest{"CMD", "curl", "-fsS", "http://filebeat:5066/"}
			})
		}, "service filebeat: healthcheck runs curl, which the image's profile does not show"},
		{"entrypoint execs a program the image lacks", func(p *types.Project) {
			svc(p, "grafana", func(s *types.ServiceConfig) { s.Entrypoint[len(s.Entrypoint)-1] = "/docker-entrypoint.sh" })
		}, "service grafana: entrypoint runs /docker-entrypoint.sh, which is no built-in of busybox ash"},
		{"image without a profile", func(p *types.Project) {
			svc(p, "node-exporter", func(s *types.ServiceConfig) { s.Image = "prom/node-exporter:v1.13.0" })
		}, "service node-exporter: image prom/node-exporter:v1.13.0 has no profile"},
		{"uid and mode on a file secret", func(p *types.Project) { // what Compose ignores for a file
			svc(p, "grafana", func(s *types.ServiceConfig) {
				m := types.FileMode(0o400)
				s.Secrets[0].UID, s.Secrets[0].GID, s.Secrets[0].Mode = "472", "0", &m
			})
		}, "service grafana: secret grafana-admin-password sets uid, gid or mode, which Compose ignores for a file secret"},
		{"secret copied in unreadable", func(p *types.Project) {
			sec := p.Secrets["elastic-password"]
			sec.File, sec.Environment = "", "ELASTIC_PASSWORD"
			p.Secrets["elastic-password"] = sec
			svc(p, "logstash", func(s *types.ServiceConfig) { m := types.FileMode(0o400); s.Secrets[0].Mode = &m })
		}, "service logstash: secret elastic-password is copied in as 0:0 mode 0400: unreadable by uid 1000"},
		{"registry in memory", func(p *types.Project) { // as it was
			svc(p, "schema-registry", func(s *types.ServiceConfig) { delete(s.Environment, "APICURIO_DATASOURCE_URL") })
		}, `service schema-registry: keeps its schemas in memory (APICURIO_DATASOURCE_URL "", not jdbc:h2:file:)`},
		{"schemas on no volume", func(p *types.Project) {
			svc(p, "schema-registry", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "registry-data") })
		}, "service schema-registry: /var/lib/finobs/registry (the registry's schemas (its H2 database)) is on no named volume"},
		{"schemas on a volume no one opened", func(p *types.Project) { // mounted where the image has no directory: root's
			svc(p, "setup", func(s *types.ServiceConfig) {
				s.Entrypoint[2] = strings.Join(slices.DeleteFunc(strings.Split(s.Entrypoint[2], "\n"), func(l string) bool { return strings.HasPrefix(l, "chown ") }), "\n")
			})
		}, "service schema-registry: /var/lib/finobs/registry (the registry's schemas (its H2 database)): volume registry-data is not shown writable by uid 1001"},
		{"TSDB on no volume", func(p *types.Project) {
			svc(p, "prometheus", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "prometheus-data") })
		}, "service prometheus: /prometheus (Prometheus' TSDB) is on no named volume"},
		{"silences on no volume", func(p *types.Project) {
			svc(p, "alertmanager", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "alertmanager-data") })
		}, "service alertmanager: /alertmanager (Alertmanager's silences and notification log) is on no named volume"},
		{"Kafka log on no volume", func(p *types.Project) {
			svc(p, "kafka-controller-2", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "kafka-controller-2-data") })
		}, "service kafka-controller-2: /var/lib/kafka/data (Kafka's log dir) is on no named volume"},
		{"checkpoints on no volume", func(p *types.Project) {
			svc(p, "spark-worker-1", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "checkpoints") })
		}, "service spark-worker-1: /var/lib/finobs/checkpoints (the streaming queries' checkpoints) is on no named volume"},
		{"indices on no volume", func(p *types.Project) {
			svc(p, "elasticsearch", func(s *types.ServiceConfig) { s.Volumes = withoutVolume(s.Volumes, "es-data") })
		}, "service elasticsearch: /usr/share/elasticsearch/data (Elasticsearch's indices) is on no named volume"},
		{"no healthcheck", func(p *types.Project) { svc(p, "logstash", func(s *types.ServiceConfig) { s.HealthCheck = nil }) }, "service logstash: no healthcheck"},
		{"no memory limit", func(p *types.Project) { svc(p, "spark-worker-2", func(s *types.ServiceConfig) { s.MemLimit = 0 }) }, "service spark-worker-2: no memory limit"},
		{"over budget", func(p *types.Project) { svc(p, "spark-connect", func(s *types.ServiceConfig) { s.MemLimit = 8 << 30 }) }, "over the budget"},
		{"started, not healthy", func(p *types.Project) {
			svc(p, "kafka-broker-1", func(s *types.ServiceConfig) {
				d := s.DependsOn["kafka-controller-1"]
				d.Condition = types.ServiceConditionStarted
				s.DependsOn["kafka-controller-1"] = d
			})
		}, `depends on kafka-controller-1 with condition "service_started"`},
		{"mount missing", func(p *types.Project) {
			svc(p, "prometheus", func(s *types.ServiceConfig) { s.Volumes[0].Source = filepath.Join(theRepo(t).Root, "deploy", "nope") })
		}, "mounts deploy/nope: does not exist"},
		{"mount of no generated or committed file", func(p *types.Project) {
			svc(p, "grafana", func(s *types.ServiceConfig) { s.Volumes[0].Source = filepath.Join(theRepo(t).Root, ".stack") })
		}, "mounts .stack:"},
		{"mount outside", func(p *types.Project) {
			svc(p, "filebeat", func(s *types.ServiceConfig) { s.Volumes[0].Source = "/etc/passwd" })
		}, "outside the repository"},
		{"scraped port not exposed", func(p *types.Project) {
			svc(p, "kafka-broker-3", func(s *types.ServiceConfig) { s.Expose = []string{"9092"} })
		}, "Prometheus scrapes kafka-broker-3:7071: service kafka-broker-3 exposes [9092], not 7071"},
		{"scraped host no service", func(p *types.Project) { delete(p.Services, "node-exporter") }, "Prometheus scrapes node-exporter:9100: no service node-exporter"},
		{"committed secret", func(p *types.Project) {
			s := p.Secrets["slack-webhook-url"]
			s.File = filepath.Join(theRepo(t).Root, "go.mod")
			p.Secrets["slack-webhook-url"] = s
		}, "secret slack-webhook-url: go.mod is committed"},
		{"secret not ignored", func(p *types.Project) {
			s := p.Secrets["elastic-password"]
			s.File = filepath.Join(theRepo(t).Root, "deploy", "elastic-password")
			p.Secrets["elastic-password"] = s
		}, "deploy/elastic-password is not git-ignored"},
		{"password in a variable", func(p *types.Project) {
			svc(p, "grafana", func(s *types.ServiceConfig) { v := "admin"; s.Environment["GF_SECURITY_ADMIN_PASSWORD"] = &v })
		}, "variable GF_SECURITY_ADMIN_PASSWORD holds a password"},
		{"kafka setting differs", func(p *types.Project) {
			svc(p, "kafka-broker-2", func(s *types.ServiceConfig) { v := "6"; s.Environment["KAFKA_NUM_PARTITIONS"] = &v })
		}, `Kafka node kafka-broker-2: num.partitions = "6", kafkaconf says "3"`},
		{"kafka setting added", func(p *types.Project) {
			svc(p, "kafka-controller-2", func(s *types.ServiceConfig) { v := "true"; s.Environment["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] = &v })
		}, "setting unclean.leader.election.enable is not kafkaconf's"},
		{"kafka setting missing", func(p *types.Project) {
			svc(p, "kafka-broker-1", func(s *types.ServiceConfig) { delete(s.Environment, "KAFKA_MIN_INSYNC_REPLICAS") })
		}, "setting min.insync.replicas (KAFKA_MIN_INSYNC_REPLICAS) is missing"},
		{"job nobody waits for", func(p *types.Project) {
			svc(p, "kibana", func(s *types.ServiceConfig) { delete(s.DependsOn, "es-users") })
		}, "service es-users: a one-shot job no running service waits for"},
		{"two cluster ids", func(p *types.Project) {
			svc(p, "kafka-broker-3", func(s *types.ServiceConfig) { v := "AAAAAAAAAAAAAAAAAAAAAA"; s.Environment["CLUSTER_ID"] = &v })
		}, "2 cluster ids"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := load(t)
			c.break_(p)
			err := check(t, p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant an error with %q", err, c.want)
			}
		})
	}
}

// Secret files written 0600, as they were, are read by no service but one that runs as
// root: the check names each service and the uid it runs as.
func TestSecretsPrivateAsTheyWere(t *testing.T) {
	repo := theRepo(t)
	repo.SecretMode = 0o600
	err := compose.Check(load(t), repo, stack.PublishedHost, topology.Compose(), scrapes(t))
	for _, want := range []string{
		"service grafana: secret grafana-admin-password is a file of mode 0600 bind-mounted with its host owner: unreadable by uid 472",
		"service alertmanager: secret slack-webhook-url is a file of mode 0600 bind-mounted with its host owner: unreadable by uid 65534",
		"service elasticsearch-exporter: secret elastic-password is a file of mode 0600",
		"service elasticsearch: secret elastic-password is a file of mode 0600 bind-mounted with its host owner: unreadable by uid 1000",
		"service es-users: secret kibana-system-password is a file of mode 0600",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant an error with %q", err, want)
		}
	}
}

// A file compose-go cannot load is refused with its reason.
func TestLoadRefuses(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "compose.yaml")
	if err := writeFile(bad, "services:\n  x:\n    image: a:1\n    mem_limit: lots\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := compose.Load(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "compose-go rejects") {
		t.Errorf("got %v", err)
	}
}

func TestRenderRefusesBadHost(t *testing.T) {
	if _, err := compose.Render(topology.Compose(), compose.Options{PublishHost: "localhost"}); err == nil || !strings.Contains(err.Error(), "localhost") {
		t.Errorf("got %v", err)
	}
	data, err := compose.Render(topology.Compose(), compose.Options{PublishHost: "0.0.0.0"})
	if err != nil || !strings.Contains(string(data), "0.0.0.0:3000:3000") {
		t.Errorf("publish on 0.0.0.0: %v", err)
	}
}

// withoutVolume is vs without the mounts of the named volume.
func withoutVolume(vs []types.ServiceVolumeConfig, name string) []types.ServiceVolumeConfig {
	return slices.DeleteFunc(slices.Clone(vs), func(v types.ServiceVolumeConfig) bool { return v.Source == name })
}

func svc(p *types.Project, name string, f func(*types.ServiceConfig)) {
	s := p.Services[name]
	f(&s)
	p.Services[name] = s
}

// A Kafka node declaring two log dirs gets both in log.dirs and a volume for each.
func TestRenderJBODBroker(t *testing.T) {
	st := topology.Compose()
	for i := range st.Instances {
		if st.Instances[i].Name == "kafka-broker-3" {
			st.Instances[i].LogDirs = 2
		}
	}
	data, err := compose.Render(st, compose.Options{PublishHost: stack.PublishedHost})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"KAFKA_LOG_DIRS: /var/lib/kafka/data,/var/lib/kafka/data-disk2",
		"- kafka-broker-3-data:/var/lib/kafka/data\n",
		"- kafka-broker-3-data-disk2:/var/lib/kafka/data-disk2\n",
		"  kafka-broker-3-data-disk2: {}\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the rendered file lacks %q", want)
		}
	}
	if got := grepLines(string(data), "data-disk2"); len(got) != 3 {
		t.Errorf("data-disk2 is on %d lines, want 3 (setting, mount, volume): %q", len(got), got)
	}
}

func grepLines(s, sub string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}
