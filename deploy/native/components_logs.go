package native

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/finobs/finobs/internal/esprovision"
	"github.com/finobs/finobs/pkg/stack"
)

// The logging pipeline of the native stack: one Elasticsearch node, its exporter, and
// Filebeat shipping the stack's own logs straight to Elasticsearch (no Logstash runs here).

// logging reports whether c belongs to the logging pipeline (left out by FINOBS_LOGS=0).
func logging(c stack.Component) bool {
	switch c {
	case stack.Elasticsearch, stack.ElasticsearchExporter, stack.Filebeat:
		return true
	}
	return false
}

// Starts reports whether `up` starts the component in this environment: it is managed, and
// not a part of the logging pipeline that FINOBS_LOGS=0 leaves out, nor of the data
// pipeline that FINOBS_PIPELINE=0 leaves out, nor the schema registry that
// FINOBS_REGISTRY=0 leaves out.
func Starts(c stack.Component) bool {
	return Managed(c) && (!logging(c) || LogsEnabled()) && (!pipeline(c) || PipelineEnabled()) &&
		(c != stack.SchemaRegistry || RegistryEnabled())
}

// esUser is whom Elasticsearch runs as when the stack runs as root: Elasticsearch refuses
// to run as root.
const esUser = "nobody"

// Watermarks in bytes, not shares of the disk: a dev box's disk is large and mostly used
// by other things, where 85 % used would stop shard allocation with gigabytes still free.
var esWatermarks = map[string]string{
	"low":         "2gb",
	"high":        "1gb",
	"flood_stage": "512mb",
}

