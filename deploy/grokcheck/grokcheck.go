// Package grokcheck runs grok patterns on Elastic's own grok engine, the
// org.elasticsearch:elasticsearch-grok jar (Joni, with the pattern bank Logstash and ES
// ingest share), from a small Java harness (GrokCheck.java) built here with mvn and javac
// and cached under the stack's state directory like the stack's installs. It is how the
// Logstash grok filters are proven without a Logstash: every pattern compiles there and
// captures from every golden line what the Go model and Filebeat capture.
package grokcheck

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/finobs/finobs/deploy/native"
)

//go:embed GrokCheck.java
var source []byte

// Version is the grok library's version: the one of the stack's Elasticsearch.
const Version = native.ElasticsearchVersion

// Harness is the built harness.
type Harness struct {
	java, classpath string
}

// Build fetches the grok jar and its dependencies with mvn (into ~/.m2, then copied under
// <state>/grok/lib) and compiles the harness, unless the cache already holds this version
// and this source.
func Build(ctx context.Context, state string) (*Harness, error) {
	dir := filepath.Join(state, "grok")
	sum := sha256.Sum256(source)
	spec := "elasticsearch-grok " + Version + " source " + hex.EncodeToString(sum[:8])
	lib, classes := filepath.Join(dir, "lib"), filepath.Join(dir, "classes")
	java, javac, err := jdk()
	if err != nil {
		return nil, err
	}
	h := &Harness{java: java, classpath: classes + string(os.PathListSeparator) + filepath.Join(lib, "*")}
	if b, err := os.ReadFile(filepath.Join(dir, ".finobs-installed")); err == nil && string(b) == spec {
		return h, nil
	}
	if _, err := exec.LookPath("mvn"); err != nil {
		return nil, fmt.Errorf("grokcheck: mvn not found (it fetches org.elasticsearch:elasticsearch-grok): %w", err)
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		return nil, err
	}
	pom := `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>finobs.stack</groupId><artifactId>grokcheck</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.elasticsearch</groupId><artifactId>elasticsearch-grok</artifactId><version>` + Version + `</version></dependency>
  </dependencies>
</project>
`
	pomPath := filepath.Join(dir, "pom.xml")
	if err := os.WriteFile(pomPath, []byte(pom), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, "mvn", "-q", "-B", "-f", pomPath, "dependency:copy-dependencies",
		"-DoutputDirectory="+lib, "-DincludeScope=runtime").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("grokcheck: mvn could not fetch elasticsearch-grok %s: %w\n%s", Version, err, out)
	}
	src := filepath.Join(dir, "src", "GrokCheck.java")
	if err := os.WriteFile(src, source, 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, javac, "-d", classes, "-cp", filepath.Join(lib, "*"), src).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("grokcheck: javac: %w\n%s", err, out)
	}
	return h, os.WriteFile(filepath.Join(dir, ".finobs-installed"), []byte(spec), 0o644)
}

func jdk() (java, javac string, err error) {
	if h := os.Getenv("JAVA_HOME"); h != "" {
		return filepath.Join(h, "bin", "java"), filepath.Join(h, "bin", "javac"), nil
	}
	java, err = exec.LookPath("java")
	if err != nil {
		return "", "", fmt.Errorf("grokcheck: no java on PATH: %w", err)
	}
	javac, err = exec.LookPath("javac")
	if err != nil {
		return "", "", fmt.Errorf("grokcheck: no javac on PATH (a JDK, not a JRE, is needed): %w", err)
	}
	return java, javac, nil
}

// Pattern is a grok pattern with its own definitions.
type Pattern struct {
	Pattern     string
	Definitions map[string]string
}

// Result is what the engine made of one text.
type Result struct {
	Matched  bool
	Captures map[string]string
}

// Session is a running harness.
type Session struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	n   int
}

// Start starts the harness JVM.
func (h *Harness) Start(ctx context.Context) (*Session, error) {
	cmd := exec.CommandContext(ctx, h.java, "-Xmx128m", "-cp", h.classpath, "GrokCheck")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Session{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}, nil
}

// Close stops the harness.
func (s *Session) Close() error {
	s.in.Close()
	return s.cmd.Wait()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (s *Session) ask(line string) (string, error) {
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		return "", err
	}
	ans, err := s.out.ReadString('\n')
	return strings.TrimSuffix(ans, "\n"), err
}

// Compile compiles a pattern on the engine; the id is for Match.
func (s *Session) Compile(p Pattern) (string, error) {
	s.n++
	id := fmt.Sprint(s.n)
	names := make([]string, 0, len(p.Definitions))
	for n := range p.Definitions {
		names = append(names, n)
	}
	sort.Strings(names)
	line := "grok " + id + " " + b64(p.Pattern)
	for _, n := range names {
		line += " " + b64(n+"="+p.Definitions[n])
	}
	ans, err := s.ask(line)
	if err != nil {
		return "", err
	}
	if f := strings.Fields(ans); len(f) == 3 && f[0] == "error" {
		msg, _ := base64.StdEncoding.DecodeString(f[2])
		return "", fmt.Errorf("grok %q does not compile on elasticsearch-grok %s: %s", p.Pattern, Version, msg)
	}
	if ans != "compiled "+id {
		return "", fmt.Errorf("grokcheck: unexpected answer %q", ans)
	}
	return id, nil
}

// Match runs a compiled pattern on a text.
func (s *Session) Match(id, text string) (Result, error) {
	ans, err := s.ask("match " + id + " " + b64(text))
	if err != nil {
		return Result{}, err
	}
	if ans == "nomatch" {
		return Result{}, nil
	}
	f := strings.Fields(ans)
	if len(f) == 0 || f[0] != "match" {
		return Result{}, fmt.Errorf("grokcheck: unexpected answer %q", ans)
	}
	r := Result{Matched: true, Captures: map[string]string{}}
	for _, kv := range f[1:] {
		b, err := base64.StdEncoding.DecodeString(kv)
		if err != nil {
			return Result{}, err
		}
		k, v, _ := strings.Cut(string(b), "=")
		r.Captures[k] = v
	}
	return r, nil
}
