package stream

import (
	"strings"
	"testing"
)

func TestReasonSQLShape(t *testing.T) {
	r := reasonSQL()
	if !strings.HasPrefix(r, "CASE WHEN transactionId IS NOT NULL AND ") || !strings.HasSuffix(r, " END") {
		t.Fatalf("reason SQL: %s", r)
	}
	// Every field has a diagnosis, and the valid branch comes first.
	for _, f := range fields() {
		if !strings.Contains(r, "WHEN "+f.name+" IS NULL THEN") {
			t.Errorf("no reason for a missing %s", f.name)
		}
	}
}
