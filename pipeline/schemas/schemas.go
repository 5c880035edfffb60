// Package schemas keeps a schema registered under its subject with a compatibility level,
// over the Confluent schema-registry API (franz-go's sr client; Apicurio serves it at
// /apis/ccompat/v7). It is one provisioning step: Plan says what Ensure would do, Ensure
// does it, and both refuse a schema the subject's rule would not take, naming the fields.
package schemas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/pipeline/transaction"
)

// Want is a subject as it should be: its latest schema and its compatibility level.
type Want struct {
	Subject string
	Schema  sr.Schema
	Compat  sr.CompatibilityLevel
}

// Outcome is what Ensure did (or, from Plan, would do).
type Outcome string

const (
	Create    Outcome = "create"    // the subject did not exist: its first version
	Unchanged Outcome = "unchanged" // the schema is registered already, the level is right
	Change    Outcome = "change"    // a new version, or a new compatibility level, or both
)

// Result is the subject after Ensure (or as Plan found it).
type Result struct {
	Subject string
	Outcome Outcome
	ID      int // the schema's global id; 0 from Plan when it is not registered yet
	Version int // its version under the subject; 0 likewise
	Latest  int // the subject's latest version, when the schema is an older one
	// What changes, for Change: "version" and/or "compatibility NONE -> FULL".
	Changes []string
}

func (r Result) String() string {
	s := fmt.Sprintf("%s: %s", r.Subject, r.Outcome)
	if len(r.Changes) > 0 {
		s += " (" + strings.Join(r.Changes, ", ") + ")"
	}
	if r.ID != 0 {
		s += fmt.Sprintf(", schema id %d version %d", r.ID, r.Version)
	}
	return s
}

// IncompatibleError is the registry's refusal of a schema: the subject's rule does not take
// it as the next version. Fields names what differs from the registered version.
type IncompatibleError struct {
	Subject  string
	Compat   sr.CompatibilityLevel
	Version  int      // the registered version it was checked against
	Fields   []string // per field: `amount: type "bytes" (decimal) -> "string"`
	Messages []string // the registry's own reasons, when it gives them
}

func (e *IncompatibleError) Error() string {
	s := fmt.Sprintf("schema for %s is incompatible with its registered version %d under %s compatibility", e.Subject, e.Version, e.Compat)
	if len(e.Fields) > 0 {
		s += ": " + strings.Join(e.Fields, "; ")
	}
	if len(e.Messages) > 0 {
		s += " (registry: " + strings.Join(e.Messages, "; ") + ")"
	}
	return s
}

// Plan reports what Ensure would do, writing nothing. It fails with an *IncompatibleError
// when the subject's level (or want's, if that is to change) refuses the schema.
func Plan(ctx context.Context, cl *sr.Client, want Want) (Result, error) {
	return run(ctx, cl, want, false)
}

// Ensure registers want.Schema as the latest version of want.Subject and sets the
// subject's compatibility level to want.Compat, each only when needed. It checks the
// schema against the latest registered version first, under want.Compat, and registers
// nothing when the check fails (an *IncompatibleError). Running it twice is Unchanged.
func Ensure(ctx context.Context, cl *sr.Client, want Want) (Result, error) {
	return run(ctx, cl, want, true)
}

func run(ctx context.Context, cl *sr.Client, want Want, apply bool) (Result, error) {
	res := Result{Subject: want.Subject}
	if want.Subject == "" || want.Schema.Schema == "" {
		return res, errors.New("schemas: a subject and a schema are required")
	}
	versions, err := cl.SubjectVersions(ctx, want.Subject)
	if err != nil && !notFound(err) {
		return res, fmt.Errorf("schemas: versions of %s: %w", want.Subject, err)
	}
	if len(versions) == 0 {
		res.Outcome = Create
		if !apply {
			return res, nil
		}
		// The level first, so that the subject never holds a version under another rule.
		if err := setCompat(ctx, cl, want); err != nil {
			return res, err
		}
		ss, err := cl.CreateSchema(ctx, want.Subject, want.Schema)
		if err != nil {
			return res, fmt.Errorf("schemas: register %s: %w", want.Subject, err)
		}
		res.ID, res.Version = ss.ID, ss.Version
		return res, nil
	}

	level, err := subjectCompat(ctx, cl, want.Subject)
	if err != nil {
		return res, err
	}
	if level != want.Compat {
		res.Changes = append(res.Changes, fmt.Sprintf("compatibility %s -> %s", level, want.Compat))
	}
	ss, err := cl.LookupSchema(ctx, want.Subject, want.Schema)
	switch {
	case err == nil:
		res.ID, res.Version = ss.ID, ss.Version
		// Registered as an older version (a newer one came after it): its id stays valid
		// for writing, and nothing is registered again.
		res.Latest = slices.Max(versions)
	case notFound(err):
		// The registry checks under the subject's level: the level wanted is set first, so
		// that the check is the one the new version must pass (Plan checks under the level
		// in force, and says when that is to change).
		if apply && level != want.Compat {
			if err := setCompat(ctx, cl, want); err != nil {
				return res, err
			}
			level = want.Compat
		}
		if err := check(ctx, cl, want, slices.Max(versions)); err != nil {
			return res, err
		}
		res.Changes = append(res.Changes, "new version")
	default:
		return res, fmt.Errorf("schemas: look up the schema in %s: %w", want.Subject, err)
	}
	if len(res.Changes) == 0 {
		res.Outcome = Unchanged
		return res, nil
	}
	res.Outcome = Change
	if !apply {
		return res, nil
	}
	if level != want.Compat {
		if err := setCompat(ctx, cl, want); err != nil {
			return res, err
		}
	}
	if res.ID == 0 {
		ss, err := cl.CreateSchema(ctx, want.Subject, want.Schema)
		if err != nil {
			return res, fmt.Errorf("schemas: register %s: %w", want.Subject, err)
		}
		res.ID, res.Version = ss.ID, ss.Version
	}
	return res, nil
}

