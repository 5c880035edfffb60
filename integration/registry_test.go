package integration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/pipeline/transaction"
)

// registryClient is a client of the stack's registry, failing the test when it does not answer.
func registryClient(t *testing.T) *sr.Client {
	t.Helper()
	url := stacktest.Local(t).RegistryURL()
	cl, err := schemas.NewClient(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cl.Subjects(ctx); err != nil {
		t.Fatalf("schema registry at %s does not answer (start the stack; FINOBS_REGISTRY=0 leaves it out): %v", url, err)
	}
	return cl
}

// TestEnsureSchema: against the real registry (Apicurio), the registration step creates the
// subject with its level, leaves it alone the second time, registers a compatible new
// version, and refuses an incompatible one naming the field, registering nothing.
func TestEnsureSchema(t *testing.T) {
	t.Parallel()
	cl := registryClient(t)
	ctx := context.Background()
	want := schemas.Transactions
	want.Subject = fmt.Sprintf("finobs-test-%d-value", time.Now().UnixNano()) // a subject of this run's own
	t.Cleanup(func() {
		cl.DeleteSubject(ctx, want.Subject, sr.SoftDelete)
		cl.DeleteSubject(ctx, want.Subject, sr.HardDelete)
	})

	step := func(w schemas.Want, outcome schemas.Outcome) schemas.Result {
		t.Helper()
		plan, err := schemas.Plan(ctx, cl, w)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		res, err := schemas.Ensure(ctx, cl, w)
		if err != nil {
			t.Fatalf("ensure: %v", err)
		}
		t.Logf("plan %s; ensure %s", plan, res)
		if plan.Outcome != outcome || res.Outcome != outcome {
			t.Fatalf("plan %s, ensure %s; want %s", plan.Outcome, res.Outcome, outcome)
		}
		return res
	}
	first := step(want, schemas.Create)
	if first.ID == 0 || first.Version != 1 {
		t.Fatalf("created %+v, want version 1 with an id", first)
	}
	if lvl := cl.Compatibility(ctx, want.Subject)[0]; lvl.Err != nil || lvl.Level != sr.CompatFull {
		t.Fatalf("level of %s: %v %v, want FULL", want.Subject, lvl.Level, lvl.Err)
	}
	again := step(want, schemas.Unchanged)
	if again.ID != first.ID {
		t.Fatalf("unchanged schema has id %d, first %d", again.ID, first.ID)
	}

	// A field with a default: FULL takes it.
	added := want
	added.Schema.Schema = strings.Replace(transaction.AvroSchema, `{"name":"isInternational","type":"boolean"},`,
		`{"name":"isInternational","type":"boolean"},{"name":"channel","type":"string","default":"web"},`, 1)
	second := step(added, schemas.Change)
	if second.Version != 2 || second.ID == first.ID {
		t.Fatalf("new version %+v after %+v", second, first)
	}

	// amount from a decimal to a double: refused, by the registry, naming the field. (Not to a
	// string: Avro's resolution promotes bytes to string and back, so the registry takes it.)
	bad := added
	bad.Schema.Schema = strings.Replace(added.Schema.Schema,
		`{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}}`, `{"name":"amount","type":"double"}`, 1)
	for name, f := range map[string]func(context.Context, *sr.Client, schemas.Want) (schemas.Result, error){"plan": schemas.Plan, "ensure": schemas.Ensure} {
		_, err := f(ctx, cl, bad)
		var inc *schemas.IncompatibleError
		if !errors.As(err, &inc) {
			t.Fatalf("%s of amount as a double: err = %v, want an IncompatibleError", name, err)
		}
		t.Logf("%s refused: %v", name, err)
		if !strings.Contains(err.Error(), `amount: type "bytes" (decimal) -> "double"`) || inc.Version != 2 {
			t.Fatalf("%s: refusal does not name the field against version 2: %v", name, err)
		}
	}
	vs, err := cl.SubjectVersions(ctx, want.Subject)
	if err != nil || len(vs) != 2 {
		t.Fatalf("after the refusal %s has versions %v (%v), want [1 2]", want.Subject, vs, err)
	}
}
