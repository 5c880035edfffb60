package compose

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/finobs/finobs/deploy/kafkaconf"
	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/pkg/stack"
)

// Load reads a compose file the way Docker Compose does (compose-go, with interpolation,
// validation and paths resolved against the file's directory), without the caller's
// environment: what is checked is the file, not a shell's variables.
func Load(ctx context.Context, path string) (*types.Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions([]string{abs}, cli.WithName("finobs"), cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithInterpolation(true), cli.WithResolvedPaths(true), cli.WithEnv([]string{}))
	if err != nil {
		return nil, err
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("compose-go rejects %s: %w", path, err)
	}
	return p, nil
}

// Repo says what a mounted path may be: a file cmd/gen generates, a file committed to
// git, or a secret that git ignores and does not track. Paths are relative to Root, with
// slashes.
type Repo struct {
	Root      string
	Generated func(rel string) bool
	Tracked   func(rel string) bool
	Ignored   func(rel string) bool
	// SecretMode is the mode of the secret files (SecretFileMode, what `cmd/compose
	// secrets` writes): with their host owner, it decides who in a container reads them.
	SecretMode fs.FileMode
}

// HostPaths are the host paths outside the repository a service may mount, and why.
var HostPaths = map[string]string{
	"node-exporter:/": "node_exporter reads the host's file systems under --path.rootfs",
}

// MemoryBudget is what all limits together may reach: a 32 GB laptop keeps room for its
// own system and the image builds. Most of it is the 3 Spark workers the topology declares
// (2 cores and 2048 MB each, for one executor of deploy/spark apiece).
const MemoryBudget = 18 << 30

