package main

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/internal/live"
)

func TestLiveItemsCoverEverything(t *testing.T) {
	d, err := liveDeclarations()
	if err != nil {
		t.Fatal(err)
	}
	items, err := live.Items(d)
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

func TestLiveLogItems(t *testing.T) {
	d, err := liveDeclarations()
	if err != nil {
		t.Fatal(err)
	}
	items, err := live.LogItems(d)
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
}
