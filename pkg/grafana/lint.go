package grafana

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/elasticsearch"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
)

// Catalog is what the lint needs of the metric catalog.
type Catalog interface {
	Lookup(series string) (*metric.Metric, bool)
}

// Exclusion waives one rule for a dashboard, or one of its panels, with a reason: the same
// idea as dashboard-linter's .lint file, but reviewed in Go.
type Exclusion struct {
	Dashboard string // uid
	Panel     string // title; empty for the whole dashboard
	Rule      string
	Reason    string
}

// Rules lists every lint rule with what it enforces. The dashboard-linter rules keep their
// names; the others are finobs conventions.
var Rules = map[string]string{
	"dashboard-uid":                  "uid is finobs-<name> (8-40 characters), title and description are set",
	"dashboard-folder":               "the dashboard lives in a folder",
	"template-uneditable":            "the dashboard is not editable (it is generated)",
	"template-datasource":            "exactly one datasource variable named datasource, labelled Data Source, of the dashboard's kind",
	"template-cluster":               "a cluster variable: label_values(up, <cluster label>) on $datasource, labelled cluster, multi-select, All is .+",
	"template-job":                   "a job variable: query on $datasource, labelled job, multi-select, All is .+",
	"template-instance":              "an instance variable: query on $datasource, labelled instance, multi-select, All is .+",
	"template-label-promql":          "query variables are label_values(<valid PromQL selector of a catalog metric>, <label>)",
	"template-on-time-change-reload": "query variables refresh when the time range changes",
	"template-undefined-variable":    "every $variable a query uses is defined",
	"datasource-uid":                 "no datasource uid is hard-coded: every datasource reference is the template variable",
	"rows":                           "sections are rows: the first element is a row, no row is empty, row titles are unique",
	"panel-layout":                   "panels fit the 24-column grid and do not overlap",
	"panel-title-description":        "every panel has a title and a description",
	"panel-unique-title":             "panel titles are unique in a dashboard (alerts link to panels by title)",
	"panel-units":                    "every panel has a valid Grafana unit",
	"panel-datasource":               "every panel uses the templated datasource",
	"panel-no-targets":               "every panel has at least one query",
	"target-datasource":              "every query uses the templated datasource of the dashboard's kind",
	"target-promql":                  "every Prometheus query is valid PromQL",
	"target-rate-interval":           "rate, irate and increase use $__rate_interval",
	"target-cluster":                 `every selector matches cluster=~"$cluster" (the cluster label, promql.ClusterLabel)`,
	"target-job":                     `every selector matches job=~"$job"`,
	"target-instance":                `every selector matches instance=~"$instance"`,
	"target-job-scope":               `selectors of metrics every process exports (up, process_*, jvm_*, go_*) also name their jobs, since All is .+`,
	"target-catalog":                 "every selector names a metric declared in the catalog",
	"target-counter-agg":             "counters are only used through rate, irate or increase",
	"target-rate-gauge":              "rate, irate and increase only apply to counters",
	"target-exporter":                "every metric is exported by one of the jobs the job variable offers",
	"target-elasticsearch":           "Elasticsearch queries have a Lucene query on @timestamp, an aggregation, and use the dashboard's variables",
}

