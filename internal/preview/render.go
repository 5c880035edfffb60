// Package preview draws dashboards as PNG images from Prometheus data, laid out as
// Grafana lays them out (24-column grid, rows, titles, units, legends), so a reviewer can
// see what a dashboard shows without a Grafana server.
package preview

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/elasticsearch"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"gonum.org/v1/plot/vg/vgimg"

	"github.com/finobs/finobs/internal/promconfig"

	"github.com/finobs/finobs/pkg/grafana"
)

// Grid geometry, in pixels (the canvas is drawn at 72 dpi: one point is one pixel).
const (
	colW    = 75 // a grid column: 24 columns make 1800 px
	unitH   = 30 // a grid row unit, as in Grafana
	headerH = 56 // dashboard title and time range
	gap     = 4  // between panels
	titleH  = 22 // panel title strip
	legendH = 14 // one legend line
	width   = 24 * colW
)

var (
	bgColor     = rgb(0xF4, 0xF5, 0xF5)
	panelColor  = rgb(0xFF, 0xFF, 0xFF)
	borderColor = rgb(0xD8, 0xD9, 0xDA)
	textColor   = rgb(0x24, 0x29, 0x2E)
	mutedColor  = rgb(0x6E, 0x75, 0x7C)
	errorColor  = rgb(0xC4, 0x16, 0x2A)
	// Grafana's classic palette, for series.
	palette = []color.Color{
		rgb(0x73, 0xBF, 0x69), rgb(0xF2, 0xCC, 0x0C), rgb(0x8A, 0xB8, 0xFF), rgb(0xFF, 0x78, 0x0A),
		rgb(0xF2, 0x49, 0x5C), rgb(0x57, 0x94, 0xF2), rgb(0xB8, 0x77, 0xD9), rgb(0x70, 0x5D, 0xA0),
		rgb(0x37, 0x87, 0x2D), rgb(0xFA, 0xDE, 0x2A), rgb(0x44, 0x7E, 0xBC), rgb(0xC1, 0x5C, 0x17),
	}
	// Threshold colour names used by the dashboards.
	namedColors = map[string]color.Color{
		"green": rgb(0x73, 0xBF, 0x69), "red": rgb(0xF2, 0x49, 0x5C), "orange": rgb(0xFF, 0x98, 0x30),
		"yellow": rgb(0xFA, 0xDE, 0x2A), "blue": rgb(0x57, 0x94, 0xF2), "purple": rgb(0xB8, 0x77, 0xD9),
	}
)

func rgb(r, g, b uint8) color.Color { return color.NRGBA{R: r, G: g, B: b, A: 0xFF} }

func sans(size float64, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: font.Length(size)}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: textColor, Font: f, Handler: plot.DefaultTextHandler}
}

// ScrapeInterval is what $__rate_interval is derived from, as Grafana does.
var ScrapeInterval = promconfig.ScrapeInterval

var varRE = regexp.MustCompile(`\$(?:\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|([a-zA-Z_][a-zA-Z0-9_]*))`)

// Interpolate replaces Grafana's variables in a query as Grafana would with every
// template variable at "All" (.+) over range r.
func Interpolate(expr string, r Range) string {
	rate := max(r.Step+ScrapeInterval, 4*ScrapeInterval)
	return varRE.ReplaceAllStringFunc(expr, func(m string) string {
		name := strings.Trim(m, "${}")
		name, _, _ = strings.Cut(name, ":")
		switch name {
		case "__rate_interval":
			return promDuration(rate)
		case "__interval":
			return promDuration(r.Step)
		case "__range":
			return promDuration(r.End.Sub(r.Start))
		}
		return ".+"
	})
}

func promDuration(d time.Duration) string { return fmt.Sprintf("%ds", int(d.Seconds())) }

// series is one line of a panel: its legend and points.
type series struct {
	legend string
	points []Point
}

var legendRE = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

func legendOf(format string, labels map[string]string) string {
	if format == "" {
		l := labelKey(labels)
		return "{" + strings.TrimSuffix(l, ",") + "}"
	}
	return legendRE.ReplaceAllStringFunc(format, func(m string) string {
		return labels[legendRE.FindStringSubmatch(m)[1]]
	})
}

// panelData is what a panel shows, or why it shows nothing.
type panelData struct {
	series  []series
	exprs   []string
	err     error
	elastic string // the Lucene query of an Elasticsearch panel
}

