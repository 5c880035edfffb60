// Package alertmanager models an Alertmanager configuration — routing tree, inhibitions and
// receivers — and renders it for a deployment. Secrets are never part of the model: receivers
// name files the deployment mounts, and the local stack points every receiver at its webhook.
package alertmanager

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/promql"
)

// Config is the whole routing declaration.
type Config struct {
	ResolveTimeout time.Duration
	Route          Route
	Inhibit        []Inhibit
	Receivers      []Receiver
	Tests          []RouteTest
	InhibitTests   []InhibitTest
}

// Route is a node of the routing tree. Matchers use Alertmanager's matcher syntax. The root,
// and any route with a GroupBy of its own, groups by the cluster label too (added when
// GroupBy lacks it): a notification never mixes clusters.
type Route struct {
	Receiver       string
	Matchers       []string
	GroupBy        []string
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	Continue       bool
	Routes         []Route
}

// Inhibit mutes alerts matching Target while an alert matching Source fires with the same
// values of the Equal labels, and always of the cluster label (promql.ClusterLabel), which
// the rendered rule adds to Equal when it lacks it. Alerts are named through SourceAlerts, TargetAlerts and
// ExceptAlerts (declared alerts, checked by CheckAlerts); other labels through matchers.
type Inhibit struct {
	Why            string // keeps the intent next to the rule
	SourceAlerts   []string
	SourceMatchers []string
	TargetAlerts   []string
	ExceptAlerts   []string // targets never muted by this rule
	TargetMatchers []string
	Equal          []string
}

func (in Inhibit) source() []string {
	return append(alertMatcher("=", in.SourceAlerts), in.SourceMatchers...)
}

func (in Inhibit) target() []string {
	out := append(alertMatcher("=", in.TargetAlerts), in.TargetMatchers...)
	for _, a := range in.ExceptAlerts {
		out = append(out, alertMatcher("!=", []string{a})...)
	}
	return out
}

// alertMatcher matches any of the alert names: alertname="A", or alertname=~"A|B".
func alertMatcher(op string, names []string) []string {
	switch len(names) {
	case 0:
		return nil
	case 1:
		return []string{"alertname" + op + strconv.Quote(names[0])}
	}
	re := "=~"
	if op == "!=" {
		re = "!~"
	}
	return []string{"alertname" + re + strconv.Quote(strings.Join(names, "|"))}
}

// CheckAlerts fails when an inhibition or an inhibition test names an alert that is not
// declared: a typo would silently mute nothing (or, as a target, everything it was meant to
// spare).
func (c Config) CheckAlerts(declared map[string]bool) error {
	var errs []error
	for _, in := range c.Inhibit {
		for _, a := range slices.Concat(in.SourceAlerts, in.TargetAlerts, in.ExceptAlerts) {
			if !declared[a] {
				errs = append(errs, fmt.Errorf("alertmanager: inhibition %q names alert %q, which no rule group declares", in.Why, a))
			}
		}
		for _, m := range slices.Concat(in.SourceMatchers, in.TargetMatchers) {
			if strings.HasPrefix(strings.TrimSpace(m), "alertname") {
				errs = append(errs, fmt.Errorf("alertmanager: inhibition %q matches %s by text; name the alert in SourceAlerts, TargetAlerts or ExceptAlerts", in.Why, m))
			}
		}
		if len(in.source()) == 0 || len(in.target()) == 0 {
			errs = append(errs, fmt.Errorf("alertmanager: inhibition %q needs a source and a target", in.Why))
		}
	}
	for _, t := range c.InhibitTests {
		for _, a := range []string{t.Source["alertname"], t.Target["alertname"]} {
			if !declared[a] {
				errs = append(errs, fmt.Errorf("alertmanager: inhibition test %q names alert %q, which no rule group declares", t.Name, a))
			}
		}
	}
	return errors.Join(errs...)
}

// Receiver is where notifications go. Exactly one integration is set.
type Receiver struct {
	Name      string
	PagerDuty *PagerDuty
	Slack     *Slack
	Webhook   *Webhook
}

// PagerDuty pages through the Events API v2; the routing key is read from a file.
type PagerDuty struct{ RoutingKeyFile string }