// Lint checks a built dashboard against every rule; errors name the dashboard, the panel
// and the rule.
func Lint(d Dashboard, cat Catalog, excl []Exclusion) []error {
	l := &linter{d: d, cat: cat}
	l.run()
	var out []error
	for _, p := range l.problems {
		if excluded(excl, d.UID(), p.panel, p.rule) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func excluded(excl []Exclusion, uid, panel, rule string) bool {
	for _, e := range excl {
		if e.Dashboard == uid && e.Rule == rule && (e.Panel == "" || e.Panel == panel) {
			return true
		}
	}
	return false
}

// Problem is one violation.
type Problem struct {
	dashboard, panel, rule, msg string
}

func (p Problem) Error() string {
	if p.panel != "" {
		return fmt.Sprintf("dashboard %s: panel %q: %s: %s", p.dashboard, p.panel, p.rule, p.msg)
	}
	return fmt.Sprintf("dashboard %s: %s: %s", p.dashboard, p.rule, p.msg)
}

// Rule is the name of the violated rule.
func (p Problem) Rule() string { return p.rule }

// RuleOf returns the rule of a lint error, or "".
func RuleOf(err error) string {
	var p Problem
	if errors.As(err, &p) {
		return p.rule
	}
	return ""
}

type linter struct {
	d        Dashboard
	cat      Catalog
	kind     string
	vars     map[string]dashboard.VariableModel
	jobs     map[string]bool // jobs the job variable offers; nil: any
	problems []Problem
}

func (l *linter) report(panel, rule, format string, args ...any) {
	name := l.d.UID()
	if name == "" {
		name = l.d.Name
	}
	l.problems = append(l.problems, Problem{dashboard: name, panel: panel, rule: rule, msg: fmt.Sprintf(format, args...)})
}

var uidRE = regexp.MustCompile(`^[a-z0-9-]{8,40}$`)

func (l *linter) run() {
	d := l.d
	if want := UIDPrefix + d.Name; d.UID() != want || !uidRE.MatchString(d.UID()) {
		l.report("", "dashboard-uid", "uid is %q, want %q (8-40 of a-z0-9-)", d.UID(), want)
	}
	if deref(d.Title) == "" || deref(d.Description) == "" {
		l.report("", "dashboard-uid", "title and description must be set")
	}
	if d.Folder == "" {
		l.report("", "dashboard-folder", "no folder")
	}
	if d.Editable == nil || *d.Editable {
		l.report("", "template-uneditable", "dashboard is editable")
	}
	l.templates()
	l.noHardcodedUIDs()
	l.layout()
	titles := map[string]bool{}
	for _, p := range Panels(d.Dashboard) {
		title := deref(p.Title)
		if titles[title] {
			l.report(title, "panel-unique-title", "title used twice")
		}
		titles[title] = true
		l.panel(p)
	}
}

func (l *linter) templates() {
	l.vars = map[string]dashboard.VariableModel{}
	var dsVars []dashboard.VariableModel
	for _, v := range l.d.Templating.List {
		if _, dup := l.vars[v.Name]; dup {
			l.report("", "template-undefined-variable", "variable %s defined twice", v.Name)
		}
		l.vars[v.Name] = v
		if v.Type == dashboard.VariableTypeDatasource {
			dsVars = append(dsVars, v)
		}
	}
	switch {
	case len(dsVars) != 1:
		l.report("", "template-datasource", "%d datasource variables, want 1", len(dsVars))
	case dsVars[0].Name != DatasourceVar || deref(dsVars[0].Label) != "Data Source":
		l.report("", "template-datasource", "datasource variable is %q labelled %q, want %q labelled \"Data Source\"", dsVars[0].Name, deref(dsVars[0].Label), DatasourceVar)
	default:
		q := dsVars[0].Query
		if q != nil && q.String != nil {
			l.kind = *q.String
		}
		if l.kind != KindPrometheus && l.kind != KindElasticsearch {
			l.report("", "template-datasource", "datasource variable is of kind %q, want %s or %s", l.kind, KindPrometheus, KindElasticsearch)
		}
	}
	if l.kind == KindPrometheus {
		if v, ok := l.vars[promql.ClusterVar]; ok {
			q := ""
			if v.Query != nil && v.Query.String != nil {
				q = *v.Query.String
			}
			if m := labelValuesRE.FindStringSubmatch(q); m == nil || m[2] != promql.ClusterLabel {
				l.report("", "template-cluster", "cluster variable's query %q lists no values of %s", q, promql.ClusterLabel)
			}
		}
		for _, name := range []string{promql.ClusterVar, "job", "instance"} {
			rule := "template-" + name
			v, ok := l.vars[name]
			switch {
			case !ok:
				l.report("", rule, "no %s variable", name)
				continue
			case v.Type != dashboard.VariableTypeQuery:
				l.report("", rule, "%s variable is of type %s, want query", name, v.Type)
			case deref(v.Label) != name:
				l.report("", rule, "%s variable is labelled %q", name, deref(v.Label))
			case v.Multi == nil || !*v.Multi:
				l.report("", rule, "%s variable is not multi-select", name)
			case v.IncludeAll == nil || !*v.IncludeAll || deref(v.AllValue) != ".+":
				l.report("", rule, "%s variable must include All with the value .+", name)
			case !isDSVar(v.Datasource):
				l.report("", rule, "%s variable does not query $datasource", name)
			}
		}
	}
	if v, ok := l.vars["job"]; ok && v.Query != nil && v.Query.String != nil {
		if m := jobsRE.FindStringSubmatch(*v.Query.String); m != nil {
			l.jobs = map[string]bool{}
			for _, j := range strings.Split(m[1], "|") {
				l.jobs[j] = true
			}
		}
	}
	for _, v := range l.d.Templating.List {
		if v.Type != dashboard.VariableTypeQuery {
			continue
		}
		if v.Refresh == nil || *v.Refresh != dashboard.VariableRefreshOnTimeRangeChanged {
			l.report("", "template-on-time-change-reload", "variable %s does not refresh on time range change", v.Name)
		}
		if !isDSVar(v.Datasource) {
			l.report("", "datasource-uid", "variable %s does not query $datasource", v.Name)
		}
		q := ""
		if v.Query != nil && v.Query.String != nil {
			q = *v.Query.String
		}
		l.labelValues(v.Name, q)
	}
}

// jobsRE finds the job list of a job variable: label_values(up{job=~"a|b"}, job).
var jobsRE = regexp.MustCompile(`job=~"([a-z0-9|-]+)"`)

var labelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

func (l *linter) labelValues(name, q string) {
	m := labelValuesRE.FindStringSubmatch(q)
	if m == nil {
		l.report("", "template-label-promql", "variable %s: query %q is not label_values(<selector>, <label>)", name, q)
		return
	}
	expr, err := parse(m[1])
	if err != nil {
		l.report("", "template-label-promql", "variable %s: %v", name, err)
		return
	}
	l.checkVariables("", m[1])
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			if _, ok := l.cat.Lookup(vs.Name); !ok {
				l.report("", "template-label-promql", "variable %s: metric %q is not in the catalog", name, vs.Name)
			}
		}
		return nil
	})
}

