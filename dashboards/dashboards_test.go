package dashboards

import (
	"testing"
)

// The committed dashboards pass every lint rule: a violation fails make test.
func TestLint(t *testing.T) {
	for _, err := range Lint() {
		t.Error(err)
	}
}

func TestQueries(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, q := range qs {
		kinds[q.Kind]++
		if q.Dashboard == "" || q.Panel == "" || q.Expr == "" {
			t.Errorf("incomplete query %+v", q)
		}
	}
	if kinds["prometheus"] == 0 || kinds["elasticsearch"] == 0 {
		t.Errorf("query kinds %v, want both prometheus and elasticsearch", kinds)
	}
}
