package preview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/internal/grafana"
)

// Render draws every dashboard from the live Prometheus at promURL over the last hour into
// outDir/<dashboard>.png, and keeps the query results it drew from in
// outDir/recording.json (what RenderAll can redraw from, with no Prometheus).
func Render(ctx context.Context, promURL, outDir string) error {
	end := time.Now().UTC().Truncate(time.Minute)
	r := Range{Start: end.Add(-time.Hour), End: end, Step: ScrapeInterval}
	rec := &Recorder{Source: Prometheus{URL: promURL}}
	ds, err := dashboards.All()
	if err != nil {
		return err
	}
	if _, err := RenderAll(ctx, ds, rec, r, outDir); err != nil {
		return err
	}
	return rec.Save(filepath.Join(outDir, "recording.json"))
}

// RenderAll draws each dashboard from src over r into outDir/<name>.png and returns the
// paths written.
func RenderAll(ctx context.Context, ds []grafana.Dashboard, src Source, r Range, outDir string) ([]string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, d := range ds {
		png, err := Dashboard(ctx, d, src, r)
		if err != nil {
			return paths, fmt.Errorf("preview %s: %w", d.Name, err)
		}
		p := filepath.Join(outDir, d.Name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
