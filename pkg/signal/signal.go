// Package signal models a signal: a named PromQL expression over catalog metrics with its
// unit, its grouping and its levels. Alerts are conditions on a signal's levels; panels
// show signals and colour them by the same levels, so an alert and the panel it links to
// cannot disagree on a threshold. The signals themselves are declared in package signals.
package signal

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/finobs/finobs/pkg/promql"
)

// Severity is the severity of a level, and the severity label of an alert on it.
type Severity string

const (
	Critical Severity = "critical" // pages someone
	Warning  Severity = "warning"  // goes to chat, looked at in working hours
	Info     Severity = "info"     // dashboard only, inhibited into silence by default
	// None is the heartbeat's: an alert that always fires to prove the path to the
	// receivers works, never a problem of its own. It ranks below Info.
	None Severity = "none"
)

// Severities is the allowed set, most severe first.
var Severities = []Severity{Critical, Warning, Info}

// Color is the colour a panel gives a value at a level of this severity.
func (s Severity) Color() string {
	switch s {
	case Critical:
		return "red"
	case Warning:
		return "orange"
	case Info:
		return "yellow"
	case None:
		return "blue" // a heartbeat: information, not a verdict
	}
	return "green"
}

func (s Severity) rank() int {
	i := slices.Index(Severities, s)
	if i < 0 {
		return 0 // None, and anything unknown: no worse than nothing
	}
	return len(Severities) - i
}

// Unit is the Grafana unit of a signal's values.
type Unit string

const (
	Count       Unit = "short"
	Ratio       Unit = "percentunit"
	Seconds     Unit = "s"
	Millis      Unit = "ms"
	Bytes       Unit = "bytes"
	BytesPerSec Unit = "Bps"
	PerSecond   Unit = "cps"
	OpsPerSec   Unit = "ops"
	ReqsPerSec  Unit = "reqps"
)

// Signal is a named expression over catalog metrics. Expr's aggregations may group by
// promql.Grouped: alerts render the signal grouped by By, panels by what they show.
type Signal struct {
	Name        string // what it measures, as a panel legend would say it
	Description string
	Unit        Unit
	By          []string // the labels alerts keep, standing for promql.Grouped
	Expr        promql.Expr
	// Window is what promql.Window ranges stand for; 5m when zero.
	Window time.Duration
	// FixedWindow keeps Window on panels too, instead of $__rate_interval: for counts over
	// a window ("more than 5 in 15 minutes") that mean nothing over another one.
	FixedWindow bool
	// Resolution is the smallest step the signal moves by (1 for counts). A panel colours
	// values from the level up, while the rule's > is strict: an Above level's colour
	// starts one resolution above it.
	Resolution float64

	levels []*Level
}

// Levels lists the signal's levels in declaration order.
func (s *Signal) Levels() []*Level { return s.levels }

// DefaultWindow is a signal's window when it declares none.
const DefaultWindow = 5 * time.Minute

func (s *Signal) window() time.Duration {
	if s.Window > 0 {
		return s.Window
	}
	return DefaultWindow
}

// Render renders the signal grouped by By in form f.
func (s *Signal) Render(f promql.Form) (string, error) {
	return s.Expr.RenderWith(f, s.window(), s.By...)
}

// Op is the comparison of a level.
type Op string

const (
	Above   Op = ">"
	AtLeast Op = ">="
	Below   Op = "<"
	Equal   Op = "=="
)

// Level is a value of a signal that means trouble of a severity: a constant, or Factor
// times another signal (Of).
type Level struct {
	Signal   *Signal
	Severity Severity
	Op       Op
	Value    float64
	Of       *Signal // when set, the level is Value × Of
	window   time.Duration
}

// Over makes the level look at the signal over window instead of the signal's own
// ("no rows read in 10 minutes" on a signal charted over 5).
func (l *Level) Over(window time.Duration) *Level {
	c := *l
	c.window = window
	return &c
}

// Window is the window the level's condition renders with.
func (l *Level) Window() time.Duration {
	if l.window > 0 {
		return l.window
	}
	return l.Signal.window()
}

func (s *Signal) add(l *Level) *Level {
	l.Signal = s
	s.levels = append(s.levels, l)
	return l
}

// Above declares that values above v are trouble of severity sev.
func (s *Signal) Above(sev Severity, v float64) *Level {
	return s.add(&Level{Severity: sev, Op: Above, Value: v})
}

