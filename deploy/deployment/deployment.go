// Package deployment declares, once, the addresses where the people using a deployment
// reach it: Grafana (the dashboard_url of alerts), the runbook pages (runbook_url), and
// the external URLs of Prometheus and Alertmanager (the links they put in alerts and
// notifications). Each stack has defaults; FINOBS_<STACK>_<WHAT>_URL overrides one, e.g.
// FINOBS_COMPOSE_GRAFANA_URL=https://grafana.example.org for a Compose stack behind a proxy.
package deployment

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/finobs/finobs/pkg/stack"
)

// URLs are the user-facing addresses of one deployment.
type URLs struct {
	Stack        string // "compose" or "local"
	Grafana      string // dashboard_url starts with it
	Runbooks     string // runbook_url is Runbooks + alert + ".md"; ends with "/"
	Prometheus   string // --web.external-url of Prometheus
	Alertmanager string // --web.external-url of Alertmanager
}

// RunbookURL is the runbook_url of an alert in this deployment.
func (u URLs) RunbookURL(alert string) string { return u.Runbooks + alert + ".md" }

// Setting names one URL and the variable that overrides it.
type Setting struct {
	What string // "grafana", ...
	Env  string // FINOBS_COMPOSE_GRAFANA_URL
	ptr  *string
}

// Settings lists the URLs of u with their variables, in a fixed order.
func (u *URLs) Settings() []Setting {
	env := func(what string) string {
		return "FINOBS_" + strings.ToUpper(u.Stack) + "_" + strings.ToUpper(what) + "_URL"
	}
	return []Setting{
		{"grafana", env("grafana"), &u.Grafana},
		{"runbooks", env("runbooks"), &u.Runbooks},
		{"prometheus", env("prometheus"), &u.Prometheus},
		{"alertmanager", env("alertmanager"), &u.Alertmanager},
	}
}

// RunbooksPath is where the runbook pages are served, in both stacks.
const RunbooksPath = "/runbooks/"

// Defaults are the addresses on the machine running the stack: Compose publishes its
// ports on stack.PublishedHost, the native stack listens on loopback. The native stack
// runs no Grafana: its dashboard links point where the Compose one (or a user's own,
// provisioned from deploy/grafana) answers. Runbooks are served by the runbooks service
// under Compose and by the webhook natively.
func Defaults(st stack.Stack) URLs {
	published := func(c stack.Component, port string, fallback int) string {
		p := fallback
		if is := st.Of(c); len(is) == 1 {
			p = is[0].HostPort(port)
		}
		return "http://" + net.JoinHostPort(stack.PublishedHost, strconv.Itoa(p))
	}
	runbooks := stack.Runbooks
	if st.Count(runbooks) == 0 {
		runbooks = stack.Webhook
	}
	return URLs{
		Stack:        st.Name,
		Grafana:      published(stack.Grafana, stack.PortHTTP, 3000),
		Runbooks:     published(runbooks, stack.PortHTTP, 0) + RunbooksPath,
		Prometheus:   published(stack.Prometheus, stack.PortMetrics, 0),
		Alertmanager: published(stack.Alertmanager, stack.PortMetrics, 0),
	}
}

// For returns the URLs of a stack: its defaults, each overridden by its variable when
// getenv (os.Getenv when nil) returns one. A value that is not an absolute http(s) URL is
// an error naming the variable.
func For(st stack.Stack, getenv func(string) string) (URLs, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	u := Defaults(st)
	for _, s := range u.Settings() {
		if v := getenv(s.Env); v != "" {
			*s.ptr = v
		}
		if err := check(*s.ptr); err != nil {
			return URLs{}, fmt.Errorf("deployment %s: %s URL (%s): %w", st.Name, s.What, s.Env, err)
		}
	}
	u.Grafana = strings.TrimRight(u.Grafana, "/")
	u.Prometheus = strings.TrimRight(u.Prometheus, "/")
	u.Alertmanager = strings.TrimRight(u.Alertmanager, "/")
	if !strings.HasSuffix(u.Runbooks, "/") {
		u.Runbooks += "/"
	}
	return u, nil
}

func check(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: a base URL takes no query or fragment", s)
	}
	return nil
}

var describe = map[string]string{
	"grafana":      "Grafana base URL (dashboard_url of alerts)",
	"runbooks":     "base URL of the runbook pages (runbook_url = base + ALERT.md)",
	"prometheus":   "Prometheus --web.external-url (links in alerts)",
	"alertmanager": "Alertmanager --web.external-url (links in notifications)",
}

// Help describes the variables, for --help texts.
func Help() string {
	var b strings.Builder
	for _, name := range []string{"compose", "local"} {
		u := URLs{Stack: name}
		for _, s := range u.Settings() {
			fmt.Fprintf(&b, "  %-34s %s stack: %s\n", s.Env, name, describe[s.What])
		}
	}
	return b.String()
}
