package compose

import (
	"fmt"
	"strconv"
	"strings"
)

// Source is where a fact about an image was read: a file of the image's published source
// (its Dockerfile, entrypoint, build script) and the lines that say it. No engine runs
// here, so these files are all that is known of an image: a fact without a source is
// unknown, and the checks treat it as absent.
type Source struct {
	Repo string // GitHub owner/name, or a URL where the source is a page
	Ref  string // tag or commit read
	File string
	At   string // lines ("26", "19-22"), or the member of an archive
	// Note says what is inferred rather than read, and why the file read is not the
	// pinned version's where it is not.
	Note string
}

// Known: the fact was read somewhere.
func (s Source) Known() bool {
	return s.Repo != "" && (s.File != "" || strings.HasPrefix(s.Repo, "https://"))
}

func (s Source) String() string {
	if !s.Known() {
		return "unknown"
	}
	out := s.Repo
	if s.Ref != "" {
		out += "@" + s.Ref
	}
	if s.File != "" {
		out += " " + s.File
	}
	if s.At != "" {
		out += ":" + s.At
	}
	if s.Note != "" {
		out += " (" + s.Note + ")"
	}
	return out
}

// ShellKind is what /bin/sh is in an image.
type ShellKind string

const (
	Dash ShellKind = "dash"
	Bash ShellKind = "bash"
	Ash  ShellKind = "busybox ash"
	// AnySh: the image has a /bin/sh (its build runs RUN lines through it), but which
	// shell it is was not read. Scripts for it must be POSIX, like every other.
	AnySh ShellKind = "a /bin/sh not identified"
)

// User is who the image's processes run as (its USER), unless the service sets another.
type User struct {
	Name     string
	UID, GID int // -1: not known
	From     Source
}

// Shell is the image's /bin/sh, which runs CMD-SHELL healthchecks and sh -c entrypoints.
type Shell struct {
	Kind ShellKind
	From Source
}

// Tool is a program in the image: a command name found on PATH or an absolute path.
type Tool struct {
	Name string
	From Source
}

// Path is a directory the image ships: where it keeps its data or reads its config.
type Path struct {
	Dir  string
	What string // "data", "config", "home"
	// Writable by the image's user as shipped (owned by it, or open to all): a named
	// volume mounted on it starts with that owner and mode, where one mounted on a path
	// the image lacks starts root-owned.
	Writable bool
	From     Source
}

// Profile is what the published source of one pinned image says of it.
type Profile struct {
	Image   string
	User    User
	Shell   Shell
	Tools   []Tool
	Paths   []Path
	Unknown []string // what was looked for and not found, so not relied on
}

// Has: the image has the tool, as read in its source.
func (p Profile) Has(tool string) bool {
	for _, t := range p.Tools {
		if t.Name == tool && t.From.Known() {
			return true
		}
	}
	return false
}

// HasSh: the image has a /bin/sh, as read in its source.
func (p Profile) HasSh() bool { return p.Shell.Kind != "" && p.Shell.From.Known() }

// Writable: the image ships dir writable by its user, as read in its source.
func (p Profile) Writable(dir string) bool {
	for _, d := range p.Paths {
		if d.Dir == dir && d.Writable && d.From.Known() {
			return true
		}
	}
	return false
}

// ProfileOf is the profile of an image, by its exact reference.
func ProfileOf(image string) (Profile, bool) {
	for _, p := range Profiles {
		if p.Image == image {
			return p, true
		}
	}
	return Profile{}, false
}

// runsAs is the uid and gid a service's processes run as: its user: setting (uid[:gid],
// root, or the image's user by name), else the image's USER; -1 where not known.
func runsAs(user string, p Profile) (uid, gid int) {
	known := p.User.From.Known()
	if user == "" {
		if !known {
			return -1, -1
		}
		return p.User.UID, p.User.GID
	}
	name, group, hasGroup := strings.Cut(user, ":")
	uid, gid = -1, -1
	if n, err := strconv.Atoi(name); err == nil {
		uid = n
	} else if name == "root" {
		uid, gid = 0, 0
	} else if known && name == p.User.Name {
		uid, gid = p.User.UID, p.User.GID
	}
	if hasGroup {
		gid = -1
		if g, err := strconv.Atoi(group); err == nil {
			gid = g
		} else if group == "root" {
			gid = 0
		}
	}
	return uid, gid
}

