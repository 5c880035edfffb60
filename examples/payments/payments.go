package main

import (
	"time"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// API is the payments API: the component that exports the metric, and the job label
// Prometheus gives its targets.
const API stack.Component = "payments-api"

// The metrics, as the API exports them.
var (
	RequestsFailed = &metric.Metric{
		Name: "payments_api_requests_failed_total", Type: metric.Counter, Labels: []string{"route"},
		Exporter: []stack.Component{API},
		Help:     "Payment requests the API answered with an error, by route.",
	}
	// Up is Prometheus' own series of every scrape target: the board's job and instance
	// variables list the targets from it.
	Up = &metric.Metric{
		Name: "up", Type: metric.Gauge, Exporter: []stack.Component{stack.Prometheus},
		Help: "1 when the last scrape of the target succeeded.",
	}
)

// Catalog is every metric the rules and the board may name; the lint rejects any other.
func Catalog() (*metric.Catalog, error) { return metric.New(RequestsFailed, Up) }

// The signal: failed payment requests per second, per instance in the alert. The panel
// that shows it draws its level, so the alert and the panel agree on the threshold.
var (
	FailedRequests = &signal.Signal{
		Name:        "failed requests/s",
		Description: "Payment requests per second the API answered with an error.",
		Unit:        signal.ReqsPerSec,
		By:          []string{"instance"},
		Expr:        promql.Sum(promql.Rate(promql.Select(RequestsFailed), promql.Window), promql.Grouped),
		Resolution:  0.01,
	}
	// Failing is the level the alert fires on: more than one failed request a second.
	Failing = FailedRequests.Above(signal.Critical, 1)
)

// FailedRequestsPanel shows the signal by route, with the alert's level; the alert links to it.
var FailedRequestsPanel = grafana.TimeSeries("Failed requests",
	"Payment requests per second the API answered with an error, by route. Above 1/s for 5 minutes on an instance, PaymentsAPIFailing pages.",
	FailedRequests.GroupBy("route").Legend("{{route}}")).Span(24)

// Board is the payments dashboard.
var Board = grafana.Board{
	Name: "payments", Folder: "Payments", Title: "Payments API",
	Description: "The payments API: the requests it fails.",
	Jobs:        []stack.Component{API},
	Rows: []grafana.Row{
		{Title: "Overview", Panels: []*grafana.Panel{
			grafana.Stat("Failed requests/s", "Payment requests per second the API fails, all instances.",
				FailedRequests.Total().Legend("failed")),
		}},
		{Title: "Errors", Panels: []*grafana.Panel{FailedRequestsPanel}},
	},
}

// target is one instance of the API, as the tests' input series carry it.
var target = rules.Target(API, "payments-api-1:8080")

// PaymentsAPIFailing pages when the API fails payments.
var PaymentsAPIFailing = rules.Alert{
	Name: "PaymentsAPIFailing", When: Failing, For: 5 * time.Minute, Panel: FailedRequestsPanel,
	Summary:     "The payments API fails more than one request a second.",
	Description: "{{ $labels.instance }} fails {{ $value | humanize }} payment requests per second.",
	Runbook: rules.Runbook{
		Meaning:    "For five minutes, an instance of the payments API answered more than one request a second with an error.",
		Impact:     "Customers' payments are refused or must be retried; revenue is lost while it lasts.",
		Diagnosis:  []string{"Open the panel (dashboard_url): which routes fail, on one instance or all of them.", "Read the API's logs for the errors of those routes; check what it depends on (database, payment provider)."},
		Mitigation: []string{"One instance: take it out of the load balancer and restart it.", "All of them: roll back the last deployment, or fail over the dependency at fault."},
	},
	Tests: []rules.Test{
		{Name: "3 failures a second", At: 15 * time.Minute,
			Fires: []rules.Firing{{Labels: target.Keep("instance"), Value: 3}}, Series: []rules.Series{
				target.With("route", "/pay").Series(RequestsFailed, "0+180x20"),
			}},
		{Name: "a failure a minute", At: 15 * time.Minute, Series: []rules.Series{
			target.With("route", "/pay").Series(RequestsFailed, "0+1x20"),
		}},
	},
}

// Group is the rule group of the payments API: one rule file, one test file.
var Group = rules.Group{
	Name: "payments-api", Component: string(API),
	Alerts: []rules.Alert{PaymentsAPIFailing},
}
