package deploy

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/finobs/finobs/pipelines"
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/render"
)

// TestBadDeclarationWritesNothing: gen renders every output in memory before writing
// (All), and the logs output refuses a bad set naming the pipeline and
// the problem, so nothing of it reaches deploy/.
func TestBadDeclarationWritesNothing(t *testing.T) {
	bad := func() lp.Set {
		s := pipelines.Set()
		s.Pipelines = append([]lp.Pipeline(nil), s.Pipelines...)
		s.Pipelines[0].Grok = []lp.Grok{{Field: "body", Pattern: `\A%{MESSAGE:msg} <%{LOGGER:logger}>\z`,
			Definitions: s.Pipelines[0].Grok[0].Definitions}}
		s.Pipelines[0].Fields = s.Pipelines[0].Fields[:3]
		return s
	}
	files, _, err := logsOutputOf(bad).Render()
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
