package signals

import (
	"testing"

	"github.com/finobs/finobs/consumergroups"
)

// The stream job's group pages after the query's own lag alert warns, and not within the
// freshness objective: its level in time is above both.
func TestStreamGroupLevel(t *testing.T) {
	lag := consumergroups.Declared.Lag(consumergroups.Stream).Seconds
	if warn := StreamLagging.Level().Value; lag <= warn {
		t.Errorf("the stream group's level %gs is not above StreamLagging's %gs", lag, warn)
	}
	if lag <= FreshnessObjective.Seconds() {
		t.Errorf("the stream group's level %gs is within the freshness objective %s", lag, FreshnessObjective)
	}
}