func elasticsearchService(p Paths, env Env, inst stack.Instance) (service, error) {
	home := p.Elasticsearch()
	conf := filepath.Join(p.ESDir(), "conf")
	data := filepath.Join(p.ESDir(), "data")
	logs := filepath.Join(p.ESDir(), "logs")
	tmp := filepath.Join(p.ESDir(), "tmp")
	base := "http://" + inst.Addr(stack.PortNode)
	cred, err := esCredential()
	if err != nil {
		return service{}, err
	}
	s := service{
		dir:  data,
		argv: []string{filepath.Join(home, "bin", "elasticsearch")},
		env: []string{"ES_JAVA_HOME=" + env.JavaHome, "ES_PATH_CONF=" + conf, "ES_TMPDIR=" + tmp,
			"JAVA_HOME=", // ES warns when both are set and uses ES_JAVA_HOME
		},
		user:    cred,
		only:    []string{stack.PortNode, stack.PortTransport},
		timeout: 180 * time.Second, // a JVM beside Kafka's and Spark's on 2 cores
		url:     base,
		// Yellow is enough to serve: the status alert, not the start, judges it.
		health: httpOK(base + "/_cluster/health?wait_for_status=yellow&timeout=1s"),
	}
	s.prepare = func(context.Context) error {
		if err := mkdirs(conf, data, logs, tmp); err != nil {
			return err
		}
		// The shipped log4j2 config (ES needs one in its config dir); the rest is ours.
		shipped, err := os.ReadFile(filepath.Join(home, "config", "log4j2.properties"))
		if err != nil {
			return fmt.Errorf("elasticsearch install %s: %w", home, err)
		}
		for name, body := range map[string][]byte{
			"elasticsearch.yml": []byte(elasticsearchYML(inst, data, logs)),
			"jvm.options":       []byte(esJVMOptions),
			"log4j2.properties": shipped,
		} {
			if err := os.WriteFile(filepath.Join(conf, name), body, 0o644); err != nil {
				return err
			}
		}
		if cred == nil {
			return nil
		}
		// It writes its keystore into conf, its data, logs and temporary files.
		for _, d := range []string{conf, data, logs, tmp} {
			if err := chownTree(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
		return nil
	}
	s.ready = func(ctx context.Context, log *slog.Logger) error {
		es, err := esprovision.Client(base)
		if err != nil {
			return err
		}
		rep, err := esprovision.Apply(ctx, es, p.Deploy("elasticsearch"))
		if err != nil {
			return fmt.Errorf("provision %s: %w", base, err)
		}
		log.Info("provisioned elasticsearch from deploy/elasticsearch", "applied", len(rep.Applied), "skipped", len(rep.Skipped))
		for _, sk := range rep.Skipped {
			log.Info("not provisioned", "what", sk)
		}
		return nil
	}
	return s, nil
}

const esJVMOptions = `# Written by the finobs stack; do not edit.
-XX:+UseG1GC
-Djava.io.tmpdir=${ES_TMPDIR}
-XX:+ExitOnOutOfMemoryError
-Xms` + ElasticsearchHeap + `
-Xmx` + ElasticsearchHeap + `
`

func elasticsearchYML(inst stack.Instance, data, logs string) string {
	var b strings.Builder
	w := func(k string, v any) { fmt.Fprintf(&b, "%s: %v\n", k, v) }
	b.WriteString("# Written by `go run ./cmd/stack up` from topology/; do not edit.\n")
	w("cluster.name", "finobs")
	w("node.name", inst.Name)
	w("path.data", data)
	w("path.logs", logs)
	w("network.host", inst.Host)
	w("http.port", inst.Port(stack.PortNode))
	w("transport.port", inst.Port(stack.PortTransport))
	w("discovery.type", "single-node")
	// Loopback only, on a dev box: no users, no TLS.
	w("xpack.security.enabled", false)
	for _, k := range []string{"low", "high", "flood_stage"} {
		w("cluster.routing.allocation.disk.watermark."+k, esWatermarks[k])
	}
	return b.String()
}

// esCredential is the user Elasticsearch runs as: nil (the stack's) unless that is root.
func esCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(esUser)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch refuses to run as root, and there is no user %q to run it as: %w", esUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

func chownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// esFrontService is the node's front door on the instance's HTTP port (cmd/esroot): it
// answers GET /, which the integ-test distribution lacks and Filebeat reads first, and
// passes the rest to the node.
func esFrontService(p Paths, inst stack.Instance) service {
	base := "http://" + inst.Addr(stack.PortHTTP)
	return service{
		proc: inst.Name + "-root",
		only: []string{stack.PortHTTP},
		argv: []string{filepath.Join(p.Bin(), "esroot"),
			"-listen", inst.Addr(stack.PortHTTP),
			"-node", "http://" + inst.Addr(stack.PortNode)},
		health: httpOK(base + "/"),
		url:    base,
	}
}

func esExporterService(p Paths, st stack.Stack, inst stack.Instance) service {
	es := st.One(stack.Elasticsearch)
	return service{
		argv: []string{filepath.Join(p.Bin(), "elasticsearch_exporter"),
			"--es.uri=http://" + es.Addr(stack.PortHTTP),
			"--web.listen-address=" + inst.Addr(stack.PortMetrics),
			"--es.indices",                // per-index documents: "no documents for a source"
			"--collector.clustersettings", // the watermarks in force
			"--es.timeout=10s",
		},
		phase:  1, // after Elasticsearch
		health: httpOK(metricsURL(inst)),
		url:    metricsURL(inst),
	}
}

// FilebeatConfig is the Filebeat config of the native stack, rendered by cmd/gen.
const FilebeatConfig = "filebeat/local.yml"

func filebeatService(p Paths, st stack.Stack, inst stack.Instance) service {
	cfg := p.Deploy(FilebeatConfig)
	base := "http://" + inst.Addr(stack.PortHTTP)
	s := service{
		argv: []string{p.Filebeat(), "-e",
			"-c", cfg,
			"--path.home", filepath.Dir(p.Filebeat()),
			// Its registry (how far it shipped each file) lives with the data it describes:
			// a new Elasticsearch starts a new registry, and every file is shipped again.
			"--path.data", filepath.Join(p.ESDir(), "filebeat"),
			"--path.logs", filepath.Join(p.Logs(), "filebeat"),
			// Its HTTP endpoint (JSON stats) is the stack's: from the topology, not the file.
			"-E", "http.enabled=true",
			"-E", "http.host=" + inst.Host,
			"-E", "http.port=" + strconv.Itoa(inst.Port(stack.PortHTTP)),
		},
		// The rendered inputs read ${FINOBS_LOG_DIR}: the file is the same on every machine.
		env:     []string{"FINOBS_LOG_DIR=" + p.Logs()},
		phase:   1, // after Elasticsearch has its templates: no document lands unmapped
		health:  httpOK(base + "/"),
		url:     base + "/stats",
		timeout: 60 * time.Second,
	}
	if !exists(cfg) {
		s.skip = cfg + " is missing (rendered by `go run ./cmd/gen` once the log pipelines exist): Filebeat is not started"
	}
	return s
}
