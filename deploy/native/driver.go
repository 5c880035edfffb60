package native

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/stack"
)

// driverStatus is the status row of the stream driver (cmd/stream), which the stack does not
// start: one GET of its /metrics on loopback says whether it serves, and for each query
// whether it is up and how often it restarted and failed (by error class). The same numbers
// Prometheus scrapes; no Prometheus query, so that status works with Prometheus down.
func driverStatus(ctx context.Context, inst stack.Instance) statusRow {
	url := "http://" + inst.Addr(stack.PortMetrics) + "/metrics"
	r := statusRow{name: inst.Name, pid: "-", ports: fmt.Sprintf("%s:%d", stack.PortMetrics, inst.Port(stack.PortMetrics)), url: url}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		r.health = err.Error()
		return r
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.health = "not running (go run ./cmd/stream)"
		return r
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.health = "unhealthy: GET /metrics: " + resp.Status
		return r
	}
	r.health = summarizeDriver(resp.Body)
	return r
}

// summarizeDriver reads an exposition of the driver: "query transactions up, 0 restarts,
// 0 failures", with the failures' classes when there are any.
func summarizeDriver(body io.Reader) string {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(body)
	if err != nil {
		return "unhealthy: /metrics: " + err.Error()
	}
	type query struct {
		up, restarts, failures float64
		classes                map[string]float64
	}
	queries := map[string]*query{}
	get := func(m *dto.Metric) (*query, string) {
		var name, class string
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "query":
				name = l.GetValue()
			case "error_class":
				class = l.GetValue()
			}
		}
		if queries[name] == nil {
			queries[name] = &query{classes: map[string]float64{}}
		}
		return queries[name], class
	}
	for _, m := range families[catalog.StreamQueryUp.Name].GetMetric() {
		q, _ := get(m)
		q.up = m.GetGauge().GetValue()
	}
	for _, m := range families[catalog.StreamQueryRestarts.Name].GetMetric() {
		q, _ := get(m)
		q.restarts = m.GetCounter().GetValue()
	}
	for _, m := range families[catalog.StreamQueryFailures.Name].GetMetric() {
		q, class := get(m)
		v := m.GetCounter().GetValue()
		q.failures += v
		if v > 0 {
			q.classes[class] = v
		}
	}
	if len(queries) == 0 {
		return "serving, no query yet"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(queries)) {
		q := queries[name]
		state := "down"
		if q.up == 1 {
			state = "up"
		}
		s := fmt.Sprintf("query %s %s, %s restarts, %s failures", name, state, num(q.restarts), num(q.failures))
		if len(q.classes) > 0 {
			var cs []string
			for _, c := range slices.Sorted(maps.Keys(q.classes)) {
				cs = append(cs, c+" "+num(q.classes[c]))
			}
			s += " (" + strings.Join(cs, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