// The sources read, by the name a profile refers to them with. Versions are the pinned
// image's where the snapshot had them, else the nearest and the note says so.
var (
	// apache/spark:4.1.1 is 4.1.1/scala2.13-java21-python3-ubuntu (versions.json:4-9),
	// FROM the same directory's java21-ubuntu image, FROM eclipse-temurin:21-jammy.
	sparkPy   = Source{Repo: "apache/spark-docker", Ref: "b0876281ebd5ef739bf6103a5980b8a38cd957eb", File: "4.1.1/scala2.13-java21-python3-ubuntu/Dockerfile"}
	sparkBase = Source{Repo: "apache/spark-docker", Ref: "b0876281ebd5ef739bf6103a5980b8a38cd957eb", File: "4.1.1/scala2.13-java21-ubuntu/Dockerfile"}
	sparkEntr = Source{Repo: "apache/spark-docker", Ref: "b0876281ebd5ef739bf6103a5980b8a38cd957eb", File: "4.1.1/scala2.13-java21-ubuntu/entrypoint.sh"}
	temurin   = Source{Repo: "adoptium/containers", Ref: "e2141b5ee05e42abc78b6c9a000124764ed10dd7", File: "21/jdk/ubuntu/jammy/Dockerfile",
		Note: "the file's last change before Spark 4.1.1's image was published (2026-01-10)"}
	// The Ubuntu base's package manifest: dash, bash, coreutils and grep are in it.
	jammy = Source{Repo: "tianon/docker-brew-ubuntu-core", Ref: "570d5970a8b18bc772ad2c3eb1ce8fd0887d991a", File: "jammy/ubuntu-jammy-oci-amd64-root.manifest"}
	noble = Source{Repo: "tianon/docker-brew-ubuntu-core", Ref: "570d5970a8b18bc772ad2c3eb1ce8fd0887d991a", File: "jammy/ubuntu-jammy-oci-amd64-root.manifest",
		Note: "22.04's manifest; 24.04's is not in the snapshot: dash, coreutils and grep are Essential in every Ubuntu base"}
	dashIsSh = Source{Repo: "https://wiki.ubuntu.com/DashAsBinSh", Note: "Ubuntu's /bin/sh is dash since 6.10"}

	// apache/kafka's image: docker/jvm/Dockerfile. The snapshot ends in October 2024,
	// before the 4.1.1 tag; the 4.x file (fork aiven/kafka@cec72d23) has these lines
	// unchanged but for copying log4j2.yaml.
	kafkaDF   = Source{Repo: "apache/kafka", Ref: "347388a5e869389b0ceed336bb4edbfdb62a0053", File: "docker/jvm/Dockerfile", Note: "trunk of 2024-10-10; the 4.1.1 tag is not in the snapshot"}
	kafkaBin  = Source{Repo: "apache/kafka", Ref: "347388a5e869389b0ceed336bb4edbfdb62a0053", File: "docker/jvm/Dockerfile", At: "69", Note: "the release tgz unpacked into /opt/kafka; bin/kafka-*.sh are #!/bin/bash scripts of the source tree"}
	bbAddUID  = Source{Repo: "mirror/busybox", Ref: "371fe9f71d445d18be28c82a2a6d82115c8af19d", File: "loginutils/adduser.c", At: "103-106"}
	alpine320 = Source{Repo: "alpinelinux/docker-alpine", Ref: "7d63673353bd39d92ba42f6effcc199aeebd45ee", File: "x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz",
		Note: "Alpine 3.20.3's rootfs, the newest in the snapshot: the applets are busybox's in every Alpine"}

	// Apicurio's image: distro/docker/src/main/docker/Dockerfile.jvm. The snapshot's
	// newest tag is 3.3.1 (main is 3.3.2-SNAPSHOT); the file differs at main only in the
	// base image's digest.
	apicurioDF = Source{Repo: "Apicurio/apicurio-registry", Ref: "3.3.1", File: "distro/docker/src/main/docker/Dockerfile.jvm", Note: "the 3.3.3 tag is not in the snapshot"}
	ubi10JRE   = Source{Repo: "rh-openjdk/redhat-openjdk-containers", Ref: "df4546641c641242236229f06b3218aa145c7a76", File: "modules/user/configure.sh", At: "1",
		Note: "branch ubi10: the openjdk-21-runtime image's build runs this #!/bin/bash script"}

	// Prometheus' images FROM quay.io/prometheus/busybox: busybox:uclibc (latest) or
	// :glibc plus CA certificates (prometheus/busybox Makefile:36, glibc/Dockerfile:34).
	// The Dockerfiles are read from the Go module zips of go.mod's versions.
	promBusybox = Source{Repo: "docker-library/busybox", Ref: "70ce0fb98bee360bbcce132660d727bf6ce55a99", File: "latest/uclibc/amd64/rootfs.tar.gz",
		Note: "branch dist-amd64, BusyBox 1.38.0; the applets are busybox's defconfig (latest/uclibc/Dockerfile.builder:272, :316)"}
	promBusyboxGlibc = Source{Repo: "docker-library/busybox", Ref: "70ce0fb98bee360bbcce132660d727bf6ce55a99", File: "latest/glibc/amd64/rootfs.tar.gz",
		Note: "branch dist-amd64, BusyBox 1.38.0"}
	ashBuiltins = Source{Repo: "mirror/busybox", Ref: "371fe9f71d445d18be28c82a2a6d82115c8af19d", File: "shell/ash.c", At: "10180-10251"}

	grafanaDF = Source{Repo: "grafana/grafana", Ref: "78515af65f036f536c4ab2e6fdb5484552f99f1f", File: "Dockerfile", Note: "a 12.x Dockerfile (BASE_IMAGE alpine:3.21); the v12.2.1 tag's was not readable here"}

	// Elastic's images as built: elastic/dockerfiles holds the Dockerfile each release
	// was built from. Its newest 8.19 tag is v8.19.10.
	esDF = Source{Repo: "elastic/dockerfiles", Ref: "v8.19.10", File: "elasticsearch/Dockerfile", Note: "8.19.21 is not in the snapshot"}
	lsDF = Source{Repo: "elastic/dockerfiles", Ref: "v8.19.10", File: "logstash/Dockerfile", Note: "8.19.21 is not in the snapshot"}
	kbDF = Source{Repo: "elastic/dockerfiles", Ref: "v8.19.10", File: "kibana/Dockerfile", Note: "8.19.21 is not in the snapshot"}
	// Filebeat's Dockerfile is a template in elastic/beats; the only version readable here
	// is of the 7.x line.
	beatsDF = Source{Repo: "elastic/beats", Ref: "85d415ca3ba23e5eebbb54260c1304d1fe8ae7fd", File: "dev-tools/packaging/templates/docker/Dockerfile.tmpl",
		Note: "a 7.x template; 8.19's was not readable here"}

	curlDF = Source{Repo: "curl/curl-container", Ref: "8.17.0", File: "create_base_image.sh"}

	ownDF = Source{Repo: "finobs/finobs", Ref: "this checkout", File: "deploy/Dockerfile"}
)

