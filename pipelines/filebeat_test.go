package pipelines

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/filebeat"
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// filebeatBinary is the stack's pinned Filebeat (installed by `make up` / `make test`).
func filebeatBinary(t *testing.T) string {
	t.Helper()
	p, err := native.FindPaths()
	if err != nil {
		t.Skip(err)
	}
	bin := p.Filebeat()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no Filebeat at %s (installed by `go run ./cmd/stack up`)", bin)
	}
	return bin
}

// TestFilebeatParsesGolden runs the real Filebeat 8.1.3 with each pipeline's native inputs
// (multiline parser, skip lines, dissect, script, timestamp processors) on the golden
// samples and compares every event it writes with the expected documents: the native
// parse is Filebeat's own, not only the Go model's.
func TestFilebeatParsesGolden(t *testing.T) {
	bin := filebeatBinary(t)
	dir := t.TempDir()
	var inputs []lp.Input
	want := map[string][]lp.Doc{} // copied sample path -> expected docs
	for _, p := range Pipelines() {
		files, err := lp.GoldenFiles(Golden(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(f), ".log")
			dst := filepath.Join(dir, "in", p.Name, name+p.Source.Suffix())
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
			docs, err := lp.Expected(Golden(), f)
			if err != nil {
				t.Fatal(err)
			}
			want[dst] = docs
			inputs = append(inputs, lp.Input{Pipeline: p, Path: dst,
				Instance: stack.Instance{Component: p.Components[0], Name: p.Name + "-" + name, Host: "127.0.0.1"}})
		}
	}
	out := filepath.Join(dir, "out")
	cfg, err := filebeat.Render("golden test", inputs, filebeat.Target{File: out})
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "filebeat.yml")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range want {
		total += len(d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", cfgPath, "--path.home", dir, "--path.data", filepath.Join(dir, "data"),
		"--path.logs", filepath.Join(dir, "logs"), "--strict.perms=false", "-e")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		got = readEvents(t, out)
		if len(got) >= total {
			time.Sleep(time.Second) // nothing more should come
			got = readEvents(t, out)
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(got) != total {
		t.Fatalf("Filebeat wrote %d events, the samples hold %d\n%s", len(got), total, lastLines(stderr.String(), 30))
	}
	byFile := map[string][]map[string]any{}
	for _, ev := range got {
		f := flatten(ev)
		byFile[fmt.Sprint(f["log.file.path"])] = append(byFile[fmt.Sprint(f["log.file.path"])], f)
	}
	for path, docs := range want {
		evs := byFile[path]
		sort.Slice(evs, func(i, j int) bool { return num(evs[i]["log.offset"]) < num(evs[j]["log.offset"]) })
		if len(evs) != len(docs) {
			t.Errorf("%s: Filebeat wrote %d events, %d expected", path, len(evs), len(docs))
			continue
		}
		for i, ev := range evs {
			where := fmt.Sprintf("%s event %d (offset %v)", strings.TrimPrefix(path, dir+"/in/"), i+1, ev["log.offset"])
			if flags, ok := ev["log.flags"].([]any); ok {
				for _, fl := range flags {
					if fl != "multiline" {
						t.Errorf("%s: log.flags %v", where, fl)
					}
				}
			}
			if e, ok := ev["error.message"]; ok {
				t.Errorf("%s: error.message %v", where, e)
			}
			parsed := lp.Doc{}
			for k, v := range ev {
				if k == lp.AttrsField || shipperField(k) {
					continue
				}
				parsed[k] = v
			}
			if a, ok := ev[lp.AttrsField].(map[string]any); ok && len(a) > 0 {
				parsed[lp.AttrsField] = a
			}
			for _, d := range lp.Diff(parsed, docs[i]) {
				t.Errorf("%s: %s", where, d)
			}
		}
	}
}

// shipperField: set by Filebeat or the input, not by the parse the samples check.
func shipperField(k string) bool {
	for _, p := range []string{"agent.", "ecs.", "host.", "input.", "log.file.", "@metadata."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	switch k {
	case "log.offset", "log.flags", "component", "service.node.name":
		return true
	}
	return false
}

func readEvents(t *testing.T, dir string) []map[string]any {
	var out []map[string]any
	files, _ := filepath.Glob(filepath.Join(dir, "events*"))
	sort.Strings(files)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		for sc.Scan() {
			var ev map[string]any
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.UseNumber()
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, ev)
		}
		fh.Close()
	}
	return out
}

// flatten turns nested objects into dotted keys, but for attrs, which stays one object.
func flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v map[string]any)
	walk = func(prefix string, v map[string]any) {
		for k, x := range v {
			key := prefix + k
			if sub, ok := x.(map[string]any); ok && key != lp.AttrsField {
				walk(key+".", sub)
				continue
			}
			out[key] = x
		}
	}
	walk("", m)
	return out
}

func num(v any) float64 {
	var f float64
	fmt.Sscan(fmt.Sprint(v), &f)
	return f
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func runJava(t *testing.T, args ...string) (string, error) {
	t.Helper()
	java := "java"
	if h := os.Getenv("JAVA_HOME"); h != "" {
		java = filepath.Join(h, "bin", "java")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, java, args...).CombinedOutput()
	return string(out), err
}
