package provision

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/finobs/finobs/internal/esprovision"
)

// Elasticsearch puts the committed templates and lifecycle policies of deploy/elasticsearch
// into a node through internal/esprovision. Its plan is one put per file: a put of the same
// body changes nothing, and esprovision reports what the node cannot take (ILM on a node
// without it).
type Elasticsearch struct {
	URL string // http://host:port
	Dir string // deploy/elasticsearch
}

func (e *Elasticsearch) Name() string { return "elasticsearch" }

func (e *Elasticsearch) Plan(ctx context.Context) ([]Item, error) {
	es, err := esprovision.Client(e.URL)
	if err != nil {
		return nil, err
	}
	// Reachable, and what it can take: plans must not pass against a node that is down.
	modules, err := esprovision.Modules(ctx, es)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch at %s: %w", e.URL, err)
	}
	var items []Item
	for _, d := range []struct{ dir, kind string }{
		{esprovision.Lifecycle, "ILM policy"},
		{esprovision.ComponentTemplates, "component template"},
		{esprovision.IndexTemplates, "index template"},
	} {
		files, _ := filepath.Glob(filepath.Join(e.Dir, d.dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			it := Item{Object: "elasticsearch " + d.kind + " " + strings.TrimSuffix(filepath.Base(f), ".json"), Action: Put}
			if d.dir == esprovision.Lifecycle && !hasModule(modules, "x-pack-ilm") {
				it.Note = "skipped: this node has no ILM"
			}
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		if _, err := os.Stat(e.Dir); err != nil {
			return nil, fmt.Errorf("elasticsearch: %w (run `go run ./cmd/gen`)", err)
		}
	}
	return items, nil
}

func hasModule(ms []string, m string) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func (e *Elasticsearch) Apply(ctx context.Context, _ []Item, log *slog.Logger) error {
	es, err := esprovision.Client(e.URL)
	if err != nil {
		return err
	}
	rep, err := esprovision.Apply(ctx, es, e.Dir)
	if err != nil {
		return fmt.Errorf("elasticsearch at %s: %w", e.URL, err)
	}
	log.Info("provisioned elasticsearch", "url", e.URL, "applied", len(rep.Applied), "skipped", len(rep.Skipped))
	for _, s := range rep.Skipped {
		log.Info("not provisioned", "what", s)
	}
	return nil
}
