package preview

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"gonum.org/v1/plot/vg"

	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/internal/grafana"
)

var testRange = Range{
	Start: time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC),
	End:   time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC),
	Step:  15 * time.Second,
}

func board(t *testing.T, name string) grafana.Dashboard {
	t.Helper()
	ds, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no dashboard %s", name)
	return grafana.Dashboard{}
}

func panel(t *testing.T, d grafana.Dashboard, title string) (expr string, box image.Rectangle) {
	t.Helper()
	for _, p := range grafana.Panels(d.Dashboard) {
		if deref(p.Title) != title {
			continue
		}
		g := p.GridPos
		box = image.Rect(int(g.X*colW)+gap, headerH+int(g.Y*unitH)+titleH+gap, int((g.X+g.W)*colW)-gap, headerH+int((g.Y+g.H)*unitH)-gap)
		return Interpolate(p.Targets[0].(prometheus.Dataquery).Expr, testRange), box
	}
	t.Fatalf("no panel %q", title)
	return "", image.Rectangle{}
}

// wave is a recorded series: one sample per step, a slow sine around base.
func wave(labels map[string]string, base float64) Series {
	s := Series{Labels: labels}
	for t := testRange.Start; !t.After(testRange.End); t = t.Add(testRange.Step) {
		x := float64(t.Sub(testRange.Start)) / float64(10*time.Minute)
		s.Points = append(s.Points, Point{T: t.Unix(), V: base * (1 + 0.2*math.Sin(x))})
	}
	return s
}

func constant(v float64) Series {
	s := wave(map[string]string{}, 1)
	for i := range s.Points {
		s.Points[i].V = v
	}
	return s
}

// near counts pixels of box within a small distance of colour c.
func near(img image.Image, box image.Rectangle, c color.Color) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			d := math.Abs(float64(r>>8)-float64(r0>>8)) + math.Abs(float64(g>>8)-float64(g0>>8)) + math.Abs(float64(b>>8)-float64(b0>>8))
			if d < 40 {
				n++
			}
		}
	}
	return n
}

// saturated counts the pixels of box that are not grey: series, thresholds.
func saturated(img image.Image, box image.Rectangle) int {
	n := 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if max(r, g, b)>>8-min(r, g, b)>>8 > 40 {
				n++
			}
		}
	}
	return n
}

func TestDashboardFromRecording(t *testing.T) {
	d := board(t, dashboards.KafkaCluster)
	msgs, msgsBox := panel(t, d, "Messages in per topic")
	_, bytesBox := panel(t, d, "Bytes in per topic")
	offline, offlineBox := panel(t, d, "Offline partitions")
	urp, urpBox := panel(t, d, "Under-replicated partitions")
	rec := &Recording{Range: testRange, Results: map[string][]Series{
		msgs:    {wave(map[string]string{"topic": "financial_transactions"}, 5000)},
		offline: {constant(0)},
		urp:     {constant(3)},
	}}
	out, err := Dashboard(context.Background(), d, rec, testRange)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != width {
		t.Errorf("width %d, want %d", w, width)
	}
	if n := near(img, msgsBox, palette[0]); n < 200 {
		t.Errorf("Messages in per topic: %d pixels of the series colour, want a drawn line", n)
	}
	if n := near(img, bytesBox, palette[0]); n != 0 {
		t.Errorf("Bytes in per topic has no data but %d pixels of the series colour", n)
	}
	if n := near(img, bytesBox, mutedColor); n == 0 {
		t.Error("Bytes in per topic: no 'No data' text")
	}
	area := offlineBox.Dx() * offlineBox.Dy()
	if n := near(img, offlineBox, namedColors["green"]); n < area/2 {
		t.Errorf("Offline partitions = 0: %d of %d pixels green, want the green threshold", n, area)
	}
	if n := near(img, urpBox, namedColors["red"]); n < area/2 {
		t.Errorf("Under-replicated partitions = 3: %d of %d pixels red, want the red threshold", n, area)
	}

	again, err := Dashboard(context.Background(), d, rec, testRange)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again) {
		t.Error("two renders of the same data differ")
	}
	if dir := os.Getenv("FINOBS_PREVIEW_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "test-kafka-cluster.png"), out, 0o644)
	}
}

