package compose

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/finobs/finobs/pkg/stack"
)

// durable is a directory of a service that must outlive its container.
type durable struct {
	dir, what string
}

// durables are the directories of each service that must survive a restart: Kafka's log
// dirs, the registry's database, the Spark queries' checkpoints, Prometheus' TSDB,
// Alertmanager's silences and notification log, Elasticsearch's indices. A service that
// keeps one in memory is an error of its own.
func durables(p *types.Project, st stack.Stack) (map[string][]durable, []error) {
	out, errs := map[string][]durable{}, []error(nil)
	add := func(svc, dir, what string) { out[svc] = append(out[svc], durable{path.Clean(dir), what}) }
	var checkpoints string
	for _, inst := range st.Of(stack.StreamDriver) {
		if s, ok := p.Services[inst.Name]; ok {
			checkpoints, _ = optionValue(s.Command, "-checkpoint-dir")
		}
	}
	for _, inst := range st.Instances {
		s, ok := p.Services[inst.Name]
		if !ok {
			continue
		}
		prof, _ := ProfileOf(s.Image)
		env := func(k string) string { return deref(s.Environment[k]) }
		switch inst.Component {
		case stack.KafkaController, stack.KafkaBroker, stack.KafkaCombined:
			for _, d := range strings.Split(env("KAFKA_LOG_DIRS"), ",") {
				if d != "" {
					add(inst.Name, d, "Kafka's log dir")
				}
			}
			if d := env("KAFKA_METADATA_LOG_DIR"); d != "" {
				add(inst.Name, d, "Kafka's metadata log dir")
			}
		case stack.SchemaRegistry:
			dir, err := registryDir(env("APICURIO_STORAGE_KIND"), env("APICURIO_DATASOURCE_URL"))
			if err != nil {
				errs = append(errs, fmt.Errorf("service %s: %v", inst.Name, err))
				continue
			}
			add(inst.Name, dir, "the registry's schemas (its H2 database)")
		case stack.StreamDriver, stack.SparkConnect, stack.SparkWorker:
			if checkpoints == "" {
				errs = append(errs, fmt.Errorf("service %s: no -checkpoint-dir on the stream driver: the queries' checkpoints are nowhere durable", inst.Name))
				continue
			}
			add(inst.Name, checkpoints, "the streaming queries' checkpoints")
		case stack.Prometheus:
			add(inst.Name, flagOrData(s, "--storage.tsdb.path", prof), "Prometheus' TSDB")
		case stack.Alertmanager:
			add(inst.Name, flagOrData(s, "--storage.path", prof), "Alertmanager's silences and notification log")
		case stack.Elasticsearch:
			dir := env("path.data")
			if dir == "" {
				dir = dataDir(prof)
			}
			add(inst.Name, dir, "Elasticsearch's indices")
		}
	}
	return out, errs
}

// registryDir is the directory of the registry's H2 database file, or an error where the
// registry keeps its schemas in memory (Apicurio's default apicurio.datasource.url is
// jdbc:h2:mem:, application.properties:242 of 3.3.1).
func registryDir(kind, url string) (string, error) {
	if kind != "sql" {
		return "", fmt.Errorf("APICURIO_STORAGE_KIND is %q, not sql: the check reads only the sql storage's database", kind)
	}
	file, ok := strings.CutPrefix(url, "jdbc:h2:file:")
	if !ok {
		return "", fmt.Errorf("keeps its schemas in memory (APICURIO_DATASOURCE_URL %q, not jdbc:h2:file:): a restart loses every schema and renumbers them", url)
	}
	file, _, _ = strings.Cut(file, ";")
	if !path.IsAbs(file) {
		return "", fmt.Errorf("APICURIO_DATASOURCE_URL %q names a relative file", url)
	}
	return path.Dir(file), nil
}

func flagOrData(s types.ServiceConfig, flag string, prof Profile) string {
	if v, ok := optionValue(s.Command, flag); ok {
		return v
	}
	return dataDir(prof)
}

func dataDir(prof Profile) string {
	for _, d := range prof.Paths {
		if d.What == "data" && d.From.Known() {
			return d.Dir
		}
	}
	return ""
}

