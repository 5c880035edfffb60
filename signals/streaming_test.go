package signals_test

import (
	"testing"

	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/signals"
)

// The data-loss signal selects the class the driver counts a data loss as.
func TestDataLossClass(t *testing.T) {
	if signals.DataLossClass != string(stream.FailDataLoss) {
		t.Errorf("signals.DataLossClass %q, the driver counts %q", signals.DataLossClass, stream.FailDataLoss)
	}
}