// AtLeast declares that v and values above it are trouble of severity sev: for a count
// that is not a whole number (increase() extrapolates), where "> v-1" would already fire a
// little above v-1 ("3 restarts in 15 minutes": 2 restarts can read 2.3).
func (s *Signal) AtLeast(sev Severity, v float64) *Level {
	return s.add(&Level{Severity: sev, Op: AtLeast, Value: v})
}

// Below declares that values below v are trouble of severity sev.
func (s *Signal) Below(sev Severity, v float64) *Level {
	return s.add(&Level{Severity: sev, Op: Below, Value: v})
}

// EqualTo declares that the value v is trouble of severity sev (a flat counter: no input).
func (s *Signal) EqualTo(sev Severity, v float64) *Level {
	return s.add(&Level{Severity: sev, Op: Equal, Value: v})
}

// AboveSignal declares that values above factor × other are trouble.
func (s *Signal) AboveSignal(sev Severity, factor float64, other *Signal) *Level {
	return s.add(&Level{Severity: sev, Op: Above, Value: factor, Of: other})
}

// BelowSignal declares that values below factor × other are trouble.
func (s *Signal) BelowSignal(sev Severity, factor float64, other *Signal) *Level {
	return s.add(&Level{Severity: sev, Op: Below, Value: factor, Of: other})
}

// Threshold is the level's right-hand side.
func (l *Level) Threshold() promql.Expr {
	if l.Of == nil {
		return promql.Num(l.Value)
	}
	if l.Value == 1 {
		return l.Of.Expr
	}
	return promql.Num(l.Value).Mul(l.Of.Expr)
}

// Boundary is where a panel's colour changes for the level: the value, or one resolution
// above it for a strict Above (AtLeast colours from the value itself).
func (l *Level) Boundary() float64 {
	if l.Op == Above {
		return l.Value + l.Signal.Resolution
	}
	return l.Value
}

// Constant says whether the level is a fixed value (a threshold step on panels) rather
// than another signal (a line).
func (l *Level) Constant() bool { return l.Of == nil }

func (l *Level) String() string {
	rhs := strconv.FormatFloat(l.Value, 'g', -1, 64)
	if l.Of != nil {
		rhs += " × " + l.Of.Name
	}
	return fmt.Sprintf("%s %s %s (%s)", l.Signal.Name, l.Op, rhs, l.Severity)
}

// Condition is what an alert fires on: a signal at one of its levels, possibly narrowed by
// further conditions.
type Condition interface {
	// Level is the level whose threshold the alert's panel shows.
	Level() *Level
	// Expr is the alert's expression, before grouping.
	Expr() promql.Expr
	// By is the grouping the expression is rendered with.
	By() []string
}

// Level is its own condition: the signal compared with the level.
func (l *Level) Level() *Level { return l }

// Expr is signal op threshold.
func (l *Level) Expr() promql.Expr { return l.Signal.Expr.Compare(string(l.Op), l.Threshold()) }

// By is the signal's grouping.
func (l *Level) By() []string { return l.Signal.By }

// And narrows the condition to series that also meet other (matched with ms).
func (l *Level) And(other Condition, ms ...promql.Match) Condition {
	return compound{l, func(e promql.Expr) promql.Expr { return e.And(other.Expr(), ms...) }}
}

// AndExpr narrows the condition by a plain expression (a guard that is no signal's level,
// such as "the query is running").
func (l *Level) AndExpr(guard promql.Expr, ms ...promql.Match) Condition {
	return compound{l, func(e promql.Expr) promql.Expr { return e.And(guard, ms...) }}
}

// UnlessExpr narrows the condition to series that do not meet a plain expression (matched
// with ms): a series the expression lacks stays in, where AndExpr would drop it.
func (l *Level) UnlessExpr(except promql.Expr, ms ...promql.Match) Condition {
	return compound{l, func(e promql.Expr) promql.Expr { return e.Unless(except, ms...) }}
}

type compound struct {
	level *Level
	join  func(promql.Expr) promql.Expr
}

func (c compound) Level() *Level     { return c.level }
func (c compound) Expr() promql.Expr { return c.join(c.level.Expr()) }
func (c compound) By() []string      { return c.level.By() }
func (c compound) String() string    { return c.level.String() + " and more" }

// Render renders a condition in rule form, with the signal's grouping and window.
func Render(c Condition) (string, error) {
	return c.Expr().RenderWith(promql.Rule, c.Level().Window(), c.By()...)
}