func isDSVar(ref *common.DataSourceRef) bool {
	if ref == nil {
		return false
	}
	uid := deref(ref.Uid)
	return uid == "${"+DatasourceVar+"}" || uid == "$"+DatasourceVar
}

// noHardcodedUIDs walks the JSON: every object under a "datasource" key must name the
// variable, whatever panel type or query carries it.
func (l *linter) noHardcodedUIDs() {
	b, err := json.Marshal(l.d.Dashboard)
	if err != nil {
		l.report("", "datasource-uid", "cannot marshal: %v", err)
		return
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		l.report("", "datasource-uid", "cannot unmarshal: %v", err)
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if key == "datasource" {
				if uid, ok := v["uid"].(string); !ok || !strings.HasPrefix(uid, "$") {
					l.report("", "datasource-uid", "datasource reference %v is not the template variable", v)
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(k, v[k])
			}
		case []any:
			for _, e := range v {
				walk(key, e)
			}
		case string:
			if key == "datasource" {
				l.report("", "datasource-uid", "datasource given by name %q", v)
			}
		}
	}
	walk("", v)
}

func (l *linter) layout() {
	type box struct {
		title      string
		x, y, w, h uint32
	}
	var boxes []box
	rowTitles := map[string]bool{}
	var openRow string
	inRow := 0
	for i, pr := range l.d.Panels {
		switch {
		case pr.RowPanel != nil:
			t := deref(pr.RowPanel.Title)
			if rowTitles[t] {
				l.report("", "rows", "row %q twice", t)
			}
			rowTitles[t] = true
			if i > 0 && inRow == 0 {
				l.report("", "rows", "row %q is empty", openRow)
			}
			openRow, inRow = t, len(pr.RowPanel.Panels)
			if g := pr.RowPanel.GridPos; g != nil {
				boxes = append(boxes, box{"row " + t, g.X, g.Y, g.W, g.H})
			}
			for _, p := range pr.RowPanel.Panels {
				if g := p.GridPos; g != nil {
					// Collapsed rows' panels are laid out when expanded; check width only.
					if g.W == 0 || g.X+g.W > 24 {
						l.report(deref(p.Title), "panel-layout", "gridPos x=%d w=%d leaves the 24-column grid", g.X, g.W)
					}
				}
			}
		case pr.Panel != nil:
			title := deref(pr.Panel.Title)
			if i == 0 {
				l.report(title, "rows", "panel before the first row")
			}
			inRow++
			g := pr.Panel.GridPos
			if g == nil || g.W == 0 || g.H == 0 || g.X+g.W > 24 {
				l.report(title, "panel-layout", "gridPos %+v does not fit the 24-column grid", g)
				continue
			}
			boxes = append(boxes, box{title, g.X, g.Y, g.W, g.H})
		}
	}
	if len(l.d.Panels) > 0 && inRow == 0 {
		l.report("", "rows", "row %q is empty", openRow)
	}
	if len(l.d.Panels) == 0 {
		l.report("", "rows", "no panels")
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			a, b := boxes[i], boxes[j]
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
				l.report(b.title, "panel-layout", "overlaps %q", a.title)
			}
		}
	}
}

