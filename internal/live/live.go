// Package live checks the generated assets against a running Prometheus: every catalog
// metric, recording rule, alert selector and dashboard query must return series. It is what
// proves that our queries name what the real stack exports.
package live

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/internal/preview"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/rules"
)

// Item is one query the check runs.
type Item struct {
	Kind     string // metric, recording, alert, dashboard
	Subject  string // what it belongs to
	Query    string
	Optional bool   // exists only under a fault or with an optional component
	Why      string // why it is optional
	// Counted queries are wrapped in count(): their one value is the number of series.
	Counted bool
}

// Declarations are what the check runs: every declared metric, the rule groups (their
// recording rules and the selectors of their alerts), the dashboards' queries, and the
// index pattern the log panels read.
type Declarations struct {
	Catalog  *metric.Catalog
	Groups   []rules.Group
	Queries  []grafana.Query
	LogIndex string
}

// Result is the outcome of one item.
type Result struct {
	Item
	Series int
	Err    error
}

// Items lists everything to check.
func Items(d Declarations) ([]Item, error) {
	cat := d.Catalog
	var items []Item
	for _, m := range cat.Metrics() {
		s := m.Series()[0]
		if m.Type == metric.Histogram || m.Type == metric.Summary {
			s = m.Name + "_count"
		}
		it := Item{Kind: "metric", Subject: m.Name, Query: fmt.Sprintf("count(%s)", s), Counted: true}
		switch m.Presence {
		case metric.OnFault:
			it.Optional, it.Why = true, "exported only under a fault"
		case metric.OnDemand:
			it.Optional, it.Why = true, "exported only with an optional component"
		}
		items = append(items, it)
	}
	for _, g := range d.Groups {
		for _, r := range g.Recording {
			items = append(items, Item{Kind: "recording", Subject: g.Name + "/" + r.Record, Query: fmt.Sprintf("count(%s)", r.Record), Counted: true})
		}
		for _, a := range g.Alerts {
			expr, err := a.Expr()
			if err != nil {
				return nil, fmt.Errorf("alert %s: %w", a.Name, err)
			}
			sels, err := selectors(expr)
			if err != nil {
				return nil, fmt.Errorf("alert %s: %w", a.Name, err)
			}
			for _, s := range sels {
				it := Item{Kind: "alert", Subject: a.Name, Query: fmt.Sprintf("count(%s)", s), Counted: true}
				it.Optional, it.Why = optional(cat, s)
				items = append(items, it)
			}
		}
	}
	now := time.Now()
	r := preview.Range{Start: now.Add(-15 * time.Minute), End: now, Step: 30 * time.Second}
	for _, q := range d.Queries {
		if q.Kind != grafana.KindPrometheus {
			continue
		}
		it := Item{Kind: "dashboard", Subject: q.Dashboard + " / " + q.Panel, Query: preview.Interpolate(q.Expr, r)}
		it.Optional, it.Why = optional(cat, q.Expr)
		items = append(items, it)
	}
	return items, nil
}

// optional says whether an expression may rightly return nothing on a healthy stack:
// it reads a metric that exists only under a fault or with an optional component.
func optional(cat *metric.Catalog, expr string) (bool, string) {
	for _, name := range lint.Metrics(expr) {
		if m, ok := cat.Lookup(name); ok && m.Presence != metric.Always {
			return true, "reads " + name + ", which exists only under a fault or with an optional component"
		}
	}
	return false, ""
}

// selectors lists the distinct vector selectors of an expression, as PromQL text.
func selectors(expr string) ([]string, error) {
	e, err := lint.Parse(expr)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			c := *vs
			c.OriginalOffset, c.Offset, c.Timestamp, c.StartOrEnd = 0, 0, nil, 0
			s := c.String()
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		return nil
	})
	return out, nil
}

// Run queries every item against Prometheus.
func Run(ctx context.Context, promURL string, items []Item) ([]Result, error) {
	client, err := api.NewClient(api.Config{Address: promURL})
	if err != nil {
		return nil, err
	}
	v1 := promv1.NewAPI(client)
	if _, err := v1.Buildinfo(ctx); err != nil {
		return nil, fmt.Errorf("prometheus at %s is unreachable: %w", promURL, err)
	}
	now := time.Now()
	out := make([]Result, 0, len(items))
	for _, it := range items {
		v, _, _, err := v1.Query(ctx, it.Query, now)
		res := Result{Item: it, Err: err}
		if err == nil {
			res.Series = count(v, it.Counted)
		}
		out = append(out, res)
	}
	return out, nil
}

// count is the number of series a query result has; for count() queries, the count.
func count(v model.Value, counted bool) int {
	switch v := v.(type) {
	case model.Vector:
		if counted && len(v) == 1 {
			return int(v[0].Value)
		}
		return len(v)
	case *model.Scalar:
		return 1
	}
	return 0
}

// Check runs every item and prints a report; it fails when a required item has no series.
func Check(ctx context.Context, promURL string, d Declarations, w io.Writer) error {
	items, err := Items(d)
	if err != nil {
		return err
	}
	results, err := Run(ctx, promURL, items)
	if err != nil {
		return err
	}
	kinds := map[string][2]int{}
	var missing, optional []string
	for _, r := range results {
		k := kinds[r.Kind]
		k[0]++
		switch {
		case r.Err != nil:
			missing = append(missing, fmt.Sprintf("%-9s %s: %s: error: %v", r.Kind, r.Subject, r.Query, r.Err))
		case r.Series == 0 && r.Optional:
			optional = append(optional, fmt.Sprintf("%-9s %s: no series (%s)", r.Kind, r.Subject, r.Why))
			k[1]++
		case r.Series == 0:
			missing = append(missing, fmt.Sprintf("%-9s %s: no series for %s", r.Kind, r.Subject, r.Query))
		default:
			k[1]++
		}
		kinds[r.Kind] = k
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "%-9s %d/%d return series\n", k, kinds[k][1], kinds[k][0])
	}
	for _, o := range optional {
		fmt.Fprintln(w, "optional  "+o)
	}
	if len(missing) > 0 {
		fmt.Fprintln(w, strings.Join(missing, "\n"))
		return fmt.Errorf("%d queries return no series from %s", len(missing), promURL)
	}
	fmt.Fprintf(w, "all %d queries return series from %s\n", len(results), promURL)
	return nil
}