// Check proves what can be proven of a loaded compose file without a container engine:
// every image is pinned; every published port binds host, and no two bind one host port;
// every service has a healthcheck (one-shot jobs: every dependant waits for their success)
// and a memory limit, within MemoryBudget in total; every one-shot job is waited for by a
// running service (else `up --wait` fails on its exit); every depends_on names a service
// and waits for its health or completion; every bind mount is a generated or committed file
// of repo (or a HostPaths entry); every secret file is neither tracked nor unignored; every
// scrape target (host:port) is a service exposing that port; each Kafka service gets
// exactly kafkaconf's settings of its topology instance, all with one cluster id; no
// variable holds a password (only *_FILE names of secret files); no Spark daemon gets a max
// heap in its options, and each has SPARK_DAEMON_MEMORY; no command, entrypoint or variable
// points at loopback on another's port, and our own clients are given every address; the
// Spark Connect server's --packages are the native stack's Spark packages; no one-shot
// job's script goes on past a failing command; every healthcheck and sh -c entrypoint is
// POSIX sh running only what its image's profile shows (checkScripts); every secret is
// readable by the uid that reads it (checkSecretsReadable); everything that must survive
// a restart is on a named volume its service can write (checkDurable).
func Check(p *types.Project, repo Repo, host string, st stack.Stack, scrapes []string) error {
	var errs []error
	fail := func(svc, format string, a ...any) {
		errs = append(errs, fmt.Errorf("service %s: %s", svc, fmt.Sprintf(format, a...)))
	}
	jobs := map[string]bool{}
	for name, s := range p.Services {
		if s.Restart == "no" {
			jobs[name] = true
		}
	}
	var total int64
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if err := pinned(s.Image); err != nil && s.Build == nil {
			fail(name, "%v", err)
		}
		if s.Build != nil {
			df := s.Build.Dockerfile
			if !filepath.IsAbs(df) {
				df = filepath.Join(s.Build.Context, df)
			}
			if rel, ok := repo.rel(df); !ok || !repo.Tracked(rel) && !exists(df) {
				fail(name, "Dockerfile %s is not in the repository", df)
			}
		}
		for _, port := range s.Ports {
			if port.Published != "" && port.HostIP != host {
				fail(name, "port %s is published on %q, not %s", port.Published, port.HostIP, host)
			}
		}
		if jobs[name] {
			if s.HealthCheck != nil && !s.HealthCheck.Disable {
				fail(name, "a one-shot job has a healthcheck")
			}
		} else if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			fail(name, "no healthcheck")
		}
		if s.MemLimit <= 0 {
			fail(name, "no memory limit")
		}
		total += int64(s.MemLimit)
		for dep, d := range s.DependsOn {
			want := types.ServiceConditionHealthy
			if jobs[dep] {
				want = types.ServiceConditionCompletedSuccessfully
			}
			if _, ok := p.Services[dep]; !ok {
				fail(name, "depends on %s, which is no service", dep)
			} else if d.Condition != want {
				fail(name, "depends on %s with condition %q, want %q", dep, d.Condition, want)
			}
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if why := HostPaths[name+":"+v.Source]; why != "" {
				continue
			}
			rel, ok := repo.rel(v.Source)
			if !ok {
				fail(name, "mounts %s, outside the repository", v.Source)
				continue
			}
			if !v.ReadOnly {
				fail(name, "mounts %s writable", rel)
			}
			if err := repo.mountable(rel); err != nil {
				fail(name, "mounts %s: %v", rel, err)
			}
		}
		for k, v := range s.Environment {
			if strings.Contains(strings.ToUpper(k), "PASSWORD") && !strings.HasSuffix(k, "_FILE") {
				fail(name, "variable %s holds a password (%q): give a secret file's path in %s_FILE instead", k, deref(v), k)
			}
		}
	}
	// `up --wait` counts a job that exited 0 as up only when a running service waits for
	// its success (docker/compose#10596).
	for _, job := range slices.Sorted(maps.Keys(jobs)) {
		adopted := false
		for name, s := range p.Services {
			if d, ok := s.DependsOn[job]; ok && !jobs[name] && d.Condition == types.ServiceConditionCompletedSuccessfully {
				adopted = true
			}
		}
		if !adopted {
			fail(job, "a one-shot job no running service waits for: `up --wait` would fail on its exit")
		}
	}
	if total > MemoryBudget {
		errs = append(errs, fmt.Errorf("memory limits add up to %d MiB, over the budget of %d MiB", total>>20, MemoryBudget>>20))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		sec := p.Secrets[name]
		if sec.File == "" {
			errs = append(errs, fmt.Errorf("secret %s: not read from a file", name))
			continue
		}
		rel, ok := repo.rel(sec.File)
		switch {
		case !ok:
			// Outside the repository: not in it, by definition.
		case repo.Tracked(rel):
			errs = append(errs, fmt.Errorf("secret %s: %s is committed", name, rel))
		case !repo.Ignored(rel):
			errs = append(errs, fmt.Errorf("secret %s: %s is not git-ignored", name, rel))
		}
	}
	for _, t := range scrapes {
		h, port, err := net.SplitHostPort(t)
		if err != nil {
			errs = append(errs, fmt.Errorf("scrape target %q: %v", t, err))
			continue
		}
		s, ok := p.Services[h]
		if !ok {
			errs = append(errs, fmt.Errorf("Prometheus scrapes %s: no service %s", t, h))
			continue
		}
		if !slices.Contains(s.Expose, port) {
			errs = append(errs, fmt.Errorf("Prometheus scrapes %s: service %s exposes %v, not %s", t, h, []string(s.Expose), port))
		}
	}
	errs = append(errs, checkHostPorts(p)...)
	errs = append(errs, checkSparkHeaps(p)...)
	errs = append(errs, checkLoopback(p)...)
	errs = append(errs, checkClientFlags(p, st)...)
	errs = append(errs, checkSparkPackages(p, st)...)
	for _, job := range slices.Sorted(maps.Keys(jobs)) {
		errs = append(errs, checkJobScript(job, p.Services[job])...)
	}
	errs = append(errs, checkKafka(p, st)...)
	errs = append(errs, checkScripts(p)...)
	errs = append(errs, checkSecretsReadable(p, repo.SecretMode)...)
	errs = append(errs, checkDurable(p, st)...)
	return errors.Join(errs...)
}

// sparkDaemons are the classes Spark's launcher starts with SPARK_DAEMON_JAVA_OPTS and an
// options variable of their own, and a heap of SPARK_DAEMON_MEMORY (Spark 4.1.1,
// launcher/src/main/java/org/apache/spark/launcher/SparkClassCommandBuilder.java:55-66).
var sparkDaemons = map[string]string{
	"org.apache.spark.deploy.master.Master": "SPARK_MASTER_OPTS",
	"org.apache.spark.deploy.worker.Worker": "SPARK_WORKER_OPTS",
}

