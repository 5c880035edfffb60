package sparkconnect

import (
	"errors"
	"testing"
)

func TestQueryGone(t *testing.T) {
	gone := errors.New("sparkconnect: query transactions: [INTERNAL_ERROR] [INTERNAL_ERROR] Streaming query f9daeee4-8cdf-499d-8054-b1a6b44115f5 is not found SQLSTATE: XX000. SQLSTATE: XX000")
	if !QueryGone(gone) {
		t.Errorf("QueryGone(%v) = false, want true", gone)
	}
	for _, err := range []error{nil, errors.New("sparkconnect: query transactions: [Unavailable] connection refused")} {
		if QueryGone(err) {
			t.Errorf("QueryGone(%v) = true, want false", err)
		}
	}
}