func at(s Source, lines string) Source { s.At = lines; return s }

func note(s Source, n string) Source {
	if s.Note != "" {
		n = s.Note + "; " + n
	}
	s.Note = n
	return s
}

func tools(from Source, names ...string) []Tool {
	out := make([]Tool, len(names))
	for i, n := range names {
		out[i] = Tool{Name: n, From: from}
	}
	return out
}

// busyboxTools are the applets the healthchecks and scripts use, in a busybox rootfs.
func busyboxTools(from Source) []Tool {
	return tools(from, "wget", "grep", "cat", "sha256sum", "mv", "chmod", "chown", "nc")
}

// Profiles are the pinned images, each as its published source says.
var Profiles = []Profile{
	{
		Image: KafkaImage,
		// busybox adduser -D without -u takes the first free uid above LAST_SYSTEM_ID (999),
		// and a group of the same number: the Alpine base has no user from 1000 up.
		User:  User{Name: "appuser", UID: 1000, GID: 1000, From: note(at(kafkaDF, "75, 91"), "uid and gid by busybox adduser's rule ("+bbAddUID.String()+") on Alpine's passwd ("+alpine320.String()+")")},
		Shell: Shell{Kind: Ash, From: note(at(kafkaDF, "44"), "FROM eclipse-temurin:21-jre-alpine: Alpine's /bin/sh is busybox ("+alpine320.String()+")")},
		Tools: append(tools(at(kafkaDF, "65"), "bash"),
			tools(kafkaBin, "/opt/kafka/bin/kafka-metadata-quorum.sh", "/opt/kafka/bin/kafka-broker-api-versions.sh")...),
		Paths: []Path{{Dir: "/var/lib/kafka/data", What: "data", Writable: true, From: at(kafkaDF, "73, 77-78")}},
		Unknown: []string{"wget: GNU wget is removed (Dockerfile:83) and whether busybox's applet is left was not read",
			"curl: not installed"},
	},
	{
		Image: SparkImage,
		User:  User{Name: "spark", UID: 185, GID: 185, From: at(sparkBase, "19-22, 79")},
		Shell: Shell{Kind: Dash, From: note(at(jammy, "8"), "FROM eclipse-temurin:21-jammy ("+at(sparkBase, "17").String()+"); "+dashIsSh.Repo)},
		Tools: slices2(
			tools(at(sparkBase, "26"), "wget", "bash", "tini"),
			tools(at(temurin, "32"), "curl"),
			tools(note(at(sparkEntr, "45"), "the image's own entrypoint pipes into grep; grep is in the base: "+at(jammy, "17").String()), "grep"),
			tools(at(jammy, "7"), "cat"),
			tools(at(sparkBase, "59"), "/opt/spark/bin/spark-class", "/opt/spark/bin/spark-submit"),
		),
		Paths: []Path{{Dir: "/opt/spark/work-dir", What: "home", Writable: true, From: at(sparkBase, "30-33")}},
	},
	{
		Image: ApicurioImage,
		// USER 1001 without a group and no passwd entry: gid 0.
		User:  User{Name: "1001", UID: 1001, GID: 0, From: at(apicurioDF, "15")},
		Shell: Shell{Kind: AnySh, From: note(at(apicurioDF, "11"), "RUN runs through the base's /bin/sh; UBI's is bash, not read")},
		Tools: tools(ubi10JRE, "bash"),
		Paths: []Path{{Dir: "/deployments", What: "home", Writable: true, From: at(apicurioDF, "11-12")}},
		Unknown: []string{"curl, wget, grep: ubi10/openjdk-21-runtime installs none (redhat-openjdk-containers ubi10 modules) and the minimal base's package list was not read",
			"a data directory: the image ships none; registry data goes on a volume the setup job opens to uid 1001"},
	},
	promOnBusybox(PrometheusImage, promBusybox, Source{Repo: "prometheus/prometheus", Ref: "v3.16.0", File: "Dockerfile"},
		"26", "17", "/bin/prometheus",
		Path{Dir: "/prometheus", What: "data", Writable: true, From: Source{Repo: "prometheus/prometheus", Ref: "v3.16.0", File: "Dockerfile", At: "24"}},
		Path{Dir: "/etc/prometheus", What: "config", From: Source{Repo: "prometheus/prometheus", Ref: "v3.16.0", File: "Dockerfile", At: "19"}}),
	promOnBusybox(AlertmanagerImage, promBusybox, Source{Repo: "prometheus/alertmanager", Ref: "v0.35.0", File: "Dockerfile"},
		"17", "10", "/bin/alertmanager",
		Path{Dir: "/alertmanager", What: "data", Writable: true, From: Source{Repo: "prometheus/alertmanager", Ref: "v0.35.0", File: "Dockerfile", At: "13-15"}},
		Path{Dir: "/etc/alertmanager", What: "config", From: Source{Repo: "prometheus/alertmanager", Ref: "v0.35.0", File: "Dockerfile", At: "11, 14"}}),
	promOnBusybox(NodeExporterImage, promBusybox, Source{Repo: "prometheus/node_exporter", Ref: "v1.12.1", File: "Dockerfile"},
		"20", "17", "/bin/node_exporter"),
	func() Profile {
		p := promOnBusybox(ESExporterImage, promBusyboxGlibc, Source{Repo: "prometheus-community/elasticsearch_exporter", Ref: "v1.11.0", File: "Dockerfile"},
			"11", "8", "/bin/elasticsearch_exporter")
		p.Shell.From = note(promBusyboxGlibc, "member bin/sh; FROM quay.io/prometheus/busybox:glibc (Dockerfile:3)")
		return p
	}(),
	{
		Image: GrafanaImage,
		User:  User{Name: "grafana", UID: 472, GID: 0, From: at(grafanaDF, "139-140, 195, 223")},
		Shell: Shell{Kind: Ash, From: note(at(grafanaDF, "6, 134"), "BASE_IMAGE is Alpine, whose /bin/sh is busybox ("+alpine320.String()+")")},
		Tools: slices2(
			tools(at(grafanaDF, "154"), "bash", "curl"),
			busyboxTools(note(alpine320, "members ./usr/bin/wget, ./bin/grep, ./bin/cat, ./usr/bin/sha256sum, ./bin/mv, ./bin/chmod, ./bin/chown, ./usr/bin/nc")),
			tools(at(grafanaDF, "221"), "/run.sh"),
		),
		Paths: []Path{{Dir: "/var/lib/grafana", What: "data", Writable: true, From: at(grafanaDF, "144, 207, 210-211")},
			{Dir: "/etc/grafana", What: "config", From: at(grafanaDF, "143")}},
	},
	{
		Image: ElasticsearchImage,
		User:  User{Name: "elasticsearch", UID: 1000, GID: 0, From: at(esDF, "86-88, 152")},
		Shell: Shell{Kind: Bash, From: note(at(esDF, "71"), "dpkg-reconfigure dash answered no: /bin/sh is bash")},
		Tools: slices2(
			tools(at(esDF, "77"), "curl", "nc"),
			tools(note(at(esDF, "89"), "chown runs in the final stage; cat is in the same coreutils"), "cat"),
			tools(note(Source{Repo: "elastic/dockerfiles", Ref: "v8.19.10", File: "elasticsearch/bin/docker-entrypoint.sh", At: "46"}, "the entrypoint pipes into grep"), "grep"),
		),
		Paths: []Path{{Dir: "/usr/share/elasticsearch/data", What: "data", Writable: true, From: at(esDF, "31, 52, 117")},
			{Dir: "/usr/share/elasticsearch/config", What: "config", Writable: true, From: at(esDF, "117")}},
	},
	{
		Image: LogstashImage,
		User:  User{Name: "logstash", UID: 1000, GID: 1000, From: at(lsDF, "24-25, 65")},
		Shell: Shell{Kind: Dash, From: note(at(lsDF, "4"), "FROM ubuntu:24.04: "+dashIsSh.Repo+"; dash in "+at(noble, "8").String())},
		Tools: slices2(
			tools(at(lsDF, "12"), "curl"),
			tools(note(at(lsDF, "51"), "chown runs in the image; cat is in the same coreutils"), "cat"),
			tools(at(noble, "17"), "grep"),
			tools(at(lsDF, "60, 84"), "/usr/local/bin/docker-entrypoint"),
		),
		Paths: []Path{{Dir: "/usr/share/logstash/config", What: "config", Writable: true, From: at(lsDF, "40, 51")}},
	},
	{
		Image: KibanaImage,
		User:  User{Name: "kibana", UID: 1000, GID: 1000, From: at(kbDF, "108-111, 140")},
		Shell: Shell{Kind: Dash, From: note(at(kbDF, "71"), "FROM ubuntu:24.04: "+dashIsSh.Repo+"; dash in "+at(noble, "8").String())},
		Tools: slices2(
			tools(at(kbDF, "76"), "curl"),
			tools(note(at(kbDF, "101-102"), "chmod runs in the image; cat is in the same coreutils"), "cat"),
			tools(at(noble, "17"), "grep"),
			tools(at(kbDF, "82, 134"), "/bin/tini"),
			tools(at(kbDF, "137"), "/usr/local/bin/kibana-docker"),
		),
	},
	{
		Image: FilebeatImage,
		User:  User{Name: "filebeat", UID: 1000, GID: 1000, From: beatsDF}, // the 7.x template's useradd; Compose runs it as root
		Tools: []Tool{{Name: "filebeat", From: note(beatsDF, "COPY beat to /usr/share/filebeat, on PATH (ENV PATH); the service's own command runs it")}},
		Unknown: []string{"the base image of 8.19 and so its /bin/sh: only a 7.x template was readable",
			"curl: the 7.x template installs it on Ubuntu bases only"},
	},
	{
		Image: CurlImage,
		// adduser -S takes the first free system uid from FIRST_SYSTEM_ID (100), addgroup -S
		// the first free gid: Alpine has no uid 100, and gid 100 is users.
		User: User{Name: "curl_user", UID: 100, GID: 101, From: note(Source{Repo: "curl/curl-container", Ref: "8.17.0", File: "create_appliance_image.sh", At: "38"},
			"uid and gid by busybox's rule ("+bbAddUID.String()+") on Alpine's passwd and group, from create_base_image.sh:90-91")},
		Shell: Shell{Kind: Ash, From: note(Source{Repo: "curl/curl-container", Ref: "8.17.0", File: "Makefile", At: "8"}, "base alpine:3.22.2; "+alpine320.String()+" member ./bin/sh")},
		Tools: slices2(
			tools(at(curlDF, "76"), "curl"),
			busyboxTools(note(alpine320, "members ./usr/bin/wget, ./bin/grep, ./bin/cat, ./usr/bin/sha256sum, ./bin/mv, ./bin/chmod, ./bin/chown, ./usr/bin/nc")),
		),
	},
	{
		Image: OwnImage,
		User:  User{Name: "finobs", UID: 10001, GID: 10001, From: note(at(ownDF, "14, 16"), "busybox adduser -D -u 10001 makes a group of the same id")},
		Shell: Shell{Kind: Ash, From: note(at(ownDF, "12"), "FROM alpine:3.22.2: busybox ("+alpine320.String()+")")},
		Tools: slices2(
			busyboxTools(note(alpine320, "members ./usr/bin/wget, ./bin/grep, ./bin/cat, ./usr/bin/sha256sum, ./bin/mv, ./bin/chmod, ./bin/chown, ./usr/bin/nc")),
			tools(at(ownDF, "10, 15"), "produce", "stream", "webhook", "kafka-lag-exporter"),
		),
	},
}