func query(ctx context.Context, p *dashboard.Panel, src Source, r Range) panelData {
	var pd panelData
	for _, t := range p.Targets {
		switch t := t.(type) {
		case prometheus.Dataquery:
			expr := Interpolate(t.Expr, r)
			pd.exprs = append(pd.exprs, expr)
			res, err := src.QueryRange(ctx, expr, r)
			if err != nil {
				pd.err = err
				return pd
			}
			format := ""
			if t.LegendFormat != nil {
				format = *t.LegendFormat
			}
			instant := t.Instant != nil && *t.Instant
			var ss []series
			for _, s := range res {
				pts := s.Points
				if instant {
					pts = atEnd(pts, r)
					if len(pts) == 0 {
						continue // as an instant query at the end would not return it
					}
				}
				ss = append(ss, series{legend: legendOf(format, s.Labels), points: pts})
			}
			sort.SliceStable(ss, func(i, j int) bool { return ss[i].legend < ss[j].legend })
			pd.series = append(pd.series, ss...)
		case elasticsearch.Dataquery:
			if t.Query != nil {
				pd.elastic = *t.Query
			}
		}
	}
	return pd
}

// atEnd keeps the point at the end of the range, what an instant query there returns: a
// series that ended earlier (a dead target) has none.
func atEnd(pts []Point, r Range) []Point {
	if len(pts) == 0 {
		return nil
	}
	last := pts[len(pts)-1]
	if r.End.Unix()-last.T >= int64(r.Step.Seconds()) {
		return nil
	}
	return []Point{last}
}

// Dashboard renders one dashboard as a PNG image, querying src over r.
func Dashboard(ctx context.Context, d grafana.Dashboard, src Source, r Range) ([]byte, error) {
	bottom := uint32(0)
	for _, pr := range d.Panels {
		if g := gridOf(pr); g != nil {
			bottom = max(bottom, g.Y+g.H)
		}
	}
	height := float64(headerH) + float64(bottom)*unitH + gap
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width), vg.Length(height)), vgimg.UseDPI(72))
	c := draw.New(img)
	fill(c, c.Rectangle, bgColor)

	title := sans(20, true)
	title.YAlign = text.YTop
	c.FillText(title, vg.Point{X: 12, Y: vg.Length(height) - 10}, deref(d.Title)+"  ·  "+d.UID())
	sub := sans(11, false)
	sub.Color = mutedColor
	sub.YAlign = text.YTop
	c.FillText(sub, vg.Point{X: 12, Y: vg.Length(height) - 36}, fmt.Sprintf(
		"%s to %s UTC, step %s, every variable at All  ·  finobs preview from Prometheus data, not a Grafana screenshot",
		r.Start.UTC().Format("2006-01-02 15:04"), r.End.UTC().Format("15:04"), r.Step))

	for _, pr := range d.Panels {
		g := gridOf(pr)
		if g == nil {
			continue
		}
		box := vg.Rectangle{
			Min: vg.Point{X: vg.Length(g.X*colW + gap/2), Y: vg.Length(height - headerH - float64(g.Y+g.H)*unitH + gap/2)},
			Max: vg.Point{X: vg.Length((g.X+g.W)*colW - gap/2), Y: vg.Length(height - headerH - float64(g.Y)*unitH - gap/2)},
		}
		if pr.RowPanel != nil {
			drawRow(c, box, deref(pr.RowPanel.Title))
			continue
		}
		pd := query(ctx, pr.Panel, src, r)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		drawPanel(c, box, pr.Panel, pd, r)
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("dashboard %s: png: %w", d.UID(), err)
	}
	return buf.Bytes(), nil
}

