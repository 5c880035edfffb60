package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// TestLogsArrive is the proof of the logging pipeline on the running stack: it drives every
// source (Kafka, Spark, the producer, the stream driver, Prometheus, Alertmanager), provokes
// a Java stack trace in Spark, lets Filebeat ship, and then compares, per source file, the
// events its pipeline's own start-of-event rule finds in the raw file with the documents in
// Elasticsearch: every event arrives, once, at its own offset; no document carries a parse
// failure; nothing was refused by the strict mappings; the stack trace is one document
// with error.stack_trace.
func TestLogsArrive(t *testing.T) {
	st := stacktest.Local(t)
	if !native.LogsEnabled() {
		t.Fatal("FINOBS_LOGS=0: the stack runs without its logging pipeline; this test needs it")
	}
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	es := "http://" + st.One(stack.Elasticsearch).Addr(stack.PortHTTP)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	nonce := fmt.Sprintf("finobs-logs-test-%d", time.Now().UnixNano())
	drive(ctx, t, st, p, nonce)

	inputs := logpipeline.Inputs(pipelines.Pipelines(), p.Logs(), st)
	type result struct {
		in              logpipeline.Input
		events, docs    int
		missing, extra  []int64
		twice, failures int
	}
	var results []result
	// Filebeat ships within seconds; the JVMs keep logging meanwhile, so each file is read
	// before its documents are counted (every event then must be there) and again after
	// (no document may start anywhere but at an event of the file).
	for _, in := range inputs {
		if !exists(in.Path) {
			t.Errorf("%s: %s does not exist: the source wrote nothing (or writes elsewhere)", in.ID(), in.Path)
			continue
		}
		var r result
		r.in = in
		var before []int64
		var docs map[int64]int
		err := stacktest.Eventually(ctx, 3*time.Minute, 3*time.Second, func(ctx context.Context) error {
			var err error
			if before, err = eventOffsets(in); err != nil {
				return err
			}
			if err := post(ctx, es+"/"+in.Pipeline.Index.Pattern()+"/_refresh", nil, nil); err != nil {
				return err
			}
			if docs, err = docOffsets(ctx, es, in); err != nil {
				return err
			}
			if m := missingFrom(before, docs); len(m) > 0 {
				return fmt.Errorf("%s: %d of %d events not indexed yet (first at offset %d)", in.ID(), len(m), len(before), m[0])
			}
			return nil
		})
		r.events = len(before)
		r.missing = missingFrom(before, docs)
		after, aerr := eventOffsets(in)
		if aerr != nil {
			t.Fatal(aerr)
		}
		starts := map[int64]bool{}
		for _, o := range after {
			starts[o] = true
		}
		for o, n := range docs {
			r.docs += n
			if !starts[o] {
				r.extra = append(r.extra, o)
			}
			if n > 1 {
				r.twice++
			}
		}
		sort.Slice(r.extra, func(a, b int) bool { return r.extra[a] < r.extra[b] })
		if r.failures, err = countFailures(ctx, es, in); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
		switch {
		case err != nil:
			t.Errorf("%s: %v", in.ID(), err)
		case len(r.extra) > 0:
			t.Errorf("%s: %d documents sit where no event of %s does (first at offset %d): the multiline rule of the input and the pipeline's differ",
				in.ID(), len(r.extra), in.Path, r.extra[0])
		}
		if r.twice > 0 {
			t.Errorf("%s: %d events indexed more than once", in.ID(), r.twice)
		}
		if r.failures > 0 {
			t.Errorf("%s: %d documents carry a parse failure (log.flags %v, tags %v or error.message)",
				in.ID(), r.failures, logpipeline.FailureFlags, logpipeline.FailureTags)
		}
	}
	t.Logf("%-34s %8s %8s %8s %6s %8s", "source file", "events", "docs", "missing", "twice", "failures")
	for _, r := range results {
		t.Logf("%-34s %8d %8d %8d %6d %8d", filepath.Base(r.in.Path), r.events, r.docs, len(r.missing), r.twice, r.failures)
	}

	// A document the strict mapping refused never arrives; the index counts it as failed.
	var stats struct {
		Indices map[string]struct {
			Primaries struct {
				Indexing struct {
					Failed int `json:"index_failed"`
				} `json:"indexing"`
			} `json:"primaries"`
		} `json:"indices"`
	}
	if err := stacktest.GetJSON(ctx, es+"/"+pipelines.IndexPattern+"/_stats/indexing", &stats); err != nil {
		t.Fatal(err)
	}
	for name, ix := range stats.Indices {
		if ix.Primaries.Indexing.Failed > 0 {
			t.Errorf("index %s refused %d documents (strict mapping): see Filebeat's log", name, ix.Primaries.Indexing.Failed)
		}
	}
	// Every index still has its template's strict mapping: nothing was mapped on the fly.
	var mappings map[string]struct {
		Mappings struct {
			Dynamic string `json:"dynamic"`
		} `json:"mappings"`
	}
	if err := stacktest.GetJSON(ctx, es+"/"+pipelines.IndexPattern+"/_mapping", &mappings); err != nil {
		t.Fatal(err)
	}
	if len(mappings) == 0 {
		t.Errorf("no index matches %s", pipelines.IndexPattern)
	}
	for name, m := range mappings {
		if m.Mappings.Dynamic != "strict" {
			t.Errorf("index %s: mapping dynamic=%q, want strict (created outside its template?)", name, m.Mappings.Dynamic)
		}
	}

	// The provoked stack trace: one document, message and trace together.
	var hits struct {
		Hits struct {
			Hits []struct {
				Source struct {
					Message string `json:"message"`
					Error   struct {
						StackTrace string `json:"stack_trace"`
					} `json:"error"`
					Log struct {
						Level string `json:"level"`
					} `json:"log"`
				} `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	q := map[string]any{"size": 20, "query": map[string]any{"bool": map[string]any{"filter": []any{
		map[string]any{"term": map[string]any{"event.dataset": pipelines.Spark.Name}},
		map[string]any{"multi_match": map[string]any{"query": nonce, "type": "phrase", "fields": []string{"message", "error.stack_trace"}}},
	}}}}
	if err := post(ctx, es+"/"+pipelines.Spark.Index.Pattern()+"/_search", q, &hits); err != nil {
		t.Fatal(err)
	}
	traced := 0
	for _, h := range hits.Hits.Hits {
		if strings.Contains(h.Source.Error.StackTrace, "\tat ") {
			traced++
		}
		if strings.HasPrefix(strings.TrimSpace(h.Source.Message), "at ") {
			t.Errorf("a stack frame arrived as a document of its own: %q", h.Source.Message)
		}
	}
	if traced == 0 {
		t.Errorf("no Spark document names %s with error.stack_trace holding frames (%d documents name it)", nonce, len(hits.Hits.Hits))
	} else {
		t.Logf("provoked stack trace: %d document(s) with error.stack_trace", traced)
	}
}

// drive makes every source log: a producer and the stream driver run for a while (their
// stderr into the files Filebeat reads), and a failing Spark SQL statement leaves an
// exception with its stack trace in the Spark Connect server's log. Kafka logs the topics
// they create; Prometheus and Alertmanager log on their own.
func drive(ctx context.Context, t *testing.T, st stack.Stack, p native.Paths, nonce string) {
	t.Helper()
	bin := t.TempDir()
	for _, c := range []string{"produce", "stream"} {
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, c), "github.com/finobs/finobs/cmd/"+c).CombinedOutput(); err != nil {
			t.Fatalf("go build cmd/%s: %v\n%s", c, err, out)
		}
	}
	topic := strings.ReplaceAll(nonce, "-", "_")
	start := func(name string, argv ...string) *exec.Cmd {
		f, err := os.OpenFile(p.Log(name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd := exec.Command(filepath.Join(bin, argv[0]), argv[1:]...)
		cmd.Stderr = f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	prod := start(string(stack.Producer), "produce", "-brokers", st.KafkaBootstrap(), "-topic", topic, "-create-topic",
		"-partitions", "3", "-rate", "200", "-duration", "45s", "-metrics-addr", "127.0.0.1:0")
	drv := start(string(stack.StreamDriver), "stream", "-spark", st.One(stack.SparkConnect).Addr(stack.PortGRPC),
		"-bootstrap", st.KafkaBootstrap(), "-input-topic", topic, "-aggregates-topic", topic+"_agg",
		"-anomalies-topic", topic+"_anom", "-dead-letter-topic", topic+"_dlq", "-create-topics",
		"-checkpoint-dir", filepath.Join(t.TempDir(), "checkpoints"), "-metrics-addr", "127.0.0.1:0")

	s, err := sparkconnect.Connect(ctx, st.One(stack.SparkConnect).Addr(stack.PortGRPC))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	df, err := s.Sql(ctx, fmt.Sprintf("SELECT raise_error('%s')", nonce))
	if err == nil {
		_, err = df.Collect(ctx)
	}
	if err == nil {
		t.Fatalf("raise_error(%q) did not fail", nonce)
	}

	if err := prod.Wait(); err != nil {
		t.Errorf("producer: %v (see %s)", err, p.Log(string(stack.Producer)))
	}
	time.Sleep(15 * time.Second) // the stream driver runs its batches, then stops
	drv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- drv.Wait() }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		t.Errorf("stream driver did not stop within 90s of SIGTERM")
	}
}

// eventOffsets are the byte offsets Filebeat gives the input file's events (log.offset),
// the events cut by its pipeline's start-of-event and skip rules, in the complete lines
// written so far. Filebeat 8.1.3's filestream gives an event of several lines the offset of
// its last line that is not empty (seen on the stack: a Kafka config dump is indexed at its
// " (logger)" line, a Spark plan followed by a blank line at the plan's last line).
func eventOffsets(in logpipeline.Input) ([]int64, error) {
	b, err := os.ReadFile(in.Path)
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1] // a line still being written is no event yet
	} else {
		b = nil
	}
	sp, err := in.Pipeline.Splitter()
	if err != nil {
		return nil, err
	}
	evs, err := sp.Split(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	// Line numbers to byte offsets.
	lineStart := []int64{0, 0} // 1-based
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var off int64
	for sc.Scan() {
		off += int64(len(sc.Bytes())) + 1
		lineStart = append(lineStart, off)
	}
	out := make([]int64, len(evs))
	for i, e := range evs {
		lines := strings.Split(e.Text, "\n")
		last := len(lines) - 1
		for last > 0 && lines[last] == "" {
			last--
		}
		out[i] = lineStart[e.Line+last]
	}
	return out, sc.Err()
}

// docOffsets counts the input's documents by log.offset (a composite aggregation, paged).
func docOffsets(ctx context.Context, es string, in logpipeline.Input) (map[int64]int, error) {
	out := map[int64]int{}
	var after map[string]any
	for {
		comp := map[string]any{"size": 10000, "sources": []any{map[string]any{"o": map[string]any{"terms": map[string]any{"field": "log.offset"}}}}}
		if after != nil {
			comp["after"] = after
		}
		q := map[string]any{"size": 0, "track_total_hits": true,
			"query": map[string]any{"term": map[string]any{"log.file.path": in.Path}},
			"aggs":  map[string]any{"offsets": map[string]any{"composite": comp}}}
		var res struct {
			Aggregations struct {
				Offsets struct {
					AfterKey map[string]any `json:"after_key"`
					Buckets  []struct {
						Key      struct{ O int64 } `json:"key"`
						DocCount int               `json:"doc_count"`
					} `json:"buckets"`
				} `json:"offsets"`
			} `json:"aggregations"`
		}
		if err := post(ctx, es+"/"+in.Pipeline.Index.Pattern()+"/_search", q, &res); err != nil {
			return nil, err
		}
		for _, b := range res.Aggregations.Offsets.Buckets {
			out[b.Key.O] += b.DocCount
		}
		if len(res.Aggregations.Offsets.Buckets) == 0 || res.Aggregations.Offsets.AfterKey == nil {
			return out, nil
		}
		after = res.Aggregations.Offsets.AfterKey
	}
}

// countFailures counts the input's documents that carry a failure marker.
func countFailures(ctx context.Context, es string, in logpipeline.Input) (int, error) {
	q := map[string]any{"query": map[string]any{"bool": map[string]any{
		"filter": []any{map[string]any{"term": map[string]any{"log.file.path": in.Path}}},
		"should": []any{
			map[string]any{"terms": map[string]any{"log.flags": logpipeline.FailureFlags}},
			map[string]any{"terms": map[string]any{"tags": logpipeline.FailureTags}},
			map[string]any{"exists": map[string]any{"field": "error.message"}},
		},
		"minimum_should_match": 1,
	}}}
	var res struct {
		Count int `json:"count"`
	}
	err := post(ctx, es+"/"+in.Pipeline.Index.Pattern()+"/_count", q, &res)
	return res.Count, err
}

func missingFrom(events []int64, docs map[int64]int) []int64 {
	var out []int64
	for _, o := range events {
		if docs[o] == 0 {
			out = append(out, o)
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// post sends body as JSON and decodes a JSON answer into v (nil: only the status matters).
func post(ctx context.Context, u string, body, v any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %.300s", u, resp.Status, b)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}
