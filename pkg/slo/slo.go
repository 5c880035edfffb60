// Package slo models service level objectives the way the SRE workbook (and sloth) do: the
// SLI is an error ratio (bad events over all events), the objective leaves an error budget
// of 1 - objective over a period, and alerts fire on how fast the budget burns, each over a
// long window and a short one (multi-window, multi-burn-rate: the long window says the burn
// is real, the short one that it is still going on, so the alert resets soon after a fix).
//
// An SLO renders to a rules.Group: one recording rule per window, one alert per burn (with
// runbook and promtool tests generated from the SLO's test series), and to signals that the
// dashboards show (burn rates over each window, error budget left over the period).
//
// sloth (github.com/slok/sloth/pkg/lib, v0.15+) generates the same rules from a YAML-like
// spec, but as rule strings under its own names and labels: they would bypass the typed
// expressions, the catalog lint, the panel links, runbooks and promtool tests every other
// alert of finobs has, and the library brings Kubernetes client-go, the Prometheus operator
// and a Go interpreter (yaegi) into the module. We keep its model instead: error-ratio SLI,
// the workbook's windows and burn factors, page and ticket severities.
package slo

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
)

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * hour
)

// DefaultPeriod is the SLO period when an SLO declares none: four weeks, so that every
// period holds the same weekdays.
const DefaultPeriod = 28 * day

// SLO is one objective over an error ratio.
type SLO struct {
	Name        string // snake_case: the metric part of the recording rules ("stream_freshness")
	Alert       string // CamelCase prefix of its alerts ("StreamFreshness")
	Title       string // what is promised, for panels ("Aggregates count a transaction within 30 s")
	Description string // how the SLI is measured
	Objective   float64
	Period      time.Duration // DefaultPeriod when zero
	// Errors and Total are the per-second rates of bad events and of all events; their
	// promql.Window ranges stand for the window the ratio is taken over. They are aggregated
	// to no labels: an SLO is one number.
	Errors, Total promql.Expr
	// Runbook says what the budget burning means and what to do; each burn adds its window.
	Runbook rules.Runbook
	// Series are the promtool input series for a run whose error ratio follows segments.
	Series func(segments []Segment) []rules.Series
}

// Segment is a stretch of a test run with a constant error ratio, sampled every Step (zero:
// a minute; the same in every segment of a run).
type Segment struct {
	Minutes    int
	ErrorRatio float64
	Step       time.Duration
}

// Burn is one multi-window burn-rate alert: it fires when the budget burns Factor times
// faster than the period allows, over both Long and Short.
type Burn struct {
	Name     string // suffix of the alert name
	Severity signal.Severity
	Factor   float64
	Long     time.Duration
	Short    time.Duration
	For      time.Duration
	Spent    string // what the burn costs, for the runbook
}

// Burns are the SRE workbook's burn rates for a 28-30 day period: 2% of the budget in an hour
// and 5% in six hours page; 10% in three days is a ticket (warning).
var Burns = []Burn{
	{Name: "FastBurn", Severity: signal.Critical, Factor: 14.4, Long: hour, Short: 5 * minute, For: 2 * minute,
		Spent: "2% of the period's error budget in one hour: at this rate the budget is gone in two days"},
	{Name: "SlowBurn", Severity: signal.Critical, Factor: 6, Long: 6 * hour, Short: 30 * minute, For: 15 * minute,
		Spent: "5% of the period's error budget in six hours: at this rate the budget is gone in five days"},
	{Name: "BudgetBurn", Severity: signal.Warning, Factor: 1, Long: 3 * day, Short: 6 * hour, For: hour,
		Spent: "10% of the period's error budget in three days: the budget runs out before the period ends"},
}

func (s *SLO) period() time.Duration {
	if s.Period > 0 {
		return s.Period
	}
	return DefaultPeriod
}

// Budget is the error ratio the objective allows.
func (s *SLO) Budget() float64 { return math.Round((1-s.Objective)*1e9) / 1e9 } // 1-0.99 is 0.010000000000000009