func slices2(ts ...[]Tool) []Tool {
	var out []Tool
	for _, t := range ts {
		out = append(out, t...)
	}
	return out
}

// posixBuiltins are the utilities POSIX requires every sh to have built in: the special
// built-ins (XCU 2.15) and the intrinsic utilities (XCU 1.7, POSIX.1-2024).
var posixBuiltins = map[string]bool{
	"break": true, ":": true, "continue": true, ".": true, "eval": true, "exec": true, "exit": true, "export": true,
	"readonly": true, "return": true, "set": true, "shift": true, "times": true, "trap": true, "unset": true,
	"alias": true, "bg": true, "cd": true, "command": true, "fc": true, "fg": true, "getopts": true, "hash": true,
	"jobs": true, "kill": true, "read": true, "type": true, "ulimit": true, "umask": true, "unalias": true, "wait": true,
}

// shellBuiltins are further built-ins of a shell, as its source or manual lists them.
var shellBuiltins = map[ShellKind]struct {
	names []string
	from  Source
}{
	Ash:  {[]string{"echo", "printf", "test", "[", "true", "false"}, ashBuiltins},
	Bash: {[]string{"echo", "printf", "test", "[", "true", "false"}, Source{Repo: "https://www.gnu.org/software/bash/manual/bash.html#Shell-Builtin-Commands"}},
}

