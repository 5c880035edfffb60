package grafana

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/elasticsearch"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Dashboard is a built dashboard, panels and queries numbered.
type Dashboard struct {
	Name, Folder string
	dashboard.Dashboard
}

// UID dereferences the SDK's optional field.
func (d Dashboard) UID() string { return deref(d.Uid) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Build builds a board, gives every panel an id derived from its title and numbers each
// panel's queries (A, B, ...). Ids from titles keep panel links (an alert's dashboard_url)
// pointing at the same panel when others are added or moved; two titles hashing to the
// same id fail the build.
func Build(b Board) (Dashboard, error) {
	db, err := b.builder()
	if err != nil {
		return Dashboard{}, err
	}
	return finish(b.Name, b.Folder, db)
}

// finish builds a dashboard builder and numbers its panels and queries.
func finish(name, folder string, db *dashboard.DashboardBuilder) (Dashboard, error) {
	d, err := db.Build()
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard %s: %w", name, err)
	}
	ids := map[uint32]string{}
	var clash error
	id := func(key string) uint32 {
		h := fnv.New32a()
		h.Write([]byte(key))
		n := h.Sum32()%panelIDs + 1
		if other, dup := ids[n]; dup && clash == nil {
			clash = fmt.Errorf("dashboard %s: %q and %q get the same panel id %d; rename one", name, other, key, n)
		}
		ids[n] = key
		return n
	}
	number := func(p *dashboard.Panel) {
		p.Id = ptr(id(deref(p.Title)))
		for i, t := range p.Targets {
			ref := string(rune('A' + i))
			switch q := t.(type) {
			case prometheus.Dataquery:
				q.RefId = &ref
				p.Targets[i] = q
			case elasticsearch.Dataquery:
				q.RefId = &ref
				p.Targets[i] = q
			}
		}
	}
	for _, pr := range d.Panels {
		switch {
		case pr.RowPanel != nil:
			pr.RowPanel.Id = id("row " + deref(pr.RowPanel.Title))
			for i := range pr.RowPanel.Panels {
				number(&pr.RowPanel.Panels[i])
			}
		case pr.Panel != nil:
			number(pr.Panel)
		}
	}
	if clash != nil {
		return Dashboard{}, clash
	}
	return Dashboard{Name: name, Folder: folder, Dashboard: d}, nil
}

// panelIDs bounds panel ids, keeping them short in URLs.
const panelIDs = 1_000_000

// Panels lists the panels (rows excluded) in layout order.
func Panels(d dashboard.Dashboard) []*dashboard.Panel {
	var out []*dashboard.Panel
	for _, pr := range d.Panels {
		switch {
		case pr.RowPanel != nil:
			for i := range pr.RowPanel.Panels {
				out = append(out, &pr.RowPanel.Panels[i])
			}
		case pr.Panel != nil:
			out = append(out, pr.Panel)
		}
	}
	return out
}

// Query is one panel query, for the lint and the live check.
type Query struct {
	Dashboard string // dashboard uid
	Panel     string // panel title
	Kind      string // KindPrometheus or KindElasticsearch
	Expr      string // PromQL, or the Lucene query
}

// Queries lists a dashboard's queries in layout order.
func Queries(d dashboard.Dashboard) []Query {
	var out []Query
	for _, p := range Panels(d) {
		for _, t := range p.Targets {
			q := Query{Dashboard: deref(d.Uid), Panel: deref(p.Title)}
			switch t := t.(type) {
			case prometheus.Dataquery:
				q.Kind, q.Expr = KindPrometheus, t.Expr
			case elasticsearch.Dataquery:
				q.Kind, q.Expr = KindElasticsearch, deref(t.Query)
			default:
				q.Kind = t.DataqueryType()
			}
			out = append(out, q)
		}
	}
	return out
}

// JSON is the classic dashboard JSON Grafana's file provisioning reads.
func JSON(d dashboard.Dashboard) ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", deref(d.Uid), err)
	}
	return append(b, '\n'), nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug is the URL slug Grafana derives from a title.
func Slug(title string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
}

// DashboardURL is the path of a dashboard, relative to Grafana's root URL.
func DashboardURL(d dashboard.Dashboard) string {
	return "/d/" + deref(d.Uid) + "/" + Slug(deref(d.Title))
}

// PanelURL is the path that opens one panel of a dashboard on its own.
func PanelURL(d dashboard.Dashboard, panelTitle string) (string, error) {
	for _, p := range Panels(d) {
		if deref(p.Title) == panelTitle && p.Id != nil {
			return fmt.Sprintf("%s?viewPanel=%d", DashboardURL(d), *p.Id), nil
		}
	}
	return "", fmt.Errorf("dashboard %s: no panel %q", deref(d.Uid), panelTitle)
}

// PanelLegends lists the legends of a built panel's Prometheus queries.
func PanelLegends(p *dashboard.Panel) []string {
	var out []string
	for _, t := range p.Targets {
		if q, ok := t.(prometheus.Dataquery); ok && q.LegendFormat != nil {
			out = append(out, *q.LegendFormat)
		}
	}
	return out
}
