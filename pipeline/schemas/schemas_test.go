package schemas

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pipeline/transaction"
)

func TestFieldChanges(t *testing.T) {
	changed := strings.Replace(transaction.AvroSchema,
		`{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}}`,
		`{"name":"amount","type":"string"}`, 1)
	removed := strings.Replace(transaction.AvroSchema, `{"name":"location","type":"string","doc":"ISO 3166-1 alpha-2"},`, "", 1)
	added := strings.Replace(transaction.AvroSchema, `{"name":"isInternational","type":"boolean"},`,
		`{"name":"isInternational","type":"boolean"},{"name":"channel","type":"string"},{"name":"note","type":"string","default":""},`, 1)
	for _, c := range []struct {
		name, schema string
		want         []string
	}{
		{"same", transaction.AvroSchema, nil},
		{"amount to string", changed, []string{`amount: type "bytes" (decimal) -> "string"`}},
		{"location removed", removed, []string{`location: removed (was "string")`}},
		{"fields added", added, []string{`channel: added without a default ("string")`, `note: added with a default ("string")`}},
	} {
		got := FieldChanges(transaction.AvroSchema, c.schema)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := FieldChanges(transaction.AvroSchema, "{"); len(got) != 1 || !strings.Contains(got[0], "cannot compare") {
		t.Errorf("bad schema: %q", got)
	}
}