// builtin: name is built into the shell (or POSIX requires every shell to build it in).
func builtin(kind ShellKind, name string) bool {
	if posixBuiltins[name] {
		return true
	}
	b := shellBuiltins[kind]
	for _, n := range b.names {
		if n == name && b.from.Known() {
			return true
		}
	}
	return false
}

// profileOf is the profile of a service's image, or an error naming the image.
func profileOf(image string) (Profile, error) {
	p, ok := ProfileOf(image)
	if !ok {
		return Profile{}, fmt.Errorf("image %s has no profile: nothing is known of its shell, tools or user", image)
	}
	return p, nil
}

// promOnBusybox is the profile of a Prometheus project's image: its Dockerfile (df) copies
// binary in (at binAt) onto the project's busybox image bb and runs it as nobody (USER at
// userAt), whose ids are those of busybox's etc/passwd.
func promOnBusybox(image string, bb, df Source, userAt, binAt, binary string, paths ...Path) Profile {
	return Profile{
		Image: image,
		User:  User{Name: "nobody", UID: 65534, GID: 65534, From: note(at(df, userAt), "nobody's ids: busybox's etc/passwd in "+bb.File)},
		Shell: Shell{Kind: Ash, From: note(bb, "member bin/sh")},
		Tools: append(busyboxTools(note(bb, "members bin/wget, bin/grep, bin/cat, bin/sha256sum, bin/mv, bin/chmod, bin/chown, bin/nc")),
			tools(at(df, binAt), binary)...),
		Paths: paths,
	}
}
