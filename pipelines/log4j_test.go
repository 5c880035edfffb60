package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lp "github.com/finobs/finobs/pkg/logpipeline"
)

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
				"-Dlog4j2.configurationFile="+filepath.Join("..", "deploy", "log4j2", p.Name+".properties"),
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
