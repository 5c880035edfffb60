package native

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Installer puts the pinned versions of every part into the state directory. Each step keeps
// a stamp of what it installed, so a second run downloads and builds nothing.
type Installer struct {
	P   Paths
	Log *slog.Logger
}

// Env is what the installed stack needs at run time.
type Env struct {
	JavaHome     string
	SparkHome    string // pyspark package directory of the venv
	Alertmanager string // alertmanager server binary
	RegistryJava string // JAVA_HOME of Java 21+ for the schema registry; "" when it does not run
}

// Install runs every step that is not installed yet: downloads and builds in two lanes.
func (in *Installer) Install(ctx context.Context) (Env, error) {
	var env Env
	if err := mkdirs(in.P.Logs(), in.P.Run(), in.P.Data(), in.P.Bin(), in.P.Conf(), in.P.WebhookDir()); err != nil {
		return env, err
	}
	var err error
	if env.JavaHome, err = findJava(ctx); err != nil {
		return env, err
	}
	if _, err := exec.LookPath("mvn"); err != nil {
		return env, fmt.Errorf("install: mvn not found on PATH (Maven fetches the Kafka and Spark jars; apt-get install maven): %w", err)
	}
	// Two lanes side by side: downloads and unpacking (mostly one core, often waiting on the
	// disk or the network) and Go builds (the linker's core). On a clean clone of a warm
	// machine that halves the install.
	type step struct {
		name string
		fn   func(context.Context) error
	}
	fetch := []step{
		{"kafka jars", in.kafkaLibs},
		{"jmx exporter agent", in.jmxAgent},
		{"spark kafka source jars", in.sparkJars},
		{"pyspark venv", in.venv},
	}
	build := []step{
		{"prometheus", func(ctx context.Context) error { return in.goTool(ctx, "prometheus", PrometheusPkg) }},
		{"node_exporter", func(ctx context.Context) error { return in.goTool(ctx, "node_exporter", NodeExporterPkg) }},
		{"webhook", in.webhook},
		{"kafka-lag-exporter", func(ctx context.Context) error { return in.ownTool(ctx, "kafka-lag-exporter") }},
	}
	if RegistryEnabled() {
		fetch = append(fetch, step{"schema registry", in.registry}) // its Java comes in the venv
	}
	if PipelineEnabled() {
		build = append(build,
			step{"producer", func(ctx context.Context) error { return in.ownTool(ctx, "produce") }},
			step{"stream driver", func(ctx context.Context) error { return in.ownTool(ctx, "stream") }})
	}
	if LogsEnabled() {
		fetch = append(fetch, step{"elasticsearch", in.elasticsearch}, step{"filebeat", in.filebeat})
		build = append(build,
			step{"esroot", func(ctx context.Context) error { return in.ownTool(ctx, "esroot") }},
			step{"elasticsearch_exporter", func(ctx context.Context) error { return in.goTool(ctx, "elasticsearch_exporter", ESExporterPkg) }})
	}
	build = append(build, step{"alertmanager", func(ctx context.Context) error {
		var err error
		env.Alertmanager, err = in.alertmanager(ctx)
		return err
	}})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, lane := range [][]step{fetch, build} {
		wg.Go(func() {
			for _, s := range lane {
				if err := s.fn(ctx); err != nil {
					errs[i] = fmt.Errorf("install %s: %w", s.name, err)
					cancel() // the other lane stops too
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return env, err
	}
	if env.SparkHome, err = in.sparkHome(); err != nil {
		return env, err
	}
	if RegistryEnabled() {
		if env.RegistryJava, err = in.registryJava(ctx); err != nil {
			return env, fmt.Errorf("install schema registry: %w", err)
		}
	}
	return env, nil
}

// stamped reports whether dir holds the stamp spec; stamp writes it.
func stamped(dir, spec string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ".finobs-installed"))
	return err == nil && string(b) == spec
}

func stamp(dir, spec string) error {
	return os.WriteFile(filepath.Join(dir, ".finobs-installed"), []byte(spec), 0o644)
}

type mvnDep struct{ group, artifact, version, typ string } // typ "" is a jar

func (d mvnDep) String() string {
	if d.typ != "" {
		return d.group + ":" + d.artifact + ":" + d.version + ":" + d.typ
	}
	return d.group + ":" + d.artifact + ":" + d.version
}

// mvnCopy resolves deps with Maven (into ~/.m2, Maven's own cache) and copies the jars into
// dir. transitive=false copies only the named artifacts.
func (in *Installer) mvnCopy(ctx context.Context, name, dir string, transitive bool, deps ...mvnDep) error {
	spec := fmt.Sprintf("%v transitive=%v", deps, transitive)
	if stamped(dir, spec) {
		return nil
	}
	in.Log.Info("fetching jars with mvn", "set", name, "into", dir)
	var pom strings.Builder
	pom.WriteString(`<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>finobs.stack</groupId><artifactId>` + name + `</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>
`)
	for _, d := range deps {
		typ := ""
		if d.typ != "" {
			typ = "<type>" + d.typ + "</type>"
		}
		fmt.Fprintf(&pom, "    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version>%s</dependency>\n",
			d.group, d.artifact, d.version, typ)
	}
	pom.WriteString("  </dependencies>\n</project>\n")
	pdir := filepath.Join(in.P.State, "mvn", name)
	if err := mkdirs(pdir); err != nil {
		return err
	}
	pomPath := filepath.Join(pdir, "pom.xml")
	if err := os.WriteFile(pomPath, []byte(pom.String()), 0o644); err != nil {
		return err
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	args := []string{"-q", "-B", "-f", pomPath, "dependency:copy-dependencies", "-DoutputDirectory=" + tmp, "-DincludeScope=runtime"}
	if !transitive {
		args = append(args, "-DexcludeTransitive=true")
	}
	if err := in.run(ctx, "", nil, "mvn", args...); err != nil {
		return fmt.Errorf("mvn could not fetch %v (is Maven Central reachable?): %w", deps, err)
	}
	if err := stamp(tmp, spec); err != nil {
		return err
	}
	os.RemoveAll(dir)
	if err := mkdirs(filepath.Dir(dir)); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

func (in *Installer) kafkaLibs(ctx context.Context) error {
	return in.mvnCopy(ctx, "kafka", in.P.KafkaLibs(), true,
		mvnDep{"org.slf4j", "slf4j-api", SLF4JVersion, ""}, // first: nearest wins in Maven's mediation
		mvnDep{"org.apache.kafka", "kafka_2.13", KafkaVersion, ""},
		mvnDep{"org.apache.kafka", "kafka-tools", KafkaVersion, ""}, // ProducerPerformance
		mvnDep{"org.apache.logging.log4j", "log4j-core", Log4jVersion, ""},
		mvnDep{"org.apache.logging.log4j", "log4j-slf4j2-impl", Log4jVersion, ""},
	)
}

func (in *Installer) jmxAgent(ctx context.Context) error {
	return in.mvnCopy(ctx, "jmx", filepath.Dir(in.P.JMXAgent()), false,
		mvnDep{"io.prometheus.jmx", "jmx_prometheus_javaagent", JMXExporterVersion, ""})
}

func (in *Installer) sparkJars(ctx context.Context) error {
	deps, err := sparkJarDeps()
	if err != nil {
		return err
	}
	return in.mvnCopy(ctx, "spark-kafka", in.P.SparkJars(), false, deps...)
}

// sparkJarDeps are SparkPackages and, fetched without their dependencies, what the Kafka
// source needs that pyspark's jars lack (spark-avro's avro is among them): what
// spark-submit --packages would resolve.
func sparkJarDeps() ([]mvnDep, error) {
	var deps []mvnDep
	for _, c := range SparkPackages {
		g, rest, _ := strings.Cut(c, ":")
		a, v, _ := strings.Cut(rest, ":")
		if g == "" || a == "" || v == "" || strings.Contains(v, ":") {
			return nil, fmt.Errorf("install: Spark package %q is not group:artifact:version", c)
		}
		deps = append(deps, mvnDep{g, a, v, ""})
	}
	return append(deps,
		mvnDep{"org.apache.kafka", "kafka-clients", SparkKafkaClientsVersion, ""},
		mvnDep{"org.apache.commons", "commons-pool2", CommonsPool2Version, ""}), nil
}

func (in *Installer) venv(ctx context.Context) error {
	dir := in.P.Venv()
	spec := "pyspark[connect]==" + SparkVersion
	if stamped(dir, spec) {
		return nil
	}
	python := os.Getenv("FINOBS_PYTHON")
	if python == "" {
		python = "python3"
	}
	if _, err := exec.LookPath(python); err != nil {
		return fmt.Errorf("%s not found (the Spark Connect server comes from the pyspark wheel): %w", python, err)
	}
	in.Log.Info("installing pyspark into a venv (first time: a few minutes, ~900 MB)", "spec", spec, "venv", dir)
	if !exists(filepath.Join(dir, "bin", "pip")) {
		if err := in.run(ctx, "", nil, python, "-m", "venv", dir); err != nil {
			return fmt.Errorf("python venv: %w", err)
		}
	}
	// --no-compile: byte-compiling pyspark's thousands of modules is most of the install's
	// time, and nothing here imports them but the benchmark's reference (Python compiles
	// what it imports on first use); the server is the wheel's jars.
	if err := in.run(ctx, "", nil, filepath.Join(dir, "bin", "pip"), "install", "--disable-pip-version-check", "-q", "--no-compile", spec); err != nil {
		return fmt.Errorf("pip install %s: %w", spec, err)
	}
	return stamp(dir, spec)
}

func (in *Installer) sparkHome() (string, error) {
	m, _ := filepath.Glob(filepath.Join(in.P.Venv(), "lib", "python3*", "site-packages", "pyspark", "bin", "spark-submit"))
	if len(m) == 0 {
		return "", fmt.Errorf("install: no pyspark/bin/spark-submit in %s", in.P.Venv())
	}
	return filepath.Dir(filepath.Dir(m[0])), nil
}

func goBin() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// goTool builds a binary of a module that go.mod pins, once per version.
func (in *Installer) goTool(ctx context.Context, bin, pkg string) error {
	mod := pkg
	if i := strings.Index(pkg, "/cmd/"); i >= 0 {
		mod = pkg[:i]
	}
	out, err := exec.CommandContext(ctx, goBin(), "list", "-m", "-f", "{{.Version}}", mod).Output()
	if err != nil {
		return fmt.Errorf("go list -m %s (is it required in go.mod?): %w", mod, err)
	}
	version := strings.TrimSpace(string(out))
	stampFile := filepath.Join(in.P.Bin(), bin+".version")
	if b, err := os.ReadFile(stampFile); err == nil && string(b) == version && exists(filepath.Join(in.P.Bin(), bin)) {
		return nil
	}
	in.Log.Info("building a tool pinned in go.mod (prometheus, the first time: ~10-15 min on 2 cores)", "pkg", pkg, "version", version)
	if err := in.run(ctx, in.P.Repo, nil, goBin(), "build", "-o", filepath.Join(in.P.Bin(), bin), pkg); err != nil {
		return err
	}
	return os.WriteFile(stampFile, []byte(version), 0o644)
}

// webhook is our own code: rebuilt every time (Go's build cache makes that a second).
func (in *Installer) webhook(ctx context.Context) error {
	return in.ownTool(ctx, "webhook")
}

// ownTool builds ./cmd/<name> into the state directory's bin.
func (in *Installer) ownTool(ctx context.Context, name string) error {
	return in.run(ctx, in.P.Repo, nil, goBin(), "build", "-o", filepath.Join(in.P.Bin(), name), "./cmd/"+name)
}

// alertmanager finds the server binary: $FINOBS_ALERTMANAGER, else the version go.mod
// pins, built from its module (alertmanager.go).
func (in *Installer) alertmanager(ctx context.Context) (string, error) {
	if p := os.Getenv("FINOBS_ALERTMANAGER"); p != "" {
		return p, nil
	}
	return in.buildAlertmanager(ctx)
}

// run runs an install command with its output appended to logs/install.log; on failure the
// error carries the last lines of that output.
func (in *Installer) run(ctx context.Context, dir string, env []string, name string, args ...string) error {
	f, err := os.OpenFile(filepath.Join(in.P.Logs(), "install.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "\n== %s %s %s\n", time.Now().UTC().Format(time.RFC3339), name, strings.Join(args, " "))
	var tail bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = io.MultiWriter(f, &tail)
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	// Some steps are silent for minutes (the first Prometheus build): say they still run.
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				in.Log.Info("still running", "cmd", filepath.Base(name), "for", time.Since(start).Round(time.Second))
			}
		}
	}()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s(full output in %s)", name, strings.Join(args, " "), err,
			lastLines(tail.String(), 15), f.Name())
	}
	in.Log.Debug("ran", "cmd", name, "took", time.Since(start).Round(time.Second))
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := ""
	for _, l := range lines {
		out += "  | " + l + "\n"
	}
	return out
}

var javaVersionRE = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// findJava returns a JAVA_HOME of Java 17 or later: $JAVA_HOME, else the java on PATH.
func findJava(ctx context.Context) (string, error) {
	java := ""
	if h := os.Getenv("JAVA_HOME"); h != "" {
		java = filepath.Join(h, "bin", "java")
	} else if p, err := exec.LookPath("java"); err == nil {
		java = p
	} else {
		return "", fmt.Errorf("java not found: Kafka %s and Spark %s need Java %d or later (install openjdk-17-jdk-headless or set JAVA_HOME)",
			KafkaVersion, SparkVersion, MinJavaMajor)
	}
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		return "", fmt.Errorf("no java at %s (check JAVA_HOME): Kafka %s and Spark %s need Java %d or later: %w",
			java, KafkaVersion, SparkVersion, MinJavaMajor, err)
	}
	out, err := exec.CommandContext(ctx, real, "-version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s -version: %w: %s", real, err, out)
	}
	m := javaVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("cannot read the version of %s: %s", real, out)
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" { // 1.8 style
		major, _ = strconv.Atoi(m[2])
	}
	if major < MinJavaMajor {
		return "", fmt.Errorf("%s is Java %d; Kafka %s and Spark %s need Java %d or later (set JAVA_HOME)",
			real, major, KafkaVersion, SparkVersion, MinJavaMajor)
	}
	return filepath.Dir(filepath.Dir(real)), nil
}