// checkSparkHeaps: no Spark daemon options hold a max heap, which the launcher refuses for
// a Master or Worker: it throws on any "Xmx" in them (SparkClassCommandBuilder.java:95) and
// the daemon never starts. A service running one gives its heap in SPARK_DAEMON_MEMORY,
// else the launcher's 1g (CommandBuilderUtils.java:34, DEFAULT_MEM) applies.
func checkSparkHeaps(p *types.Project) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		for _, k := range []string{"SPARK_DAEMON_JAVA_OPTS", "SPARK_MASTER_OPTS", "SPARK_WORKER_OPTS"} {
			if v := deref(s.Environment[k]); strings.Contains(v, "Xmx") {
				errs = append(errs, fmt.Errorf("service %s: %s holds a max heap (%q): Spark's launcher refuses to start a Master or Worker with one; give the heap in SPARK_DAEMON_MEMORY", name, k, v))
			}
		}
		for _, arg := range slices.Concat(s.Entrypoint, s.Command) {
			if _, ok := sparkDaemons[arg]; ok && deref(s.Environment["SPARK_DAEMON_MEMORY"]) == "" {
				errs = append(errs, fmt.Errorf("service %s: runs Spark's %s without SPARK_DAEMON_MEMORY: the launcher gives it a 1g heap", name, arg))
			}
		}
	}
	return errs
}

// loopbackAddr is host:port on loopback: 127.0.0.0/8, localhost, [::1].
var loopbackAddr = regexp.MustCompile(`(?:\b127(?:\.[0-9]{1,3}){3}|\blocalhost|\[::1\]):([0-9]{1,5})\b`)

// checkLoopback: no command, entrypoint or environment value points at a loopback address
// on a port the service does not have itself (container port, or its own published host
// port, as in an external URL): inside a container loopback is the container, and another
// service is reached by its service name.
func checkLoopback(p *types.Project) []error {
	owners := map[string][]string{} // port: service:port of who exposes it, or publishes it on the host
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		for _, e := range s.Expose {
			owners[e] = append(owners[e], name+":"+e)
		}
		for _, pc := range s.Ports {
			if pc.Published != "" {
				owners[pc.Published] = append(owners[pc.Published], fmt.Sprintf("%s:%d", name, pc.Target))
			}
		}
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		own := map[string]bool{}
		for _, e := range s.Expose {
			own[e] = true
		}
		for _, pc := range s.Ports {
			own[pc.Published], own[strconv.Itoa(int(pc.Target))] = true, true
		}
		places := [][2]string{{"command", strings.Join(s.Command, " ")}, {"entrypoint", strings.Join(s.Entrypoint, " ")}}
		for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
			places = append(places, [2]string{"variable " + k, deref(s.Environment[k])})
		}
		for _, pl := range places {
			for _, m := range loopbackAddr.FindAllStringSubmatch(pl[1], -1) {
				if own[m[1]] {
					continue
				}
				msg := fmt.Sprintf("service %s: %s points at %s, which is the container itself", name, pl[0], m[0])
				if o := slices.Compact(slices.Sorted(slices.Values(owners[m[1]]))); len(o) > 0 {
					msg += "; address " + strings.Join(o, " or ") + " by its service name"
				}
				errs = append(errs, errors.New(msg))
			}
		}
	}
	return errs
}

// clientFlags are the address flags of finobs's own commands whose defaults are the native
// stack's loopback addresses (cmd/produce, cmd/stream: topology.Local): a container that
// leaves one out dials itself.
var clientFlags = map[stack.Component][]string{
	stack.Producer:     {"-brokers", "-registry"},
	stack.StreamDriver: {"-spark", "-bootstrap", "-registry"},
}

