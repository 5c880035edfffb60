package slo

import (
	"testing"
	"time"
)

// Segments follow each other minute by minute: 3 minutes at 10/min, then 2 at 0.
func TestCounter(t *testing.T) {
	got := Counter([]Segment{{3, 0, 0}, {2, 1, 0}}, 10, Goods)
	if want := "0+10x3 30+0x1"; got != want {
		t.Errorf("Counter = %q, want %q", got, want)
	}
	// At a 5-minute step, a sample every 5 minutes, each 5 minutes' growth.
	got = Counter([]Segment{{10, 0, 5 * time.Minute}, {10, 1, 5 * time.Minute}}, 10, Goods)
	if want := "0+50x2 100+0x1"; got != want {
		t.Errorf("Counter at 5m = %q, want %q", got, want)
	}
}

// The windows are the burns' windows, each once; the budget is exact.
func TestWindowsAndBudget(t *testing.T) {
	s := &SLO{Name: "x", Objective: 0.99}
	if b := s.Budget(); b != 0.01 {
		t.Errorf("budget = %v, want 0.01", b)
	}
	want := []time.Duration{5 * time.Minute, time.Hour, 30 * time.Minute, 6 * time.Hour, 72 * time.Hour}
	got := s.Windows()
	if len(got) != len(want) {
		t.Fatalf("windows = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("windows = %v, want %v", got, want)
		}
	}
	if r := s.Record(time.Hour); r != "slo:x_errors:ratio_rate1h" {
		t.Errorf("record = %q", r)
	}
}