// Windows are the windows the SLO records its error ratio over: every burn's two. The
// period's ratio is not recorded: only panels read it, and a four-week range at every rule
// evaluation (and in every promtool test) costs more than a dashboard refresh.
func (s *SLO) Windows() []time.Duration {
	var out []time.Duration
	seen := map[time.Duration]bool{}
	for _, b := range Burns {
		for _, w := range []time.Duration{b.Short, b.Long} {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// ratio is the error ratio; its ranges are the window it is rendered with.
func (s *SLO) ratio() promql.Expr { return s.Errors.Div(s.Total) }

// Record is the recording rule's name of the error ratio over w.
func (s *SLO) Record(w time.Duration) string {
	return "slo:" + s.Name + "_errors:ratio_rate" + model.Duration(w).String()
}

// Recordings are the error ratio over every window.
func (s *SLO) Recordings() []rules.Recording {
	var out []rules.Recording
	for _, w := range s.Windows() {
		out = append(out, rules.Recording{Record: s.Record(w), Expr: s.ratio(), Window: w})
	}
	return out
}

// BurnRate is the signal of the budget's burn rate over w: the error ratio over w divided by
// the budget (1 = the budget lasts exactly the period). Alerts read the recorded ratio;
// panels compute it over the same fixed window.
func (s *SLO) BurnRate(w time.Duration) *signal.Signal {
	return &signal.Signal{
		Name:        "burn rate " + model.Duration(w).String(),
		Description: fmt.Sprintf("Error ratio of %s over %s divided by its error budget (%s).", s.Name, model.Duration(w), percent(s.Budget())),
		Unit:        signal.Count, Resolution: 0.01,
		Window: w, FixedWindow: true,
		Expr: promql.Recorded(s.Record(w), s.ratio()).Div(promql.Num(s.Budget())),
	}
}

// BudgetLeft is the share of the period's error budget not spent yet (negative once overspent).
func (s *SLO) BudgetLeft() *signal.Signal {
	w := s.period()
	return &signal.Signal{
		Name:        "error budget left",
		Description: fmt.Sprintf("Share of the %s error budget (%s of events) not spent over the last %s.", model.Duration(w), percent(s.Budget()), model.Duration(w)),
		Unit:        signal.Ratio, Resolution: 0.0001,
		Window: w, FixedWindow: true,
		Expr: promql.Num(1).Sub(s.ratio().Div(promql.Num(s.Budget()))),
	}
}

// Attained is the SLI over the period: the share of good events.
func (s *SLO) Attained() *signal.Signal {
	w := s.period()
	return &signal.Signal{
		Name:        "attained",
		Description: fmt.Sprintf("Share of good events over the last %s; the objective is %s.", model.Duration(w), percent(s.Objective)),
		Unit:        signal.Ratio, Resolution: 0.0001,
		Window: w, FixedWindow: true,
		Expr: promql.Num(1).Sub(s.ratio()),
	}
}

// ObjectiveSignal is the objective as a constant, for the panel that states it.
func (s *SLO) ObjectiveSignal() *signal.Signal {
	return &signal.Signal{Name: "objective", Description: "The share of good events promised.", Unit: signal.Ratio, Expr: promql.Vector(s.Objective)}
}

// Signals are an SLO's signals, built once: levels belong to a signal, so the alert's
// condition and the panel that draws its level must share it.
type Signals struct {
	SLO        *SLO
	Objective  *signal.Signal
	Attained   *signal.Signal
	BudgetLeft *signal.Signal
	Burns      []BurnSignals // in Burns order
}

// BurnSignals are one burn's signals: the burn rate over its long window (with the burn's
// level) and over its short one, and the alert's condition.
type BurnSignals struct {
	Burn        Burn
	Long, Short *signal.Signal
	When        signal.Condition
}

// Signals builds the SLO's signals.
func (s *SLO) Signals() *Signals {
	out := &Signals{SLO: s, Objective: s.ObjectiveSignal(), Attained: s.Attained(), BudgetLeft: s.BudgetLeft()}
	for _, b := range Burns {
		long, short := s.BurnRate(b.Long), s.BurnRate(b.Short)
		when := long.Above(b.Severity, b.Factor).AndExpr(short.Expr.GT(promql.Num(b.Factor)))
		out.Burns = append(out.Burns, BurnSignals{Burn: b, Long: long, Short: short, When: when})
	}
	return out
}

// Group is the SLO's rule group: its recording rules and its burn alerts, each alert linked
// to the panel panels gives for its burn (the panel showing that burn's signals).
func (ss *Signals) Group(component string, panels func(b Burn) *grafana.Panel) rules.Group {
	s := ss.SLO
	g := rules.Group{Name: "slo-" + strings.ReplaceAll(s.Name, "_", "-"), Component: component, Recording: s.Recordings()}
	for _, bs := range ss.Burns {
		g.Alerts = append(g.Alerts, s.alert(bs.Burn, bs.When, panels(bs.Burn)))
	}
	return g
}

func (s *SLO) alert(b Burn, cond signal.Condition, panel *grafana.Panel) rules.Alert {
	long, short := model.Duration(b.Long).String(), model.Duration(b.Short).String()
	rb := s.Runbook
	rb.Meaning = fmt.Sprintf("The SLO %q (objective %s over %s) burns its error budget %gx faster than the period allows, over %s and over the last %s: %s. %s",
		s.Title, percent(s.Objective), model.Duration(s.period()), b.Factor, long, short, b.Spent, rb.Meaning)
	rb.Diagnosis = append([]string{fmt.Sprintf("Read the SLO's recorded error ratios (`%s`, `%s`) on the SLO dashboard: when did the burn start?", s.Record(b.Long), s.Record(b.Short))}, rb.Diagnosis...)
	return rules.Alert{
		Name: s.Alert + b.Name, When: cond, For: b.For, Panel: panel,
		Labels:      map[string]string{"slo": s.Name},
		Summary:     fmt.Sprintf("%s: the error budget burns %gx too fast (%s and %s windows).", s.Title, b.Factor, long, short),
		Description: fmt.Sprintf("Over %s the budget of %s burns {{ $value | humanize }}x as fast as %s allows.", long, s.Name, model.Duration(s.period())),
		Runbook:     rb,
		Tests:       s.tests(b),
	}
}

// tests are each burn's promtool cases: a burn above the factor over both windows fires; the
// same burn stopped for twice the short window is quiet (the short window resets the
// alert); a burn at half the factor for the whole long window is quiet.
func (s *SLO) tests(b Burn) []rules.Test {
	mins := func(d time.Duration) int { return int(d / minute) }
	run := mins(b.Long + b.For + 10*minute)
	high := min(1, 2*b.Factor*s.Budget())
	step := testStep(b)
	// The burn stops 2 short windows before the long window is full: the long window still
	// burns at 5/6 of high or more, above the factor, the short one not at all.
	stopped := []Segment{{mins(b.Long - 2*b.Short), high, step}, {2 * mins(b.Short), 0, step}}
	at := func(segs []Segment) time.Duration {
		n := 0
		for _, g := range segs {
			n += g.Minutes
		}
		return time.Duration(n) * minute
	}
	burning := []Segment{{run, high, step}}
	half := []Segment{{mins(b.Long + b.For), b.Factor * s.Budget() / 2, step}}
	return []rules.Test{
		{Name: fmt.Sprintf("%.3gx burn for %s", high/s.Budget(), model.Duration(at(burning))), At: at(burning), Step: step,
			Fires: []rules.Firing{{Value: high / s.Budget()}}, Series: s.Series(burning)},
		{Name: fmt.Sprintf("%.3gx burn that stopped %s ago", high/s.Budget(), model.Duration(2*b.Short)), At: at(stopped), Step: step, Series: s.Series(stopped)},
		{Name: fmt.Sprintf("%.3gx burn for %s", b.Factor/2, model.Duration(at(half))), At: at(half), Step: step, Series: s.Series(half)},
	}
}

// testStep is the spacing of a burn's test samples and evaluations: a minute, or 5 minutes
// for burns whose short window holds 6 samples or more at that step (a rate needs two, and
// an alert's for a few evaluations). promtool evaluates every rule at every step: the
// budget burn's days of samples took 50 s at a minute and take 10 at 5.
func testStep(b Burn) time.Duration {
	const coarse = 5 * minute
	if b.Short >= 6*coarse && b.For%coarse == 0 && b.Long%coarse == 0 {
		return coarse
	}
	return rules.TestInterval
}

// Counter renders a counter that grows by perMinute a minute, times the segment's share
// (good or bad events), in promtool's expanding notation: a sample every segment's step.
func Counter(segs []Segment, perMinute float64, share func(errorRatio float64) float64) string {
	var parts []string
	v := 0.0
	for i, g := range segs {
		step := g.Step
		if step == 0 {
			step = minute
		}
		inc := perMinute * float64(step/minute) * share(g.ErrorRatio)
		n := g.Minutes * int(minute) / int(step)
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s+%sx%d", num(v), num(inc), n))
			v += inc * float64(n)
			continue
		}
		v += inc
		parts = append(parts, fmt.Sprintf("%s+%sx%d", num(v), num(inc), n-1))
		v += inc * float64(n-1)
	}
	return strings.Join(parts, " ")
}

// Errors and Goods are the shares Counter takes.
func Errors(r float64) float64 { return r }
func Goods(r float64) float64  { return 1 - r }
func All(float64) float64      { return 1 }

func num(v float64) string { return fmt.Sprintf("%g", v) }

func percent(v float64) string { return fmt.Sprintf("%g%%", 100*v) }