func (l *linter) panel(p *dashboard.Panel) {
	title := deref(p.Title)
	if title == "" || p.Description == nil || strings.TrimSpace(*p.Description) == "" {
		l.report(title, "panel-title-description", "title or description missing")
	}
	unit := ""
	if p.FieldConfig != nil {
		unit = deref(p.FieldConfig.Defaults.Unit)
	}
	if !ValidUnit(unit) {
		l.report(title, "panel-units", "unit %q is not a Grafana unit", unit)
	}
	if p.Datasource == nil || deref(p.Datasource.Type) != l.kind || !isDSVar(p.Datasource) {
		l.report(title, "panel-datasource", "panel does not use the %s datasource variable", l.kind)
	}
	if len(p.Targets) == 0 {
		l.report(title, "panel-no-targets", "no queries")
	}
	for _, t := range p.Targets {
		switch t := t.(type) {
		case prometheus.Dataquery:
			if l.kind != KindPrometheus || t.Datasource == nil || deref(t.Datasource.Type) != KindPrometheus || !isDSVar(t.Datasource) {
				l.report(title, "target-datasource", "query %q does not use the %s datasource variable", t.Expr, l.kind)
			}
			l.promql(title, t.Expr)
		case elasticsearch.Dataquery:
			if l.kind != KindElasticsearch || t.Datasource == nil || deref(t.Datasource.Type) != KindElasticsearch || !isDSVar(t.Datasource) {
				l.report(title, "target-datasource", "query %q does not use the %s datasource variable", deref(t.Query), l.kind)
			}
			l.elastic(title, t)
		default:
			l.report(title, "target-datasource", "query of unsupported kind %s", t.DataqueryType())
		}
	}
}

func (l *linter) elastic(title string, t elasticsearch.Dataquery) {
	q := deref(t.Query)
	if strings.TrimSpace(q) == "" || deref(t.TimeField) != LogTimeField || len(t.Metrics) == 0 {
		l.report(title, "target-elasticsearch", "query %q: needs a Lucene query, timeField %s and a metric", q, LogTimeField)
	}
	l.checkVariables(title, q)
	for _, v := range l.d.Templating.List {
		if v.Name == DatasourceVar {
			continue
		}
		if !usesVar(q, v.Name) {
			l.report(title, "target-elasticsearch", "query %q does not use $%s", q, v.Name)
		}
	}
}

var varRE = regexp.MustCompile(`\$(?:\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|([a-zA-Z_][a-zA-Z0-9_]*))`)

func usesVar(s, name string) bool {
	for _, m := range varRE.FindAllStringSubmatch(s, -1) {
		if m[1] == name || m[2] == name {
			return true
		}
	}
	return false
}

// builtins are Grafana's global variables.
var builtins = map[string]bool{"__rate_interval": true, "__interval": true, "__interval_ms": true, "__range": true, "__range_s": true, "__range_ms": true, "__all": true}

func (l *linter) checkVariables(title, s string) {
	for _, m := range varRE.FindAllStringSubmatch(s, -1) {
		name := m[1] + m[2]
		if _, ok := l.vars[name]; !ok && !builtins[name] {
			l.report(title, "template-undefined-variable", "$%s is not a dashboard variable", name)
		}
	}
}