// Labels lists the labels an alert on c carries from its expression, sorted.
func Labels(c Condition) ([]string, error) {
	return c.Expr().LabelsWith(c.Level().Window(), c.By()...)
}

// Step is a threshold step of a panel: from Value up, the colour is Color. The first
// step's Value is ignored (it is the base colour).
type Step struct {
	Value float64
	Color string
}

// Steps are the threshold steps a panel showing s colours its values with: the colour of
// the worst constant level each value is at, green where none holds. A signal with no
// constant level is neutral blue (information, not a verdict).
func (s *Signal) Steps() []Step {
	var bounds []float64
	for _, l := range s.levels {
		if !l.Constant() {
			continue
		}
		b := l.Value
		if l.Op == Above {
			b += s.Resolution
		}
		bounds = append(bounds, b)
		if l.Op == Equal {
			bounds = append(bounds, l.Value+math.Max(s.Resolution, 1e-9))
		}
	}
	if len(bounds) == 0 {
		return []Step{{Color: "blue"}}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	at := func(x float64) string {
		worst := Severity("")
		for _, l := range s.levels {
			if !l.Constant() {
				continue
			}
			hit := false
			switch l.Op {
			case Above:
				hit = x >= l.Value+s.Resolution
			case AtLeast:
				hit = x >= l.Value
			case Below:
				hit = x < l.Value
			case Equal:
				hit = x >= l.Value && x < l.Value+math.Max(s.Resolution, 1e-9)
			}
			if hit && (worst == "" || l.Severity.rank() > worst.rank()) {
				worst = l.Severity
			}
		}
		return worst.Color()
	}
	steps := []Step{{Color: at(bounds[0] - math.Max(1, math.Abs(bounds[0])))}}
	for _, b := range bounds {
		if c := at(b); c != steps[len(steps)-1].Color {
			steps = append(steps, Step{Value: b, Color: c})
		}
	}
	return steps
}

// View is a signal as a panel shows it: grouped by the panel's labels, with a legend.
type View struct {
	Signal *Signal
	expr   promql.Expr
	by     []string
	legend string
}

// Show is the signal grouped as alerts group it.
func (s *Signal) Show() View { return View{Signal: s, expr: s.Expr, by: s.By} }

// Total is the signal grouped by nothing: one series.
func (s *Signal) Total() View { return View{Signal: s, expr: s.Expr} }

// GroupBy is the signal grouped by labels instead of By.
func (s *Signal) GroupBy(labels ...string) View { return View{Signal: s, expr: s.Expr, by: labels} }

// Sum is the signal as alerts see it, summed by labels: for signals without a grouping of
// their own.
func (s *Signal) Sum(labels ...string) View {
	return View{Signal: s, expr: promql.Sum(s.Expr, labels...), by: s.By}
}

// Max is the signal's maximum by labels.
func (s *Signal) Max(labels ...string) View {
	return View{Signal: s, expr: promql.Max(s.Expr, labels...), by: s.By}
}

// Min is the signal's minimum by labels.
func (s *Signal) Min(labels ...string) View {
	return View{Signal: s, expr: promql.Min(s.Expr, labels...), by: s.By}
}

// Legend sets the legend (a Grafana legend format such as "{{topic}}").
func (v View) Legend(legend string) View { v.legend = legend; return v }

// Narrow adds matchers to the view's selectors whose metric declares their label (see
// promql.Narrow): a board's variable over a label.
func (v View) Narrow(ms ...promql.Matcher) View {
	if len(ms) > 0 {
		v.expr = promql.Narrow(v.expr, ms...)
	}
	return v
}

// LegendText is the legend, or the signal's name.
func (v View) LegendText() string {
	if v.legend == "" {
		return v.Signal.Name
	}
	return v.legend
}

// Render renders the view in form f.
func (v View) Render(f promql.Form) (string, error) {
	if v.Signal.FixedWindow {
		return v.expr.RenderFixedWindow(f, v.Signal.window(), v.by...)
	}
	return v.expr.RenderWith(f, v.Signal.window(), v.by...)
}

// Threshold is a level compared with another signal, as the line a panel draws for it.
func (l *Level) ThresholdView() View {
	return View{Signal: l.Signal, expr: l.Threshold(), by: l.Signal.By, legend: "alert threshold (" + string(l.Severity) + ")"}
}
