package sparkconnect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"
	"time"

	"github.com/apache/spark-connect-go/spark/sql"
	"github.com/apache/spark-connect-go/spark/sql/column"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// planIDs numbers the relations this package creates. spark-connect-go counts its own from 1;
// ours start far above so the two never collide within a plan.
var planIDs atomic.Int64

func nextPlanID() int64 { return 1<<40 + planIDs.Add(1) }

// StreamReader builds a streaming source, like PySpark's spark.readStream.
type StreamReader struct {
	s       *Session
	format  string
	schema  string
	options map[string]string
}

// ReadStream starts describing a streaming source.
func (s *Session) ReadStream() *StreamReader {
	return &StreamReader{s: s, options: map[string]string{}}
}

// Format names the source ("kafka", "rate", ...).
func (r *StreamReader) Format(f string) *StreamReader { r.format = f; return r }

// Schema sets the source schema as DDL (file sources need it; kafka has a fixed one).
func (r *StreamReader) Schema(ddl string) *StreamReader { r.schema = ddl; return r }

// Option sets one source option.
func (r *StreamReader) Option(k, v string) *StreamReader { r.options[k] = v; return r }

// Options sets several source options.
func (r *StreamReader) Options(o map[string]string) *StreamReader {
	maps.Copy(r.options, o)
	return r
}

// Load returns the streaming DataFrame. Everything after it is spark-connect-go's DataFrame API.
func (r *StreamReader) Load() (sql.DataFrame, error) {
	if r.format == "" {
		return nil, errors.New("sparkconnect: ReadStream needs a Format")
	}
	ds := map[string]any{"format": r.format, "options": r.options}
	if r.schema != "" {
		ds["schema"] = r.schema
	}
	rel, err := messageFromJSON("Relation", map[string]any{
		"common": map[string]any{"planId": nextPlanID()},
		"read":   map[string]any{"isStreaming": true, "dataSource": ds},
	})
	if err != nil {
		return nil, err
	}
	return r.s.dataFrame(rel)
}

// Observe is DataFrame.observe: named aggregate metrics over the rows that pass this point,
// reported per micro-batch in Progress.ObservedMetrics[name]. exprs are SQL aggregate
// expressions with aliases, e.g. "count_if(reason IS NOT NULL) AS dead_letter".
func (s *Session) Observe(ctx context.Context, df sql.DataFrame, name string, exprs ...string) (sql.DataFrame, error) {
	input, err := s.relation(ctx, df)
	if err != nil {
		return nil, err
	}
	rel, err := messageFromJSON("Relation", map[string]any{
		"common":         map[string]any{"planId": nextPlanID()},
		"collectMetrics": map[string]any{"name": name},
	})
	if err != nil {
		return nil, err
	}
	cm := getMessage(rel, "collect_metrics")
	if err := setMessage(rel, "collect_metrics.input", input); err != nil {
		return nil, err
	}
	list := cm.Mutable(cm.Descriptor().Fields().ByName("metrics")).List()
	for _, e := range exprs {
		ep, err := column.NewSQLExpression(e).ToProto(ctx)
		if err != nil {
			return nil, fmt.Errorf("sparkconnect: observe %q: %w", e, err)
		}
		list.Append(protoreflect.ValueOfMessage(proto.Message(ep).ProtoReflect()))
	}
	return s.dataFrame(rel)
}

// Trigger decides when micro-batches run.
type Trigger struct {
	processingTime time.Duration
	availableNow   bool
	once           bool
}

// ProcessingTime runs a micro-batch every interval (0: as soon as the previous one ends).
func ProcessingTime(interval time.Duration) Trigger { return Trigger{processingTime: interval} }

// AvailableNow processes everything available at start, in batches, then stops.
func AvailableNow() Trigger { return Trigger{availableNow: true} }

// Once processes everything available at start in one batch, then stops.
func Once() Trigger { return Trigger{once: true} }

func (t Trigger) String() string {
	switch {
	case t.availableNow:
		return "AvailableNow"
	case t.once:
		return "Once"
	}
	return fmt.Sprintf("ProcessingTime(%s)", t.processingTime)
}

// StreamWriter describes a streaming sink, like PySpark's df.writeStream.
type StreamWriter struct {
	s          *Session
	df         sql.DataFrame
	format     string
	outputMode string
	queryName  string
	trigger    *Trigger
	options    map[string]string
}

// WriteStream starts describing where a streaming DataFrame goes.
func (s *Session) WriteStream(df sql.DataFrame) *StreamWriter {
	return &StreamWriter{s: s, df: df, options: map[string]string{}}
}

// Format names the sink ("kafka", "console", "memory", "parquet", ...).
func (w *StreamWriter) Format(f string) *StreamWriter { w.format = f; return w }

// OutputMode is "append", "update" or "complete".
func (w *StreamWriter) OutputMode(m string) *StreamWriter { w.outputMode = m; return w }

// QueryName names the query; it is unique among active queries and becomes our metric label.
func (w *StreamWriter) QueryName(n string) *StreamWriter { w.queryName = n; return w }

// Trigger sets when batches run (default: ProcessingTime(0)).
func (w *StreamWriter) Trigger(t Trigger) *StreamWriter { w.trigger = &t; return w }

// Checkpoint is where the query keeps offsets, commits and state: restarting with the same
// location resumes exactly where the last run committed.
func (w *StreamWriter) Checkpoint(dir string) *StreamWriter {
	w.options["checkpointLocation"] = dir
	return w
}

// Option sets one sink option.
func (w *StreamWriter) Option(k, v string) *StreamWriter { w.options[k] = v; return w }

// Start starts the query on the server and returns its handle.
func (w *StreamWriter) Start(ctx context.Context) (*Query, error) {
	input, err := w.s.relation(ctx, w.df)
	if err != nil {
		return nil, err
	}
	start := map[string]any{"format": w.format, "options": w.options, "outputMode": w.outputMode, "queryName": w.queryName}
	if t := w.trigger; t != nil {
		switch {
		case t.availableNow:
			start["availableNow"] = true
		case t.once:
			start["once"] = true
		default:
			start["processingTimeInterval"] = fmt.Sprintf("%d milliseconds", t.processingTime.Milliseconds())
		}
	}
	cmd, err := messageFromJSON("Command", map[string]any{"writeStreamOperationStart": start})
	if err != nil {
		return nil, err
	}
	if err := setMessage(cmd, "write_stream_operation_start.input", input); err != nil {
		return nil, err
	}
	resp, err := w.s.execute(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: start query %q: %w", w.queryName, err)
	}
	r := resp.WriteStreamOperationStartResult
	if r == nil || r.QueryID.ID == "" {
		return nil, fmt.Errorf("sparkconnect: start query %q: no query id in the response", w.queryName)
	}
	return &Query{s: w.s, ID: r.QueryID.ID, RunID: r.QueryID.RunID, Name: r.Name}, nil
}
