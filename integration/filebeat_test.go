package integration

import (
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

// TestFilebeatConfigs: the real Filebeat the stack installed accepts every rendered config,
// the Compose one (to Logstash) and the native one (to Elasticsearch), by `filebeat test
// config` (which loads and validates inputs, parsers, processors and the output).
func TestFilebeatConfigs(t *testing.T) {
	t.Parallel()
	p, err := native.FindPaths()
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

// TestElasticsearchFrontDoor: on the Elasticsearch port, GET / answers as Elasticsearch's
// root endpoint does (what Filebeat and the exporter read first), and every other request
// reaches the node.
func TestElasticsearchFrontDoor(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	es := "http://" + st.One(stack.Elasticsearch).Addr(stack.PortHTTP)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var root struct {
		ClusterName string `json:"cluster_name"`
		ClusterUUID string `json:"cluster_uuid"`
		Version     struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := stacktest.GetJSON(ctx, es+"/", &root); err != nil {
		t.Fatal(err)
	}
	if root.Version.Number != native.ElasticsearchVersion || root.ClusterName == "" || root.ClusterUUID == "" {
		t.Errorf("GET /: %+v, want version %s with a cluster name and uuid", root, native.ElasticsearchVersion)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, es+"/_cluster/health", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Errorf("GET /_cluster/health through the front door: %s, X-Elastic-Product %q", resp.Status, resp.Header.Get("X-Elastic-Product"))
	}
}
