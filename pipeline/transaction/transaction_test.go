package transaction

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func sample() Transaction {
	id, _ := ParseUUID("0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a10")
	return Transaction{
		TransactionID: id, UserID: 4821, MerchantID: 42, Amount: 123_45, Currency: "USD",
		TransactionType: Purchase, PaymentMethod: CreditCard, Location: "US",
		IsInternational: false, TransactionTime: 1764111600123,
	}
}

const sampleJSON = `{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a10","userId":"U0004821","merchantId":"M00042",` +
	`"amount":123.45,"currency":"USD","transactionType":"purchase","paymentMethod":"credit_card",` +
	`"location":"US","isInternational":false,"transactionTime":1764111600123}`

func TestEncodeGolden(t *testing.T) {
	tx := sample()
	got := string(tx.AppendJSON(nil))
	if got != sampleJSON {
		t.Fatalf("AppendJSON\n got %s\nwant %s", got, sampleJSON)
	}
	m, _ := json.Marshal(tx)
	if string(m) != sampleJSON {
		t.Fatalf("json.Marshal differs from AppendJSON: %s", m)
	}
	if !json.Valid([]byte(got)) {
		t.Fatal("invalid JSON")
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tx := range []Transaction{sample(), func() Transaction {
		x := sample()
		x.Amount, x.IsInternational, x.UserID, x.MerchantID = 1, true, MaxUserID, MaxMerchantID
		return x
	}(), func() Transaction { x := sample(); x.Amount = MaxAmount; return x }()} {
		var back Transaction
		if err := json.Unmarshal(tx.AppendJSON(nil), &back); err != nil {
			t.Fatal(err)
		}
		if back != tx {
			t.Fatalf("round trip: got %+v want %+v", back, tx)
		}
	}
}

// The old producers' mistakes must not decode.
func TestDecodeRejects(t *testing.T) {
	for name, bad := range map[string]string{
		"boolean as string": strings.Replace(sampleJSON, `"isInternational":false`, `"isInternational":"false"`, 1),
		"time in seconds":   strings.Replace(sampleJSON, `1764111600123`, `1764111600`, 1),
		"time as float":     strings.Replace(sampleJSON, `1764111600123`, `1.764111600123e12`, 1),
		"time as string":    strings.Replace(sampleJSON, `1764111600123`, `"1764111600123"`, 1),
		"amount 3 places":   strings.Replace(sampleJSON, `123.45`, `123.456`, 1),
		"amount exponent":   strings.Replace(sampleJSON, `123.45`, `1.2345e2`, 1),
		"amount as string":  strings.Replace(sampleJSON, `123.45`, `"123.45"`, 1),
		"amount negative":   strings.Replace(sampleJSON, `123.45`, `-1.00`, 1),
		"merchant unpadded": strings.Replace(sampleJSON, `M00042`, `M42`, 1),
		"merchant int":      strings.Replace(sampleJSON, `"M00042"`, `42`, 1),
		"user other format": strings.Replace(sampleJSON, `U0004821`, `user_4821`, 1),
		"uuid no dashes":    strings.Replace(sampleJSON, `0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a10`, `0b0e4a5c2f0e4c4e9a436f9e2f1d7a10`, 1),
		"unknown type":      strings.Replace(sampleJSON, `purchase`, `PURCHASE`, 1),
		"lower currency":    strings.Replace(sampleJSON, `"USD"`, `"usd"`, 1),
		"missing field":     strings.Replace(sampleJSON, `"location":"US",`, ``, 1),
		"not an object":     `[]`,
	} {
		var tx Transaction
		if err := json.Unmarshal([]byte(bad), &tx); err == nil {
			t.Errorf("%s: decoded %s without error", name, bad)
		}
	}
}

func TestAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Amount
		out  string
	}{
		{"0", 0, "0.00"}, {"0.01", 1, "0.01"}, {"12.3", 12_30, "12.30"}, {"12", 12_00, "12.00"},
		{"10000.00", AnomalyThreshold, "10000.00"}, {"9999999999999999.99", MaxAmount, "9999999999999999.99"},
		{"-5.05", -5_05, "-5.05"},
	} {
		a, err := ParseAmount(c.in)
		if err != nil || a != c.want || a.String() != c.out {
			t.Errorf("ParseAmount(%q) = %d (%s), %v; want %d (%s)", c.in, a, a, err, c.want, c.out)
		}
	}
	for _, bad := range []string{"", ".5", "5.", "1.234", "1e3", "0x10", "1,00", "--1", "12345678901234567"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
	// Summing cents is exact where float64 drifts: 0.10 ten million times.
	var sum Amount
	for i := 0; i < 10_000_000; i++ {
		sum += 10
	}
	if sum.String() != "1000000.00" {
		t.Fatalf("sum = %s", sum)
	}
}

func TestIDs(t *testing.T) {
	if s := MerchantID(42).String(); s != "M00042" {
		t.Fatal(s)
	}
	if s := UserID(7).String(); s != "U0000007" {
		t.Fatal(s)
	}
	if s := MaxMerchantID.String(); len(s) != 6 {
		t.Fatal(s)
	}
	u := UUID{0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	back, err := ParseUUID(strings.ToUpper(u.String()))
	if err != nil || back != u {
		t.Fatalf("UUID round trip: %v %v", back, err)
	}
}

func TestAnomalyRule(t *testing.T) {
	tx := sample()
	tx.Amount = AnomalyThreshold - 1
	if tx.IsAnomalous() {
		t.Fatal("9999.99 is not anomalous")
	}
	tx.Amount = AnomalyThreshold
	if !tx.IsAnomalous() {
		t.Fatal("10000.00 is anomalous")
	}
}

func TestAppendJSONNoAlloc(t *testing.T) {
	tx := sample()
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(1000, func() { buf = tx.AppendJSON(buf[:0]) }); n != 0 {
		t.Fatalf("AppendJSON allocates %v times per record", n)
	}
}

func TestEscaping(t *testing.T) {
	tx := sample()
	tx.Location = "a\"b\\c\n" // invalid by contract, but the encoding must still be JSON
	if !json.Valid(tx.AppendJSON(nil)) {
		t.Fatal("escaping produced invalid JSON")
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	tx := sample()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = tx.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

func TestNumbers(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 99, 100, 101, 999, 1000, 1764111600123, 9999999999999, 1 << 63, 1<<64 - 1} {
		var p [24]byte
		n := putUint(p[:], v)
		if got, want := string(p[:n]), strconv.FormatUint(v, 10); got != want {
			t.Errorf("putUint(%d) = %q", v, got)
		}
	}
	for _, a := range []Amount{0, 1, 10, 99, 100, 12345, -5, -12345, MaxAmount, -MaxAmount} {
		var p [24]byte
		if got, want := string(p[:a.put(p[:])]), a.String(); got != want {
			t.Errorf("put(%d) = %q, want %q", a, got, want)
		}
	}
	tx := sample()
	tx.TransactionTime = -1 // invalid, but still valid JSON
	if !json.Valid(tx.AppendJSON(nil)) {
		t.Fatal("negative time")
	}
}