// Slack posts to a channel; the incoming-webhook URL is read from a file.
type Slack struct {
	APIURLFile string
	Channel    string
}

// Webhook posts Alertmanager's JSON to a URL, or to the URL read from URLFile (a secret:
// a dead man's switch URL carries its token).
type Webhook struct {
	URL     string
	URLFile string
}

// RouteTest says which receivers an alert with these labels must reach.
type RouteTest struct {
	Labels    map[string]string
	Receivers []string
}

// InhibitTest says whether Target is muted while Source fires. The integration tests post
// both to the real Alertmanager of the local stack and read Target's status back.
type InhibitTest struct {
	Name      string
	Source    map[string]string
	Target    map[string]string
	Inhibited bool
}

// The rendered YAML, in Alertmanager's field names.
type fileConfig struct {
	Global       *global    `yaml:"global,omitempty"`
	Route        *route     `yaml:"route"`
	InhibitRules []inhibit  `yaml:"inhibit_rules,omitempty"`
	Receivers    []receiver `yaml:"receivers"`
}

type global struct {
	ResolveTimeout model.Duration `yaml:"resolve_timeout,omitempty"`
}

type route struct {
	Receiver       string         `yaml:"receiver,omitempty"`
	Matchers       []string       `yaml:"matchers,omitempty"`
	GroupBy        []string       `yaml:"group_by,omitempty"`
	GroupWait      model.Duration `yaml:"group_wait,omitempty"`
	GroupInterval  model.Duration `yaml:"group_interval,omitempty"`
	RepeatInterval model.Duration `yaml:"repeat_interval,omitempty"`
	Continue       bool           `yaml:"continue,omitempty"`
	Routes         []*route       `yaml:"routes,omitempty"`
}

type inhibit struct {
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal,omitempty"`
}

type receiver struct {
	Name      string      `yaml:"name"`
	PagerDuty []pagerduty `yaml:"pagerduty_configs,omitempty"`
	Slack     []slack     `yaml:"slack_configs,omitempty"`
	Webhook   []webhook   `yaml:"webhook_configs,omitempty"`
}

type pagerduty struct {
	RoutingKeyFile string `yaml:"routing_key_file"`
	SendResolved   bool   `yaml:"send_resolved"`
}

type slack struct {
	APIURLFile   string `yaml:"api_url_file"`
	Channel      string `yaml:"channel"`
	SendResolved bool   `yaml:"send_resolved"`
	Title        string `yaml:"title"`
	Text         string `yaml:"text"`
}

type webhook struct {
	URL          string `yaml:"url,omitempty"`
	URLFile      string `yaml:"url_file,omitempty"`
	SendResolved bool   `yaml:"send_resolved"`
}