// checkClientFlags: the producer's and the stream driver's commands give every address
// flag of clientFlags.
func checkClientFlags(p *types.Project, st stack.Stack) []error {
	var errs []error
	for _, inst := range st.Instances {
		s, ok := p.Services[inst.Name]
		if !ok {
			continue
		}
		for _, f := range clientFlags[inst.Component] {
			_, one := optionValue(s.Command, f)
			_, two := optionValue(s.Command, "-"+f) // Go's flag package takes --flag too
			if !one && !two {
				errs = append(errs, fmt.Errorf("service %s: command lacks %s: the program falls back to the native stack's address on 127.0.0.1, the container itself", inst.Name, f))
			}
		}
	}
	return errs
}

// checkSparkPackages: each Spark Connect server's --packages are native.SparkPackages, the
// list the native stack installs from: no more, no fewer.
func checkSparkPackages(p *types.Project, st stack.Stack) []error {
	var errs []error
	for _, inst := range st.Of(stack.SparkConnect) {
		s, ok := p.Services[inst.Name]
		if !ok {
			continue
		}
		got, ok := optionValue(s.Command, "--packages")
		if !ok {
			errs = append(errs, fmt.Errorf("service %s: no --packages: want the native stack's Spark packages %v", inst.Name, native.SparkPackages))
			continue
		}
		pkgs := strings.Split(got, ",")
		for _, want := range native.SparkPackages {
			if !slices.Contains(pkgs, want) {
				errs = append(errs, fmt.Errorf("service %s: --packages lacks %s, which the native stack installs (native.SparkPackages)", inst.Name, want))
			}
		}
		for _, g := range pkgs {
			if !slices.Contains(native.SparkPackages, g) {
				errs = append(errs, fmt.Errorf("service %s: --packages has %s, which the native stack does not install (native.SparkPackages)", inst.Name, g))
			}
		}
	}
	return errs
}

// optionValue is the value of a command's option, given as "--opt value" or "--opt=value".
func optionValue(args []string, opt string) (string, bool) {
	for i, a := range args {
		if a == opt && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, opt+"="); ok {
			return v, true
		}
	}
	return "", false
}

// checkJobScript: a one-shot job's shell script (sh -c) of more than one line starts with
// set -e, and no line chains commands with &&: set -e ignores a failure before the last &&
// of a list (POSIX sh, set -e), and the job would exit 0 having failed. The condition of an
// if, elif, while or until is exempt: a failure there is meant to choose.
func checkJobScript(name string, s types.ServiceConfig) []error {
	script, ok := optionValue(slices.Concat(s.Entrypoint, s.Command), "-c")
	if !ok {
		return nil
	}
	var errs []error
	lines := strings.Split(strings.TrimSpace(script), "\n")
	if len(lines) > 1 && !strings.HasPrefix(lines[0], "set -e") {
		errs = append(errs, fmt.Errorf("service %s: a script of %d lines without set -e first: a failing line would not stop the job", name, len(lines)))
	}
	for i, l := range lines {
		body := strings.TrimSpace(l)
		for _, c := range [][2]string{{"if ", "; then"}, {"elif ", "; then"}, {"while ", "; do"}, {"until ", "; do"}} {
			if strings.HasPrefix(body, c[0]) {
				_, body, _ = strings.Cut(body, c[1]) // what follows the condition on its line
			}
		}
		if strings.Contains(body, "&&") {
			errs = append(errs, fmt.Errorf("service %s: script line %d chains commands with &&: set -e does not stop at a failure before the last &&, and the job would exit 0 having failed", name, i+1))
		}
	}
	return errs
}

// checkHostPorts: no two published ports take one host port of a protocol on one address
// (an unspecified address, "" or 0.0.0.0 or ::, takes it on all of them): the engine would
// not start the second container ("port is already allocated").
func checkHostPorts(p *types.Project) []error {
	type binding struct{ svc, ip string }
	seen := map[string][]binding{} // "8080/tcp": who publishes it, on which address
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		for _, port := range p.Services[name].Ports {
			if port.Published == "" {
				continue
			}
			nums, err := portRange(port.Published)
			if err != nil {
				errs = append(errs, fmt.Errorf("service %s: published port %q: %v", name, port.Published, err))
				continue
			}
			proto := cmp.Or(port.Protocol, "tcp")
			for _, n := range nums {
				key := n + "/" + proto
				for _, b := range seen[key] {
					if b.ip == port.HostIP || unspecified(b.ip) || unspecified(port.HostIP) {
						errs = append(errs, fmt.Errorf("service %s: host port %s/%s is published by service %s too (on %q): the engine would not start the second",
							name, net.JoinHostPort(port.HostIP, n), proto, b.svc, b.ip))
					}
				}
				seen[key] = append(seen[key], binding{name, port.HostIP})
			}
		}
	}
	return errs
}