// rateIntervalStandIn replaces $__rate_interval for parsing; no dashboard writes it by hand.
const rateIntervalStandIn = 4*time.Minute + 33*time.Second

var intervalVars = strings.NewReplacer(
	"${__rate_interval}", "4m33s", "$__rate_interval", "4m33s",
	"${__interval}", "1m", "$__interval", "1m",
	"${__range}", "1h", "$__range", "1h",
)

func parse(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(intervalVars.Replace(expr))
}

func (l *linter) promql(title, expr string) {
	l.checkVariables(title, expr)
	e, err := parse(expr)
	if err != nil {
		l.report(title, "target-promql", "%q: %v", expr, err)
		return
	}
	parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
		switch n := n.(type) {
		case *parser.MatrixSelector:
			if call := enclosingCall(path); call != "" && rateFuncs[call] && n.Range != rateIntervalStandIn {
				l.report(title, "target-rate-interval", "%s over %s, want $__rate_interval", call, n.Range)
			}
		case *parser.VectorSelector:
			l.selector(title, n, path)
		}
		return nil
	})
}

// generic says whether every kind of process exports a metric; the panel form of a
// selector keeps its job scope on these for the same reason.
func generic(name string) bool { return promql.EveryProcess(name) }

var rateFuncs = map[string]bool{"rate": true, "irate": true, "increase": true}

func enclosingCall(path []parser.Node) string {
	for i := len(path) - 1; i >= 0; i-- {
		switch n := path[i].(type) {
		case *parser.Call:
			return n.Func.Name
		case parser.Expressions, *parser.MatrixSelector:
			continue
		default:
			return ""
		}
	}
	return ""
}

func (l *linter) selector(title string, vs *parser.VectorSelector, path []parser.Node) {
	matches := func(label, name string) bool {
		for _, m := range vs.LabelMatchers {
			if m.Name == label && m.Type == labels.MatchRegexp && (m.Value == "$"+name || m.Value == "${"+name+"}") {
				return true
			}
		}
		return false
	}
	has := func(name string) bool { return matches(name, name) }
	if !matches(promql.ClusterLabel, promql.ClusterVar) {
		l.report(title, "target-cluster", `selector %s does not match %s=~"$%s"`, vs, promql.ClusterLabel, promql.ClusterVar)
	}
	if !has("job") {
		l.report(title, "target-job", `selector %s does not match job=~"$job"`, vs)
	}
	if !has("instance") {
		l.report(title, "target-instance", `selector %s does not match instance=~"$instance"`, vs)
	}
	if generic(vs.Name) {
		scoped := false
		for _, m := range vs.LabelMatchers {
			scoped = scoped || (m.Name == "job" && !strings.HasPrefix(m.Value, "$"))
		}
		if !scoped {
			l.report(title, "target-job-scope", "selector %s would match every job when job is All (.+); name the jobs", vs)
		}
	}
	if vs.Name == "" {
		l.report(title, "target-catalog", "selector %s names no metric", vs)
		return
	}
	m, ok := l.cat.Lookup(vs.Name)
	if !ok {
		l.report(title, "target-catalog", "metric %s is not in the catalog", vs.Name)
		return
	}
	if l.jobs != nil && vs.Name != "up" {
		ok := false
		for _, c := range m.Exporter {
			ok = ok || l.jobs[string(c)]
		}
		if !ok {
			l.report(title, "target-exporter", "%s is exported by %v, none of which the job variable offers", vs.Name, m.Exporter)
		}
	}
	inMatrix := len(path) > 0
	if inMatrix {
		_, inMatrix = path[len(path)-1].(*parser.MatrixSelector)
	}
	call := ""
	if inMatrix {
		call = enclosingCall(path)
	}
	switch counter := m.IsCounter(vs.Name); {
	case counter && !rateFuncs[call]:
		l.report(title, "target-counter-agg", "counter %s used without rate or increase", vs.Name)
	case !counter && rateFuncs[call]:
		l.report(title, "target-rate-gauge", "%s of %s, which is a %s", call, vs.Name, m.Type)
	}
}
