package faults

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/topics"
)

// registryKilled kills the schema registry: SchemaRegistryDown pages its receiver (its
// TargetDown muted), and the registry started again answers with the ids it gave before,
// the producer's subject's and a subject registered just before the kill (records in Kafka
// name their schema by id: a registry that numbers afresh makes them undecodable).
func registryKilled() faultCase {
	var p schemaProbe
	return faultCase{name: "schema registry killed (-9)", ready: p.register, inject: kill("schema-registry"),
		fires:     []expect{on(alerts.SchemaRegistryDown, "instance", "schema-registry")},
		muted:     []expect{on(alerts.TargetDown, "instance", "schema-registry")},
		recovered: p.kept,
		// The stream driver looks its schema id up when it starts: not while it restarts.
		after: "stream driver killed (-9)"}
}

// schemaProbe is what the registry held before the kill: subject -> id.
type schemaProbe struct {
	ids map[string]int
}

func (p *schemaProbe) register(ctx context.Context, e *env) error {
	cl, err := schemas.NewClient(e.st.RegistryURL())
	if err != nil {
		return err
	}
	p.ids = map[string]int{}
	input := topics.Transactions + "-value" // the producer registered it at its start
	latest, err := cl.SchemaByVersion(ctx, input, -1)
	if err != nil {
		return fmt.Errorf("the producer's subject %s: %w", input, err)
	}
	p.ids[input] = latest.ID
	// A schema of this run's own (new content: a new id), registered the moment before the
	// kill: the last write the registry acknowledged must be on disk.
	run := time.Now().UnixNano()
	probe := fmt.Sprintf("finobs-fault-%d-value", run)
	schema := fmt.Sprintf(`{"type":"record","name":"Probe%d","namespace":"finobs.faults","fields":[{"name":"at","type":"long"}]}`, run)
	got, err := cl.CreateSchema(ctx, probe, sr.Schema{Schema: schema, Type: sr.TypeAvro})
	if err != nil {
		return fmt.Errorf("register %s: %w", probe, err)
	}
	p.ids[probe] = got.ID
	return nil
}

// kept checks every probed subject's latest id after the restart, and that each id still
// resolves to the schema; then deletes the probe's own subject.
func (p *schemaProbe) kept(ctx context.Context, e *env, since time.Time) error {
	cl, err := schemas.NewClient(e.st.RegistryURL())
	if err != nil {
		return err
	}
	for subject, id := range p.ids {
		err := stacktest.Eventually(ctx, 2*time.Minute, 2*time.Second, func(ctx context.Context) error {
			got, err := cl.SchemaByVersion(ctx, subject, -1)
			if err != nil {
				return fmt.Errorf("after the restart, %s: %w", subject, err)
			}
			if got.ID != id {
				return fmt.Errorf("after the restart, %s has id %d; it had %d", subject, got.ID, id)
			}
			byID, err := cl.SchemaByID(ctx, id)
			if err != nil {
				return fmt.Errorf("after the restart, schema id %d: %w", id, err)
			}
			if byID.Schema != got.Schema.Schema {
				return fmt.Errorf("after the restart, id %d is another schema than %s's", id, subject)
			}
			return nil
		})
		if err != nil {
			return err
		}
		e.report(fmt.Sprintf("%-36s %-58s %-10s %s", "schema registry killed (-9)", "id of "+subject, "", fmt.Sprintf("kept: %d", id)))
	}
	for subject := range p.ids {
		if subject != topics.Transactions+"-value" {
			cl.DeleteSubject(ctx, subject, sr.SoftDelete)
			cl.DeleteSubject(ctx, subject, sr.HardDelete)
		}
	}
	return nil
}
