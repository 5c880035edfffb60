package alerts

import (
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/signals"
)

// The SLOs' recording rules and burn-rate alerts: pkg/slo renders them from the
// declarations in signals/slo.go. The streaming query's lag alerts are in lag.go.
var (
	FreshnessSLO    = signals.Freshness.Group("pipeline", dashboards.FreshnessSLOPanels.Burn)
	CompletenessSLO = signals.Completeness.Group("pipeline", dashboards.CompletenessSLOPanels.Burn)
)