// portRange lists the ports of a published port or range ("8080", "8000-8002").
func portRange(s string) ([]string, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return nil, err
	}
	b, err := strconv.ParseUint(hi, 10, 16)
	if err != nil || b < a {
		return nil, fmt.Errorf("not a port range")
	}
	var out []string
	for n := a; n <= b; n++ {
		out = append(out, strconv.FormatUint(n, 10))
	}
	return out, nil
}

func unspecified(ip string) bool { return ip == "" || net.ParseIP(ip).IsUnspecified() }

// checkKafka: each Kafka service's KAFKA_* variables are kafkaconf's settings of its
// instance, no more and no fewer; one CLUSTER_ID.
func checkKafka(p *types.Project, st stack.Stack) []error {
	var errs []error
	image := map[string]bool{"KAFKA_HEAP_OPTS": true, "KAFKA_OPTS": true, "KAFKA_LOG4J_OPTS": true}
	ids := map[string]bool{}
	for _, inst := range st.Instances {
		if !slices.Contains(stack.KafkaRoles, inst.Component) {
			continue
		}
		s, ok := p.Services[inst.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("Kafka node %s: no service", inst.Name))
			continue
		}
		want, err := kafkaconf.Node(st, inst, kafkaconf.LogDirs(inst, kafkaData)...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got := map[string]string{}
		for k, v := range s.Environment {
			if k == "CLUSTER_ID" {
				ids[deref(v)] = true
			}
			if key, ok := kafkaconf.KeyOfEnv(k); ok && !image[k] {
				got[key] = deref(v)
			}
		}
		wantMap := kafkaconf.Map(want)
		for _, k := range slices.Sorted(maps.Keys(wantMap)) {
			if g, ok := got[k]; !ok {
				errs = append(errs, fmt.Errorf("Kafka node %s: setting %s (%s) is missing", inst.Name, k, kafkaconf.EnvName(k)))
			} else if g != wantMap[k] {
				errs = append(errs, fmt.Errorf("Kafka node %s: %s = %q, kafkaconf says %q", inst.Name, k, g, wantMap[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(got)) {
			if _, ok := wantMap[k]; !ok {
				errs = append(errs, fmt.Errorf("Kafka node %s: setting %s is not kafkaconf's", inst.Name, k))
			}
		}
	}
	if len(ids) != 1 {
		errs = append(errs, fmt.Errorf("Kafka nodes have %d cluster ids, want one", len(ids)))
	}
	return errs
}

// pinned: a tag other than latest, or a digest.
func pinned(image string) error {
	if image == "" {
		return errors.New("no image")
	}
	if strings.Contains(image, "@sha256:") {
		return nil
	}
	name := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	if !ok || tag == "" {
		return fmt.Errorf("image %s has no tag", image)
	}
	if tag == "latest" {
		return fmt.Errorf("image %s is not pinned (latest)", image)
	}
	return nil
}

func (r Repo) rel(abs string) (string, bool) {
	rel, err := filepath.Rel(r.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// mountable: a file generated or committed; a directory holding only such files (and at
// least one).
func (r Repo) mountable(rel string) error {
	abs := filepath.Join(r.Root, filepath.FromSlash(rel))
	fi, err := os.Stat(abs)
	if err != nil {
		return errors.New("does not exist")
	}
	ok := func(f string) bool { return r.Generated(f) || r.Tracked(f) }
	if !fi.IsDir() {
		if !ok(rel) {
			return errors.New("is neither generated nor committed")
		}
		return nil
	}
	n := 0
	err = filepath.WalkDir(abs, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, _ := r.rel(path)
		if !ok(f) {
			return fmt.Errorf("holds %s, neither generated nor committed", f)
		}
		n++
		return nil
	})
	if err == nil && n == 0 {
		err = errors.New("is an empty directory")
	}
	return err
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