// checkDurable: every directory that must survive a restart (durables) is on a named
// volume, and the service can write that volume: it runs as root, or the image ships the
// mount point writable by its user (a new named volume starts with the mount point's owner
// and mode), or a one-shot job it waits for mounts the same volume and chowns it to the
// service's uid or opens it to all (a named volume on a path the image lacks starts
// root-owned, 0755).
func checkDurable(p *types.Project, st stack.Stack) []error {
	want, errs := durables(p, st)
	for _, name := range slices.Sorted(maps.Keys(want)) {
		s := p.Services[name]
		for _, d := range want[name] {
			v, ok := volumeAt(s, d.dir)
			if !ok {
				errs = append(errs, fmt.Errorf("service %s: %s (%s) is on no named volume: a new container starts without it", name, d.dir, d.what))
				continue
			}
			if err := writable(p, name, v); err != nil {
				errs = append(errs, fmt.Errorf("service %s: %s (%s): %v", name, d.dir, d.what, err))
			}
		}
	}
	return errs
}

// volumeAt is the named volume dir is on.
func volumeAt(s types.ServiceConfig, dir string) (types.ServiceVolumeConfig, bool) {
	var best types.ServiceVolumeConfig
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume || v.Source == "" || !within(dir, v.Target) {
			continue
		}
		if len(v.Target) > len(best.Target) {
			best = v
		}
	}
	return best, best.Target != ""
}

func within(dir, mount string) bool {
	mount = path.Clean(mount)
	return dir == mount || strings.HasPrefix(dir, strings.TrimSuffix(mount, "/")+"/")
}

// writable: the service can write volume v (see checkDurable).
func writable(p *types.Project, name string, v types.ServiceVolumeConfig) error {
	s := p.Services[name]
	prof, _ := ProfileOf(s.Image)
	uid, _ := runsAs(s.User, prof)
	if uid == 0 || s.User == "" && prof.Writable(path.Clean(v.Target)) {
		return nil
	}
	for _, job := range waitsFor(p, name) {
		j := p.Services[job]
		for _, jv := range j.Volumes {
			if jv.Type == types.VolumeTypeVolume && jv.Source == v.Source && opens(j, path.Clean(jv.Target), uid) {
				return nil
			}
		}
	}
	who := "uid " + strconv.Itoa(uid)
	if uid < 0 {
		who = "a uid its image's profile does not show"
	}
	return fmt.Errorf("volume %s is not shown writable by %s: the image does not ship %s writable, and no job the service waits for chowns it to that uid or opens it to all", v.Source, who, v.Target)
}

// waitsFor are the one-shot jobs (restart: no) a service waits for, directly or through
// the services it waits for.
func waitsFor(p *types.Project, name string) []string {
	seen, jobs := map[string]bool{}, []string(nil)
	var walk func(string)
	walk = func(n string) {
		for dep := range p.Services[n].DependsOn {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if p.Services[dep].Restart == "no" {
				jobs = append(jobs, dep)
			}
			walk(dep)
		}
	}
	walk(name)
	slices.Sort(jobs)
	return jobs
}

var (
	chownLine = regexp.MustCompile(`^\s*chown\s+(\d+)(?::\d+)?\s+(.+)$`)
	chmodLine = regexp.MustCompile(`^\s*chmod\s+(?:0?777|1777|a\+rwx|a\+w|o\+w|o\+rwx)\s+(.+)$`)
)

// opens: a line of the job's script chowns dir to uid, or opens it to all.
func opens(job types.ServiceConfig, dir string, uid int) bool {
	script, ok := optionValue(slices.Concat(job.Entrypoint, job.Command), "-c")
	if !ok {
		return false
	}
	for _, l := range strings.Split(script, "\n") {
		var dirs string
		if m := chownLine.FindStringSubmatch(l); m != nil && uid >= 0 && m[1] == strconv.Itoa(uid) {
			dirs = m[2]
		} else if m := chmodLine.FindStringSubmatch(l); m != nil {
			dirs = m[1]
		}
		for _, d := range strings.Fields(dirs) {
			if path.Clean(d) == dir {
				return true
			}
		}
	}
	return false
}
