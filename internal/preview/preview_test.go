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

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

var testRange = Range{
	Start: time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC),
	End:   time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC),
	Step:  15 * time.Second,
}

// Signals of the test board, over catalog metrics: a Kafka cluster's health and throughput.
var (
	messagesIn = &signal.Signal{Name: "messages in", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn), promql.Window), promql.Grouped)}
	bytesIn = &signal.Signal{Name: "bytes in", Unit: signal.BytesPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.KafkaBytesIn), promql.Window), promql.Grouped)}
	offlinePartitions = &signal.Signal{Name: "offline", Unit: signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.KafkaOfflinePartitions), promql.Grouped)}
	underReplicated = &signal.Signal{Name: "under-replicated", Unit: signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.KafkaUnderReplicatedPartitions), promql.Grouped)}
	_ = offlinePartitions.Above(signal.Critical, 0)
	_ = underReplicated.Above(signal.Critical, 0)
)

// testBoard is a board declared here, not one of package dashboards (whose boards change):
// two stats coloured by their signal's level, two graphs by topic.
func testBoard(t *testing.T) grafana.Dashboard {
	t.Helper()
	d, err := grafana.Build(grafana.Board{
		Name: "test-kafka", Folder: "Test", Title: "Test Kafka", Description: "A test board.",
		Jobs: []stack.Component{stack.KafkaController, stack.KafkaBroker},
		Rows: []grafana.Row{
			{Title: "Health", Panels: []*grafana.Panel{
				grafana.Stat("Offline partitions", "Partitions without a leader.", offlinePartitions.Total()).Span(3),
				grafana.Stat("Under-replicated partitions", "Partitions whose ISR is short.", underReplicated.Total()).Span(3),
			}},
			{Title: "Throughput", Panels: []*grafana.Panel{
				grafana.TimeSeries("Messages in per topic", "Records appended per second.", messagesIn.GroupBy("topic").Legend("{{topic}}")),
				grafana.TimeSeries("Bytes in per topic", "Bytes produced per second.", bytesIn.GroupBy("topic").Legend("{{topic}}")),
				grafana.TimeSeries("Offline partitions over time", "Partitions without a leader.", offlinePartitions.Total()),
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
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
	d := testBoard(t)
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
		_ = os.WriteFile(filepath.Join(dir, "test-kafka.png"), out, 0o644)
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

// A stat reads its instant query as an instant query at the range end would: a series that
// ended earlier (a target gone) shows no data, a live one its last value; a graph of the
// same series still draws what there was.
func TestStatAtRangeEnd(t *testing.T) {
	d := testBoard(t)
	dead, deadBox := panel(t, d, "Offline partitions")
	live, liveBox := panel(t, d, "Under-replicated partitions")
	_, graphBox := panel(t, d, "Offline partitions over time")
	gone := constant(2)
	gone.Points = gone.Points[:len(gone.Points)-40] // ten minutes before the end
	// 0, 1, 2, 0, ... and 5 at the end: the stat shows the last value, whatever came before.
	rising := wave(map[string]string{}, 1)
	for i := range rising.Points {
		rising.Points[i].V = float64(i % 3)
	}
	rising.Points[len(rising.Points)-1].V = 5
	rec := &Recording{Range: testRange, Results: map[string][]Series{dead: {gone}, live: {rising}}}

	byTitle := map[string]panelData{}
	for _, p := range grafana.Panels(d.Dashboard) {
		byTitle[deref(p.Title)] = query(context.Background(), p, rec, testRange)
	}
	if pd := byTitle["Offline partitions"]; hasData(pd.series) {
		t.Errorf("stat of a series that ended 10 minutes ago: %s, want no data", summary(pd.series))
	}
	pd := byTitle["Under-replicated partitions"]
	end := testRange.End.Unix()
	if len(pd.series) != 1 || len(pd.series[0].points) != 1 || pd.series[0].points[0] != (Point{T: end, V: 5}) {
		t.Errorf("stat of a live series: %s, want its last point (%d, 5) alone", summary(pd.series), end)
	}
	if pd := byTitle["Offline partitions over time"]; len(pd.series) != 1 || len(pd.series[0].points) != len(gone.Points) {
		t.Errorf("graph of the ended series: %s, want every recorded point (%d)", summary(pd.series), len(gone.Points))
	}

	out, err := Dashboard(context.Background(), d, rec, testRange)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	area := deadBox.Dx() * deadBox.Dy()
	if n := near(img, deadBox, namedColors["red"]) + near(img, deadBox, namedColors["green"]); n > area/10 {
		t.Errorf("Offline partitions ended: %d of %d pixels coloured, want no value", n, area)
	}
	if n := near(img, deadBox, mutedColor); n == 0 {
		t.Error("Offline partitions ended: no 'No data' text")
	}
	if n := near(img, liveBox, namedColors["red"]); n < area/2 {
		t.Errorf("Under-replicated partitions = 5 at the end: %d of %d pixels red, want the red threshold", n, area)
	}
	if n := near(img, graphBox, palette[0]); n < 100 {
		t.Errorf("Offline partitions over time: %d pixels of the series colour, want a drawn line", n)
	}
	if dir := os.Getenv("FINOBS_PREVIEW_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "test-stat-at-end.png"), out, 0o644)
	}
}

// summary says what a panel's series hold, briefly.
func summary(ss []series) string {
	out := fmt.Sprintf("%d series", len(ss))
	for _, s := range ss {
		out += fmt.Sprintf("; %q: %d points", s.legend, len(s.points))
		if n := len(s.points); n > 0 {
			out += fmt.Sprintf(", last (%d, %g)", s.points[n-1].T, s.points[n-1].V)
		}
	}
	return out
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
