package integration

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pipeline/transaction"
)

// registerAvro registers the transaction schema under subject in the stack's registry, as
// the producer does at start, and returns its id; the subject is deleted after the test.
func registerAvro(t *testing.T, subject string) uint32 {
	t.Helper()
	url := stacktest.Local(t).RegistryURL()
	cl, err := schemas.NewClient(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	want := schemas.Transactions
	want.Subject = subject
	res, err := schemas.Ensure(ctx, cl, want)
	if err != nil {
		t.Fatalf("register the transaction schema at %s (the stack runs the registry; FINOBS_REGISTRY=0 leaves it out): %v", url, err)
	}
	t.Cleanup(func() {
		cl.DeleteSubject(context.Background(), subject, sr.SoftDelete)
		cl.DeleteSubject(context.Background(), subject, sr.HardDelete)
	})
	return uint32(res.ID)
}

// badAvro are records the Avro path must set aside, and why: not the wire format, a schema
// id the job does not decode, a body that does not decode, and a decoded value that breaks
// the contract (time in seconds).
func badAvro(t *testing.T, id uint32) map[string]string {
	t.Helper()
	tx := transaction.Transaction{TransactionID: transaction.UUID{0xab}, UserID: 1, MerchantID: 1, Amount: 1000,
		Currency: "USD", TransactionType: transaction.Purchase, PaymentMethod: transaction.CreditCard, Location: "US",
		TransactionTime: 1764111600123}
	other, err := tx.AppendAvro(nil, id+1000)
	if err != nil {
		t.Fatal(err)
	}
	seconds := tx
	seconds.TransactionTime = 1764111600
	secs, err := seconds.AppendAvro(nil, id)
	if err != nil {
		t.Fatal(err)
	}
	header := binary.BigEndian.AppendUint32([]byte{0}, id)
	return map[string]string{
		"":            "empty value",
		"hello":       "not the registry wire format: no magic byte 0 and 4-byte schema id",
		string(other): fmt.Sprintf("unknown schema id %d (the job decodes schema id %d)", id+1000, id),
		// A string of length -1 where transactionId starts.
		string(append(header, 0x01)): fmt.Sprintf("undecodable Avro body for schema id %d", id),
		string(secs):                 "transactionTime: not epoch milliseconds in [2000, 2100)",
	}
}