// Render writes the configuration as alertmanager.yml and checks that Alertmanager itself
// loads it. header is a comment placed on top.
func (c Config) Render(header string) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	fc := fileConfig{Route: renderRoute(c.Route)}
	if c.ResolveTimeout > 0 {
		fc.Global = &global{ResolveTimeout: model.Duration(c.ResolveTimeout)}
	}
	for _, in := range c.Inhibit {
		fc.InhibitRules = append(fc.InhibitRules, inhibit{in.source(), in.target(), withCluster(in.Equal)})
	}
	for _, r := range c.Receivers {
		rr := receiver{Name: r.Name}
		switch {
		case r.PagerDuty != nil:
			rr.PagerDuty = []pagerduty{{RoutingKeyFile: r.PagerDuty.RoutingKeyFile, SendResolved: true}}
		case r.Slack != nil:
			rr.Slack = []slack{{
				APIURLFile: r.Slack.APIURLFile, Channel: r.Slack.Channel, SendResolved: true,
				Title: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} in {{ .CommonLabels.` + promql.ClusterLabel + ` }} ({{ .Alerts | len }})`,
				Text:  `{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }} <{{ .Annotations.runbook_url }}|runbook>{{ "\n" }}{{ end }}`,
			}}
		case r.Webhook != nil:
			rr.Webhook = []webhook{{URL: r.Webhook.URL, URLFile: r.Webhook.URLFile, SendResolved: true}}
		}
		fc.Receivers = append(fc.Receivers, rr)
	}
	var b bytes.Buffer
	if header != "" {
		for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
			fmt.Fprintf(&b, "# %s\n", l)
		}
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	if _, err := amconfig.Load(b.String()); err != nil {
		return nil, fmt.Errorf("alertmanager config does not load: %w", err)
	}
	return b.Bytes(), nil
}

// withCluster is labels with the cluster label (promql.ClusterLabel) first, unless they
// name it already: one Alertmanager may serve several clusters, and an inhibition or a
// group must never join alerts of two of them (a broker down in one cluster muting the
// under-replication of another).
func withCluster(labels []string) []string {
	if slices.Contains(labels, promql.ClusterLabel) || slices.Contains(labels, "...") {
		return labels
	}
	return append([]string{promql.ClusterLabel}, labels...)
}

// renderRoute renders a route; the root groups by the cluster whatever it declares, and a
// child route that groups by labels of its own does too.
func renderRoute(r Route) *route {
	return renderRouteAt(r, true)
}

func renderRouteAt(r Route, root bool) *route {
	groupBy := r.GroupBy
	if root || len(groupBy) > 0 {
		groupBy = withCluster(groupBy)
	}
	out := &route{
		Receiver: r.Receiver, Matchers: r.Matchers, GroupBy: groupBy, Continue: r.Continue,
		GroupWait: model.Duration(r.GroupWait), GroupInterval: model.Duration(r.GroupInterval), RepeatInterval: model.Duration(r.RepeatInterval),
	}
	for _, c := range r.Routes {
		out.Routes = append(out.Routes, renderRouteAt(c, false))
	}
	return out
}

// WithWebhooks returns a copy whose receivers post to the URL urls gives for their name:
// the local stack's stand-ins for paging and chat, which record what they are sent. Each
// receiver has its own endpoint, as in production, so that one can be cut off alone. A
// receiver without a URL is an error naming it.
func (c Config) WithWebhooks(urls map[string]string) (Config, error) {
	out := c
	out.Receivers = nil
	var missing []string
	for _, r := range c.Receivers {
		u, ok := urls[r.Name]
		if !ok {
			missing = append(missing, r.Name)
			continue
		}
		out.Receivers = append(out.Receivers, Receiver{Name: r.Name, Webhook: &Webhook{URL: u}})
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("alertmanager: no webhook URL for receivers %s", strings.Join(missing, ", "))
	}
	return out, nil
}

func (c Config) validate() error {
	names := map[string]bool{}
	for _, r := range c.Receivers {
		if names[r.Name] {
			return fmt.Errorf("alertmanager: receiver %q declared twice", r.Name)
		}
		names[r.Name] = true
		n := 0
		for _, set := range []bool{r.PagerDuty != nil, r.Slack != nil, r.Webhook != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("alertmanager: receiver %q needs exactly one integration, has %d", r.Name, n)
		}
	}
	if c.Route.Receiver == "" {
		return fmt.Errorf("alertmanager: the root route needs a default receiver")
	}
	for _, t := range c.Tests {
		for _, r := range t.Receivers {
			if !names[r] {
				return fmt.Errorf("alertmanager: route test %v expects unknown receiver %q", t.Labels, r)
			}
		}
	}
	return nil
}

// MayMute lists the inhibitions (by Why) whose target matchers match an alert with these
// labels: the rules that could mute it while some source fires. A heartbeat must have none.
func (c Config) MayMute(alert map[string]string) ([]string, error) {
	ls := model.LabelSet{}
	for k, v := range alert {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	var out []string
	for _, in := range c.Inhibit {
		ms, err := parseMatchers(in.target())
		if err != nil {
			return nil, fmt.Errorf("alertmanager: inhibition %q: %w", in.Why, err)
		}
		if ms.Matches(ls) {
			out = append(out, in.Why)
		}
	}
	return out, nil
}

func parseMatchers(ss []string) (amlabels.Matchers, error) {
	var out amlabels.Matchers
	for _, s := range ss {
		m, err := amlabels.ParseMatcher(s)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
