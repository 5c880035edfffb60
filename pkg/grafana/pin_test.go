package grafana

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// Pinning changes the datasource references and drops the variable, nothing else.
func TestPinnedJSON(t *testing.T) {
	heap := &signal.Signal{Name: "heap", Unit: signal.Bytes, Expr: promql.Sum(promql.Select(catalog.SparkDriverHeapUsed))}
	b := Board{Name: "pin", Folder: "Test", Title: "Pin", Description: "A test board.",
		Jobs: []stack.Component{stack.SparkConnect},
		Rows: []Row{{Title: "Section", Panels: []*Panel{TimeSeries("Heap", "Driver heap.", heap.Total())}}}}
	d, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PinnedJSON(d, map[string]string{KindElasticsearch: "es"}); err == nil || !strings.Contains(err.Error(), `reads a "prometheus" datasource and no uid is given`) {
		t.Errorf("no Prometheus uid: error %v", err)
	}
	pinned, err := PinnedJSON(d, map[string]string{KindPrometheus: "prom-1"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(pinned, &got); err != nil {
		t.Fatal(err)
	}
	refs := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ds, ok := v["datasource"].(map[string]any); ok {
				refs++
				if ds["uid"] != "prom-1" || ds["type"] != KindPrometheus {
					t.Errorf("datasource reference %v, want the pinned uid", ds)
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(got)
	// The panel, its query and the cluster, job and instance variables.
	if refs < 5 {
		t.Errorf("%d datasource references, want at least 5", refs)
	}
	// What differs from the unpinned dashboard: the uids and the variable, nothing else.
	plain, err := JSON(d.Dashboard)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(plain), "${"+DatasourceVar+"}", "prom-1")), &want); err != nil {
		t.Fatal(err)
	}
	vars := want["templating"].(map[string]any)["list"].([]any)
	if vars[0].(map[string]any)["type"] != "datasource" {
		t.Fatalf("first variable %v, want the datasource's", vars[0])
	}
	want["templating"].(map[string]any)["list"] = vars[1:]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pinned dashboard differs from the unpinned one beyond its datasources:\n%s", pinned)
	}
}
