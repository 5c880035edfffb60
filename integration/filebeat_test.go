package integration

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finobs/finobs/internal/stack"
)

// TestFilebeatConfigs: the real Filebeat the stack installed accepts every rendered config,
// the Compose one (to Logstash) and the native one (to Elasticsearch), by `filebeat test
// config` (which loads and validates inputs, parsers, processors and the output).
func TestFilebeatConfigs(t *testing.T) {
	t.Parallel()
	p, err := stack.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	bin := p.Filebeat()
	if !exists(bin) {
		t.Fatalf("no Filebeat at %s: `go run ./cmd/stack install` installs it (unless FINOBS_LOGS=0)", bin)
	}
	for _, name := range []string{"compose.yml", "local.yml"} {
		cfg := p.Deploy(filepath.Join("filebeat", name))
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, "test", "config", "-c", cfg,
				"--path.home", filepath.Dir(bin), "--path.data", t.TempDir(), "--path.logs", t.TempDir())
			cmd.Env = append(cmd.Environ(), "FINOBS_LOG_DIR="+p.Logs()) // local.yml reads it
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Config OK") {
				t.Fatalf("filebeat test config -c %s: %v\n%s", cfg, err, out)
			}
		})
	}
}
