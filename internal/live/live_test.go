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

func TestSelectors(t *testing.T) {
	got, err := selectors(`rate(a_total{x="1"}[5m] offset 5m) > 0 and on() b > 1 or a_total{x="1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != `a_total{x="1"} b` {
		t.Errorf("selectors = %q", got)
	}
}

func TestAllValues(t *testing.T) {
	if got := allValues("component:$component AND log.level:ERROR"); got != "component:* AND log.level:ERROR" {
		t.Errorf("allValues: %q", got)
	}
}
