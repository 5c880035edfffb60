package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	promconfig "github.com/prometheus/prometheus/config"
)

var httpClient = &http.Client{Timeout: 15 * time.Second}

// Reloaded is a server whose configuration file cmd/gen renders: Prometheus or
// Alertmanager. Plan compares what the server runs with the generated file, semantically
// (both loaded by the server's own config package and marshalled again, secrets masked the
// same way on both sides). Apply always reloads, since the files a config names (rule
// files) change without the config, and then checks that what runs is the generated file.
type Reloaded struct {
	Kind string // "prometheus" or "alertmanager"
	URL  string // http://host:port
	File string // the generated config on this machine
	// ConfigDir is the directory of the config file on the server's machine: the running
	// config holds its relative paths (rule files) joined with it. "" leaves paths as written.
	ConfigDir string
}

// Prometheus is the step for a Prometheus server.
func Prometheus(url, file, configDir string) *Reloaded {
	return &Reloaded{Kind: "prometheus", URL: url, File: file, ConfigDir: configDir}
}

// Alertmanager is the step for an Alertmanager.
func Alertmanager(url, file string) *Reloaded {
	return &Reloaded{Kind: "alertmanager", URL: url, File: file}
}

func (r *Reloaded) Name() string { return r.Kind }

func (r *Reloaded) object() string { return r.Kind + " config " + r.File + " at " + r.URL }

func (r *Reloaded) Plan(ctx context.Context) ([]Item, error) {
	want, err := r.generated()
	if err != nil {
		return nil, err
	}
	have, err := r.running(ctx)
	if err != nil {
		return nil, err
	}
	it := Item{Object: r.object(), Action: Unchanged, Note: "reloaded all the same: its rule files may have changed"}
	if r.Kind == "alertmanager" {
		it.Note = ""
	}
	if line, ok := firstDifference(have, want); !ok {
		it.Action = Change
		it.Settings = []Setting{{Name: "running config", Old: fmt.Sprintf("differs at line %d: %q", line.n, line.have), New: fmt.Sprintf("%q (reload)", line.want)}}
		it.Note = ""
	}
	return []Item{it}, nil
}

func (r *Reloaded) Apply(ctx context.Context, _ []Item, log *slog.Logger) error {
	if err := post(ctx, r.URL+"/-/reload"); err != nil {
		if r.Kind == "prometheus" {
			return fmt.Errorf("%w (Prometheus serves /-/reload only with --web.enable-lifecycle)", err)
		}
		return err
	}
	want, err := r.generated()
	if err != nil {
		return err
	}
	have, err := r.running(ctx)
	if err != nil {
		return err
	}
	if line, ok := firstDifference(have, want); !ok {
		return fmt.Errorf("%s at %s reloaded, but what it runs is not %s: line %d of the running config is %q, the generated one has %q (does it run another file? see its log)",
			r.Kind, r.URL, r.File, line.n, line.have, line.want)
	}
	log.Info("reloaded; it runs the generated config", "url", r.URL, "file", r.File)
	return nil
}

// generated is the generated file, loaded and marshalled as the server does.
func (r *Reloaded) generated() (string, error) {
	b, err := os.ReadFile(r.File)
	if err != nil {
		return "", fmt.Errorf("%s: %w (run `go run ./cmd/gen`)", r.Kind, err)
	}
	s, err := r.normalize(string(b), true)
	if err != nil {
		return "", fmt.Errorf("%s: load %s: %w", r.Kind, r.File, err)
	}
	return s, nil
}

// running is the server's running config, loaded and marshalled again.
func (r *Reloaded) running(ctx context.Context) (string, error) {
	var raw string
	switch r.Kind {
	case "prometheus":
		var resp struct {
			Status string `json:"status"`
			Data   struct {
				YAML string `json:"yaml"`
			} `json:"data"`
		}
		if err := getJSON(ctx, r.URL+"/api/v1/status/config", &resp); err != nil {
			return "", err
		}
		raw = resp.Data.YAML
	default:
		var resp struct {
			Config struct {
				Original string `json:"original"`
			} `json:"config"`
		}
		if err := getJSON(ctx, r.URL+"/api/v2/status", &resp); err != nil {
			return "", err
		}
		raw = resp.Config.Original
	}
	s, err := r.normalize(raw, false)
	if err != nil {
		return "", fmt.Errorf("%s at %s: load its running config: %w", r.Kind, r.URL, err)
	}
	return s, nil
}

func (r *Reloaded) normalize(s string, generated bool) (string, error) {
	switch r.Kind {
	case "prometheus":
		c, err := promconfig.Load(s, slog.New(slog.DiscardHandler))
		if err != nil {
			return "", err
		}
		if generated && r.ConfigDir != "" {
			c.SetDirectory(r.ConfigDir)
		}
		// The server fills the TSDB retention in from its flags (--storage.tsdb.retention.*);
		// our files leave it to them.
		if c.StorageConfig.TSDBConfig != nil {
			c.StorageConfig.TSDBConfig.Retention = nil
		}
		return c.String(), nil
	default:
		c, err := amconfig.Load(s)
		if err != nil {
			return "", err
		}
		return c.String(), nil
	}
}

type diffLine struct {
	n          int
	have, want string
}

// firstDifference compares two configs line by line; ok is true when they are the same.
func firstDifference(have, want string) (diffLine, bool) {
	if have == want {
		return diffLine{}, true
	}
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(h), len(w)); i++ {
		var a, b string
		if i < len(h) {
			a = h[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return diffLine{n: i + 1, have: strings.TrimSpace(a), want: strings.TrimSpace(b)}, false
		}
	}
	return diffLine{}, true
}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

func post(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
