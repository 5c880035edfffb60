package live

import (
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

func TestCount(t *testing.T) {
	zero := model.Vector{{Metric: model.Metric{}, Value: 0}}
	if count(zero, true) != 0 || count(zero, false) != 1 {
		t.Error("a sum() of 0 is one series; a count() of 0 is none")
	}
	if count(model.Vector{{Value: 3}}, true) != 3 || count(model.Vector{}, false) != 0 {
		t.Error("count() result not read as the count")
	}
}

func TestItemsCoverEverything(t *testing.T) {
	items, err := Items()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Kind]++
		if strings.Contains(it.Query, "$__") || strings.Contains(it.Query, `"$job"`) || strings.Contains(it.Query, `"$instance"`) {
			t.Errorf("%s %s: uninterpolated variable in %s", it.Kind, it.Subject, it.Query)
		}
	}
	for _, k := range []string{"metric", "recording", "alert", "dashboard"} {
		if kinds[k] == 0 {
			t.Errorf("no %s items", k)
		}
	}
}

func TestSelectors(t *testing.T) {
	got, err := selectors(`rate(a_total{x="1"}[5m] offset 5m) > 0 and on() b > 1 or a_total{x="1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != `a_total{x="1"} b` {
		t.Errorf("selectors = %q", got)
	}
}

func TestLogItems(t *testing.T) {
	items, err := LogItems()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Fatal("no Elasticsearch queries on the dashboards")
	}
	for _, it := range items {
		if strings.Contains(it.Query, "$") {
			t.Errorf("%s: variable left in %q", it.Subject, it.Query)
		}
	}
	if got := allValues("component:$component AND log.level:ERROR"); got != "component:* AND log.level:ERROR" {
		t.Errorf("allValues: %q", got)
	}
}