func gridOf(pr dashboard.PanelOrRowPanel) *dashboard.GridPos {
	switch {
	case pr.RowPanel != nil:
		return pr.RowPanel.GridPos
	case pr.Panel != nil:
		return pr.Panel.GridPos
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func fill(c draw.Canvas, r vg.Rectangle, col color.Color) {
	c.FillPolygon(col, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

func stroke(c draw.Canvas, r vg.Rectangle, col color.Color) {
	c.StrokeLines(draw.LineStyle{Color: col, Width: 1}, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
}

func drawRow(c draw.Canvas, box vg.Rectangle, title string) {
	s := sans(14, true)
	s.YAlign = text.YCenter
	mid := (box.Min.Y + box.Max.Y) / 2
	c.FillText(s, vg.Point{X: box.Min.X + 4, Y: mid}, "▾ "+title)
	w := s.Width("▾ "+title) + 16
	c.StrokeLine2(draw.LineStyle{Color: borderColor, Width: 1}, box.Min.X+w, mid, box.Max.X, mid)
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(s text.Style, str string, w vg.Length) string {
	if s.Width(str) <= w {
		return str
	}
	r := []rune(str)
	for len(r) > 1 && s.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func drawPanel(c draw.Canvas, box vg.Rectangle, p *dashboard.Panel, pd panelData, r Range) {
	fill(c, box, panelColor)
	stroke(c, box, borderColor)
	unit := ""
	if p.FieldConfig != nil {
		unit = deref(p.FieldConfig.Defaults.Unit)
	}
	ts := sans(12, true)
	ts.YAlign = text.YTop
	us := sans(10, false)
	us.Color = mutedColor
	us.YAlign = text.YTop
	us.XAlign = text.XRight
	unitLabel := "unit: " + unit
	tw := box.Max.X - box.Min.X - 16 - us.Width(unitLabel) - 8
	c.FillText(ts, vg.Point{X: box.Min.X + 8, Y: box.Max.Y - 6}, fit(ts, deref(p.Title), tw))
	c.FillText(us, vg.Point{X: box.Max.X - 8, Y: box.Max.Y - 7}, unitLabel)
	body := vg.Rectangle{Min: vg.Point{X: box.Min.X + 6, Y: box.Min.Y + 4}, Max: vg.Point{X: box.Max.X - 6, Y: box.Max.Y - titleH}}

	switch {
	case pd.elastic != "":
		message(c, body, "Elasticsearch panel: no Prometheus data to preview", "query: "+pd.elastic, mutedColor)
	case pd.err != nil:
		message(c, body, "Query failed", pd.err.Error(), errorColor)
	case !hasData(pd.series):
		detail := ""
		if len(pd.exprs) > 0 {
			detail = pd.exprs[0]
		}
		message(c, body, "No data", detail, mutedColor)
	case p.Type == "stat":
		drawStat(c, body, p, pd.series, unit)
	default:
		drawGraph(c, body, p, pd.series, unit, r)
	}
}

func hasData(ss []series) bool {
	for _, s := range ss {
		for _, p := range s.points {
			if !math.IsNaN(p.V) {
				return true
			}
		}
	}
	return false
}

func message(c draw.Canvas, body vg.Rectangle, msg, detail string, col color.Color) {
	s := sans(14, true)
	s.Color = col
	s.XAlign, s.YAlign = text.XCenter, text.YCenter
	mid := vg.Point{X: (body.Min.X + body.Max.X) / 2, Y: (body.Min.Y + body.Max.Y) / 2}
	c.FillText(s, vg.Point{X: mid.X, Y: mid.Y + 8}, msg)
	if detail != "" {
		d := sans(9, false)
		d.Color = mutedColor
		d.XAlign, d.YAlign = text.XCenter, text.YCenter
		c.FillText(d, vg.Point{X: mid.X, Y: mid.Y - 10}, fit(d, detail, body.Max.X-body.Min.X-8))
	}
}

func last(s series) (float64, bool) {
	for i := len(s.points) - 1; i >= 0; i-- {
		if !math.IsNaN(s.points[i].V) {
			return s.points[i].V, true
		}
	}
	return 0, false
}

// thresholdColor is the colour of the highest step at or below v.
func thresholdColor(p *dashboard.Panel, v float64) color.Color {
	col := namedColors["blue"]
	if p.FieldConfig == nil || p.FieldConfig.Defaults.Thresholds == nil {
		return col
	}
	for _, st := range p.FieldConfig.Defaults.Thresholds.Steps {
		if st.Value == nil || v >= *st.Value {
			if c, ok := namedColors[st.Color]; ok {
				col = c
			}
		}
	}
	return col
}

func drawStat(c draw.Canvas, body vg.Rectangle, p *dashboard.Panel, ss []series, unit string) {
	n := len(ss)
	w := (body.Max.X - body.Min.X) / vg.Length(n)
	for i, s := range ss {
		cell := vg.Rectangle{Min: vg.Point{X: body.Min.X + vg.Length(i)*w + 1, Y: body.Min.Y}, Max: vg.Point{X: body.Min.X + vg.Length(i+1)*w - 1, Y: body.Max.Y}}
		v, ok := last(s)
		if !ok {
			message(c, cell, "No data", s.legend, mutedColor)
			continue
		}
		fill(c, cell, thresholdColor(p, v))
		h := cell.Max.Y - cell.Min.Y
		size := math.Min(float64(h)*0.45, 30)
		vs := sans(size, true)
		vs.Color = color.White
		vs.XAlign, vs.YAlign = text.XCenter, text.YCenter
		val := Format(v, unit)
		for vs.Width(val) > cell.Max.X-cell.Min.X-8 && vs.Font.Size > 8 {
			vs.Font.Size--
		}
		mid := (cell.Min.X + cell.Max.X) / 2
		c.FillText(vs, vg.Point{X: mid, Y: cell.Min.Y + h*0.58}, val)
		ls := sans(9, false)
		ls.Color = color.White
		ls.XAlign, ls.YAlign = text.XCenter, text.YBottom
		c.FillText(ls, vg.Point{X: mid, Y: cell.Min.Y + 3}, fit(ls, s.legend, cell.Max.X-cell.Min.X-6))
	}
}

// unitTicks labels the default ticks in the panel's unit.
type unitTicks struct{ unit string }

func (u unitTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = Format(ticks[i].Value, u.unit)
		}
	}
	return ticks
}

// entry is one legend item.
type entry struct {
	text string
	col  color.Color
}

// legend lays legend items out in lines across the body, at most as many lines as fit in
// a third of it; more is how many items did not fit.
func legend(ss []series, body vg.Rectangle) (lines [][]entry, more int) {
	ls := sans(9, false)
	maxLines := max(1, int((body.Max.Y-body.Min.Y)/3/legendH))
	var lineW vg.Length
	for i, s := range ss {
		e := entry{s.legend, palette[i%len(palette)]}
		w := ls.Width(e.text) + 24
		if len(lines) == 0 || lineW+w > body.Max.X-body.Min.X {
			lines = append(lines, nil)
			lineW = 0
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], e)
		lineW += w
	}
	if len(lines) > maxLines {
		for _, l := range lines[maxLines:] {
			more += len(l)
		}
		lines = lines[:maxLines]
	}
	return lines, more
}

func drawGraph(c draw.Canvas, body vg.Rectangle, p *dashboard.Panel, ss []series, unit string, r Range) {
	// Legend below the graph, as many lines as fit in a third of the panel.
	ls := sans(9, false)
	lines, more := legend(ss, body)
	legendTop := body.Min.Y + vg.Length(len(lines))*legendH
	for i, l := range lines {
		y := legendTop - vg.Length(i)*legendH - legendH/2
		x := body.Min.X + 4
		for j, e := range l {
			if more > 0 && i == len(lines)-1 && j == len(l)-1 {
				e.text = fmt.Sprintf("%s  (+%d more)", e.text, more)
			}
			c.StrokeLine2(draw.LineStyle{Color: e.col, Width: 3}, x, y, x+14, y)
			s := ls
			s.YAlign = text.YCenter
			c.FillText(s, vg.Point{X: x + 18, Y: y}, fit(s, e.text, body.Max.X-x-20))
			x += ls.Width(e.text) + 24
		}
	}

	pl := plot.New()
	pl.BackgroundColor = color.Transparent
	pl.X.Min, pl.X.Max = float64(r.Start.Unix()), float64(r.End.Unix())
	pl.X.Tick.Marker = timeTicks{}
	pl.Y.Tick.Marker = unitTicks{unit}
	for _, a := range []*plot.Axis{&pl.X, &pl.Y} {
		a.Tick.Label.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Size: 9}
		a.Tick.Label.Color = mutedColor
		a.Color = borderColor
		a.Tick.Color = borderColor
		a.Padding = 2
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range ss {
		for _, seg := range segments(s.points, r.Step) {
			l, err := plotter.NewLine(seg)
			if err != nil {
				continue
			}
			l.LineStyle = draw.LineStyle{Color: palette[i%len(palette)], Width: 1.5}
			pl.Add(l)
			if len(seg) < 3 {
				// A line of one or two samples is hardly visible: mark them.
				if sc, err := plotter.NewScatter(seg); err == nil {
					sc.GlyphStyle = draw.GlyphStyle{Color: palette[i%len(palette)], Radius: 2, Shape: draw.CircleGlyph{}}
					pl.Add(sc)
				}
			}
			for _, pt := range seg {
				lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
			}
		}
	}
	if lo >= 0 {
		lo = 0 // Grafana starts positive series at zero when the data is near it; be explicit.
	}
	if hi <= lo {
		hi = lo + 1
	}
	if p.FieldConfig != nil {
		if m := p.FieldConfig.Defaults.Min; m != nil {
			lo = *m
		}
		if m := p.FieldConfig.Defaults.Max; m != nil {
			hi = math.Max(*m, hi)
		}
	}
	pl.Y.Min, pl.Y.Max = lo, hi+(hi-lo)*0.05
	pl.Add(plotter.NewGrid())
	graph := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: body.Min.X, Y: legendTop + 2}, Max: body.Max}}
	pl.Draw(graph)
}

// timeTicks puts about six ticks on round minutes or hours, in UTC.
type timeTicks struct{}

func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	every := 60.0
	for _, e := range []float64{60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400} {
		every = e
		if span/e <= 7 {
			break
		}
	}
	var out []plot.Tick
	for t := math.Ceil(lo/every) * every; t <= hi; t += every {
		out = append(out, plot.Tick{Value: t, Label: time.Unix(int64(t), 0).UTC().Format("15:04")})
	}
	return out
}

// segments cuts a series at missing samples so lines do not bridge gaps.
func segments(pts []Point, step time.Duration) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	prev := int64(math.MinInt64)
	for _, p := range pts {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) || (prev != math.MinInt64 && time.Duration(p.T-prev)*time.Second > 2*step) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
				prev = math.MinInt64
				continue
			}
		}
		cur = append(cur, plotter.XY{X: float64(p.T), Y: p.V})
		prev = p.T
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