// Every dashboard renders from results recorded on the native stack (testdata/recording.json,
// written by `go run ./cmd/gen preview`); every graph panel with recorded data shows lines,
// every stat panel a coloured value.
func TestRenderAllFromRecording(t *testing.T) {
	rec, err := LoadRecording(filepath.Join("testdata", "recording.json"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for _, d := range ds {
		out, err := Dashboard(context.Background(), d, rec, rec.Range)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != width {
			t.Errorf("%s: width %d", d.Name, img.Bounds().Dx())
		}
		for _, p := range grafana.Panels(d.Dashboard) {
			pd := query(context.Background(), p, rec, rec.Range)
			if !hasData(pd.series) {
				continue
			}
			g := p.GridPos
			box := image.Rect(int(g.X*colW)+gap, headerH+int(g.Y*unitH)+titleH+gap, int((g.X+g.W)*colW)-gap, headerH+int((g.Y+g.H)*unitH)-gap)
			if p.Type != "stat" {
				// Leave the legend's colour swatches out: only lines count.
				// The panel body as drawPanel cuts it: the cell less gaps, margins and title.
				body := vg.Rectangle{Max: vg.Point{X: vg.Length(g.W*colW - gap - 12), Y: vg.Length(g.H*unitH - gap - titleH - 4)}}
				lines, _ := legend(pd.series, body)
				box.Max.Y -= len(lines)*legendH + 4
			}
			if colours := saturated(img, box); colours < 20 {
				t.Errorf("%s / %s: recorded data but only %d coloured pixels", d.Name, deref(p.Title), colours)
			}
			drawn++
		}
	}
	t.Logf("%d panels drawn from recorded data", drawn)
}

func TestRecordingRoundTrip(t *testing.T) {
	src := &Recording{Results: map[string][]Series{"up": {{Labels: map[string]string{"job": "x"}, Points: []Point{{T: 1, V: 1}, {T: 2, V: math.NaN()}}}}}}
	r := &Recorder{Source: src}
	if _, err := r.QueryRange(context.Background(), "up", testRange); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "rec.json")
	if err := r.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRecording(p)
	if err != nil {
		t.Fatal(err)
	}
	ss := got.Results["up"]
	if len(ss) != 1 || ss[0].Labels["job"] != "x" || len(ss[0].Points) != 2 || !math.IsNaN(ss[0].Points[1].V) {
		t.Fatalf("round trip: %+v", ss)
	}
}

func TestInterpolate(t *testing.T) {
	got := Interpolate(`sum(rate(x{job=~"$job",instance=~"${instance}"}[$__rate_interval])) / $__interval`, testRange)
	// $__rate_interval is max(step + scrape interval, 4 × scrape interval), as in Grafana.
	want := fmt.Sprintf(`sum(rate(x{job=~".+",instance=~".+"}[%ds])) / 15s`, int(max(15*time.Second+ScrapeInterval, 4*ScrapeInterval).Seconds()))
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{0.25, "percentunit", "25%"},
		{1536, "bytes", "1.5 KiB"},
		{2500000, "Bps", "2.5 MB/s"},
		{0.0123, "s", "12.3 ms"},
		{90, "s", "1.5 min"},
		{1234, "cps", "1.23 K c/s"},
		{3, "short", "3"},
		{math.NaN(), "short", "NaN"},
	} {
		if got := Format(c.v, c.unit); got != c.want {
			t.Errorf("Format(%g, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

func TestLivePrometheus(t *testing.T) {
	url := os.Getenv("FINOBS_PROMETHEUS")
	if url == "" {
		url = "http://127.0.0.1:9090"
	}
	end := time.Now().UTC()
	r := Range{Start: end.Add(-5 * time.Minute), End: end, Step: 15 * time.Second}
	ss, err := Prometheus{URL: url}.QueryRange(context.Background(), "up", r)
	if err != nil {
		t.Skipf("no Prometheus at %s: %v", url, err)
	}
	if len(ss) == 0 || len(ss[0].Points) == 0 {
		t.Fatalf("up over the last 5 minutes: %+v", ss)
	}
}