// check asks the registry whether want.Schema may follow the latest version under
// want.Compat. The registry checks under the subject's level; when that is to change,
// the verdict of want.Compat is what matters, so the level is compared by fields as well.
func check(ctx context.Context, cl *sr.Client, want Want, latest int) error {
	got, err := cl.CheckCompatibility(sr.WithParams(ctx, sr.Verbose), want.Subject, -1, want.Schema)
	if err != nil {
		return fmt.Errorf("schemas: compatibility check of %s: %w", want.Subject, err)
	}
	if got.Is {
		return nil
	}
	e := &IncompatibleError{Subject: want.Subject, Compat: want.Compat, Version: latest, Messages: got.Messages}
	if reg, err := cl.SchemaByVersion(ctx, want.Subject, latest); err == nil {
		e.Fields = FieldChanges(reg.Schema.Schema, want.Schema.Schema)
	}
	return e
}

func subjectCompat(ctx context.Context, cl *sr.Client, subject string) (sr.CompatibilityLevel, error) {
	r := cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), subject)[0]
	if r.Err != nil {
		return 0, fmt.Errorf("schemas: compatibility level of %s: %w", subject, r.Err)
	}
	return r.Level, nil
}

func setCompat(ctx context.Context, cl *sr.Client, want Want) error {
	r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: want.Compat}, want.Subject)[0]
	if r.Err != nil {
		return fmt.Errorf("schemas: set compatibility of %s to %s: %w", want.Subject, want.Compat, r.Err)
	}
	return nil
}

func notFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// FieldChanges names the fields of two Avro record schemas that differ: removed, added
// (with or without a default) and changed type. Unparsable schemas give one line saying so.
func FieldChanges(registered, proposed string) []string {
	old, err1 := avro.Parse(registered)
	cur, err2 := avro.Parse(proposed)
	if err1 != nil || err2 != nil {
		return []string{fmt.Sprintf("cannot compare the schemas field by field: %v", errors.Join(err1, err2))}
	}
	or, ok1 := old.(*avro.RecordSchema)
	cr, ok2 := cur.(*avro.RecordSchema)
	if !ok1 || !ok2 {
		return []string{fmt.Sprintf("type %s -> %s", old.Type(), cur.Type())}
	}
	var out []string
	for _, f := range or.Fields() {
		n := fieldNamed(cr, f.Name())
		switch {
		case n == nil:
			out = append(out, fmt.Sprintf("%s: removed (was %s)", f.Name(), typeText(f.Type())))
		case n.Type().Fingerprint() != f.Type().Fingerprint():
			out = append(out, fmt.Sprintf("%s: type %s -> %s", f.Name(), typeText(f.Type()), typeText(n.Type())))
		}
	}
	for _, f := range cr.Fields() {
		if fieldNamed(or, f.Name()) == nil {
			d := "without a default"
			if f.HasDefault() {
				d = "with a default"
			}
			out = append(out, fmt.Sprintf("%s: added %s (%s)", f.Name(), d, typeText(f.Type())))
		}
	}
	return out
}

func fieldNamed(r *avro.RecordSchema, name string) *avro.Field {
	for _, f := range r.Fields() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// typeText is a field type in a few words: its type, and its logical type when it has one.
func typeText(s avro.Schema) string {
	t := fmt.Sprintf("%q", s.Type())
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		t += " (" + string(l.Logical().Type()) + ")"
	}
	if n, ok := s.(avro.NamedSchema); ok {
		t += " " + n.FullName()
	}
	return t
}

// Transactions is the transaction schema's subject, as the pipeline wants it. FULL, not
// BACKWARD: the stream job decodes with the schema it was started with and the producer may
// be upgraded before or after it; under FULL a new version is readable with the old schema
// and the old records with the new one, so either may go first, and a job restarted from
// its checkpoint re-reads the retained records of older versions. FULL admits adding or
// removing a field only with a default; a type change (amount as a string) is refused.
var Transactions = Want{
	Subject: transaction.Subject,
	Schema:  sr.Schema{Schema: transaction.AvroSchema, Type: sr.TypeAvro},
	Compat:  sr.CompatFull,
}

// NewClient is an sr client of the registry at url (its Confluent-compatible API: for
// Apicurio, http://host:port/apis/ccompat/v7).
func NewClient(url string) (*sr.Client, error) {
	cl, err := sr.NewClient(sr.URLs(url), sr.UserAgent("finobs"))
	if err != nil {
		return nil, fmt.Errorf("schemas: registry client for %s: %w", url, err)
	}
	return cl, nil
}
