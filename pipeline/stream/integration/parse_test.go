package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pipeline/generator"
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pipeline/transaction"
)

// TestParseAgreesWithGo runs the job's parsing and validation on Spark over good and bad
// records and checks that Spark and transaction.UnmarshalJSON agree on what is valid, and that
// each bad record gets the expected reason.
func TestParseAgreesWithGo(t *testing.T) {
	s := stacktest.Spark(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	g, err := generator.New(generator.Config{Seed: 7, AnomalyRate: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	var tx transaction.Transaction
	g.Next(&tx)
	good := string(tx.AppendJSON(nil))
	mut := func(field string, v any) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(good), &m); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			delete(m, field)
		} else {
			m[field] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := []struct{ raw, reason string }{
		{good, ""},
		{`{"transactionId": "x"`, "malformed JSON: not a JSON object"},
		{`not json at all`, "malformed JSON: not a JSON object"},
		{`[1,2]`, "malformed JSON: not a JSON object"},
		{mut("amount", nil), "amount: missing or null"},
		{mut("amount", "12.50"), "amount: negative or a string"},
		{mut("amount", "abc"), "amount: not a decimal(18,2)"},
		{mut("amount", -5), "amount: negative or a string"},
		{mut("isInternational", "true"), "isInternational: not a boolean"},
		{mut("transactionTime", 1764111600), "transactionTime: not epoch milliseconds in [2000, 2100)"},
		{mut("transactionTime", "soon"), "transactionTime: not a bigint"},
		{mut("merchantId", "42"), `merchantId: not "M" and 5 digits`},
		{mut("transactionId", "1234"), "transactionId: not a UUID"},
		{mut("currency", "usd"), "currency: not an ISO 4217 code"},
		{mut("paymentMethod", "cash"), "paymentMethod: unknown"},
		{mut("userId", nil), "userId: missing or null"},
	}
	var rows []string
	for _, c := range cases {
		rows = append(rows, "("+quote(c.raw)+")")
	}
	df, err := s.Sql(ctx, "SELECT * FROM VALUES "+strings.Join(rows, ", ")+" AS v(raw)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := stream.Parse(ctx, df)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := stream.Classify(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// The aggregates' filter (validSQL) and the screening's verdict (reasonSQL) must agree.
	out, err := parsed.SelectExpr(ctx, "raw", "reason", "coalesce("+stream.ValidSQL()+", false) AS valid")
	if err != nil {
		t.Fatal(err)
	}
	got, err := out.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, r := range got {
		reason, _ := r.At(1).(string)
		reasons[r.At(0).(string)] = reason
		if valid := r.At(2).(bool); valid != (reason == "") {
			t.Errorf("%s: valid=%v but reason %q", r.At(0), valid, reason)
		}
	}
	for _, c := range cases {
		reason, ok := reasons[c.raw]
		if !ok {
			t.Errorf("%s: no row", c.raw)
			continue
		}
		if reason != c.reason {
			t.Errorf("%s: reason %q, want %q", c.raw, reason, c.reason)
		}
		var tx transaction.Transaction
		goErr := tx.UnmarshalJSON([]byte(c.raw))
		if (goErr == nil) != (reason == "") {
			t.Errorf("%s: Spark reason %q, Go error %v: they disagree", c.raw, reason, goErr)
		}
	}
}
