package preview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/finobs/finobs/pkg/grafana"
)

// Render draws the dashboards from the live Prometheus at promURL over the last hour into
// outDir/<dashboard>.png, and keeps the query results it drew from in
// outDir/recording.json (what RenderAll can redraw from, with no Prometheus).
func Render(ctx context.Context, promURL, outDir string, ds []grafana.Dashboard) error {
	src := Prometheus{URL: promURL}
	r, err := window(ctx, src, time.Now().UTC().Truncate(time.Minute))
	if err != nil {
		return err
	}
	rec := &Recorder{Source: src}
	if _, err := RenderAll(ctx, ds, rec, r, outDir); err != nil {
		return err
	}
	return rec.Save(filepath.Join(outDir, "recording.json"))
}

// window is the last hour, or less when Prometheus has not been up that long (a freshly
// started stack would otherwise show a sliver of data at the right edge); at least ten
// minutes, with a step that gives about 240 points, like Grafana on a wide panel.
func window(ctx context.Context, src Source, end time.Time) (Range, error) {
	r := Range{Start: end.Add(-time.Hour), End: end, Step: ScrapeInterval}
	ss, err := src.QueryRange(ctx, "up", r)
	if err != nil {
		return r, fmt.Errorf("preview: is Prometheus up? %w", err)
	}
	first := end.Unix()
	for _, s := range ss {
		if len(s.Points) > 0 {
			first = min(first, s.Points[0].T)
		}
	}
	start := time.Unix(first, 0).UTC().Add(-time.Minute).Truncate(time.Minute)
	if end.Sub(start) < 10*time.Minute {
		start = end.Add(-10 * time.Minute)
	}
	if start.After(r.Start) {
		r.Start = start
	}
	r.Step = max(ScrapeInterval, (r.End.Sub(r.Start) / 240).Round(time.Second))
	return r, nil
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
