package pipelines

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/render"
)

// TestBadDeclarationWritesNothing: gen renders every output in memory before writing
// (internal/generate.All), and the logs output refuses a bad set naming the pipeline and
// the problem, so nothing of it reaches deploy/.
func TestBadDeclarationWritesNothing(t *testing.T) {
	bad := func() lp.Set {
		s := Set()
		s.Pipelines = append([]lp.Pipeline(nil), s.Pipelines...)
		s.Pipelines[0].Grok = []lp.Grok{{Field: "body", Pattern: `\A%{MESSAGE:msg} <%{LOGGER:logger}>\z`,
			Definitions: s.Pipelines[0].Grok[0].Definitions}}
		s.Pipelines[0].Fields = s.Pipelines[0].Fields[:3]
		return s
	}
	files, _, err := OutputOf(bad).Render()
	if !errors.Is(err, lp.ErrGoldenMiss) || !strings.Contains(err.Error(), "log pipeline kafka:") {
		t.Fatalf("got %v", err)
	}
	dir := t.TempDir()
	var set render.Set
	if err == nil {
		set.Add(files...)
		set.Write(dir)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("wrote %d entries", len(entries))
	}
	if !strings.Contains(err.Error(), "kafka-1.log:") {
		t.Fatalf("the error does not name the golden line: %v", err)
	}
}

// TestLog4jWritesOnlyEvents runs Kafka's main class (the JVM at hand) with each rendered
// log4j2 config and a broken server config: the file appender writes the fatal error with
// its stack trace in the pipeline's layout, every line of the file belongs to an event,
// every event parses, and the console still gets them.
func TestLog4jWritesOnlyEvents(t *testing.T) {
	libs := filepath.Join("..", ".stack", "kafka", "libs")
	if _, err := os.Stat(libs); err != nil {
		t.Skip("no Kafka jars under .stack (installed by `go run ./cmd/stack up`)")
	}
	for _, p := range []lp.Pipeline{Kafka, Spark} {
		t.Run(p.Name, func(t *testing.T) {
			dir := t.TempDir()
			props := filepath.Join(dir, "broken.properties")
			os.WriteFile(props, []byte("process.roles=broker\nnode.id=x\n"), 0o644)
			events := filepath.Join(dir, "jvm.events.log")
			out, _ := runJava(t, "-Xmx128m", "-cp", filepath.Join(libs, "*"),
				"-Dlog4j2.configurationFile="+filepath.Join("..", p.Log4j.File),
				"-D"+lp.LogFileProperty+"="+events, "kafka.Kafka", props)
			b, err := os.ReadFile(events)
			if err != nil {
				t.Fatalf("no event file: %v\n%s", err, out)
			}
			sp, _ := p.Splitter()
			evs, err := sp.Split(strings.NewReader(string(b)))
			if err != nil || len(evs) < 2 {
				t.Fatalf("%d events, %v\n%s", len(evs), err, b)
			}
			var fatal lp.Doc
			for _, ev := range evs {
				doc, err := p.Parse(ev.Text)
				if err != nil {
					t.Fatalf("line %d: %v", ev.Line, err)
				}
				if doc["log.level"] == "ERROR" {
					fatal = doc
				}
			}
			trace, _ := fatal["error.stack_trace"].(string)
			if !strings.Contains(trace, "\tat kafka.Kafka") || !strings.Contains(fatal["message"].(string), "Exiting Kafka") {
				t.Fatalf("the fatal error did not parse into one event with its trace: %v", fatal)
			}
			if !strings.Contains(out, "Exiting Kafka due to fatal exception") {
				t.Fatalf("the console lost the events:\n%s", out)
			}
		})
	}
}
