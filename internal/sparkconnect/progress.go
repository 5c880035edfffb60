package sparkconnect

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Progress is one StreamingQueryProgress report as Spark writes it (StreamingQueryProgress.json).
type Progress struct {
	ID                     string             `json:"id"`
	RunID                  string             `json:"runId"`
	Name                   string             `json:"name"`
	Timestamp              string             `json:"timestamp"` // trigger start, ISO 8601 UTC
	BatchID                int64              `json:"batchId"`
	BatchDuration          int64              `json:"batchDuration"` // ms
	NumInputRows           int64              `json:"numInputRows"`
	InputRowsPerSecond     float64            `json:"inputRowsPerSecond"`
	ProcessedRowsPerSecond float64            `json:"processedRowsPerSecond"`
	DurationMs             map[string]int64   `json:"durationMs"`
	EventTime              map[string]string  `json:"eventTime"`
	StateOperators         []StateOperator    `json:"stateOperators"`
	Sources                []SourceProgress   `json:"sources"`
	Sink                   SinkProgress       `json:"sink"`
	ObservedMetrics        map[string]Metrics `json:"observedMetrics"`

	// JSON is the report exactly as received.
	JSON string `json:"-"`
}

// UnmarshalJSON decodes a report. Spark 4.1 leaves the top-level row counts and rates out of
// the JSON it sends over Connect; they are then the sums over the sources, as Spark computes them.
func (p *Progress) UnmarshalJSON(b []byte) error {
	type plain Progress
	var top struct {
		NumInputRows           *int64   `json:"numInputRows"`
		InputRowsPerSecond     *float64 `json:"inputRowsPerSecond"`
		ProcessedRowsPerSecond *float64 `json:"processedRowsPerSecond"`
	}
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return err
	}
	var rows int64
	var in, processed float64
	for _, s := range p.Sources {
		rows += s.NumInputRows
		in += s.InputRowsPerSecond
		processed += s.ProcessedRowsPerSecond
	}
	if top.NumInputRows == nil {
		p.NumInputRows = rows
	}
	if top.InputRowsPerSecond == nil {
		p.InputRowsPerSecond = in
	}
	if top.ProcessedRowsPerSecond == nil {
		p.ProcessedRowsPerSecond = processed
	}
	return nil
}

// Metrics is one named observation: metric name to its raw JSON value. Spark 4 reports an
// observation as {"values":[...],"schema":{"fields":[{"name":...}]}}; older servers as a plain
// object. Both decode to the same map.
type Metrics map[string]json.RawMessage

func (m *Metrics) UnmarshalJSON(b []byte) error {
	var row struct {
		Values []json.RawMessage `json:"values"`
		Schema *struct {
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"schema"`
	}
	if err := json.Unmarshal(b, &row); err == nil && row.Schema != nil && len(row.Schema.Fields) == len(row.Values) {
		out := make(Metrics, len(row.Values))
		for i, f := range row.Schema.Fields {
			out[f.Name] = row.Values[i]
		}
		*m = out
		return nil
	}
	var plain map[string]json.RawMessage
	if err := json.Unmarshal(b, &plain); err != nil {
		return fmt.Errorf("sparkconnect: observed metrics %.200s: %w", b, err)
	}
	*m = plain
	return nil
}

// Has tells whether a metric is there and not null (a max over no rows is null).
func (m Metrics) Has(name string) bool {
	v, ok := m[name]
	return ok && string(v) != "null"
}

// Int returns a metric as an integer, 0 when absent, null or not a number.
func (m Metrics) Int(name string) int64 {
	v, ok := m[name]
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(v), 64)
		if ferr != nil {
			return 0
		}
		return int64(f)
	}
	return n
}

// StateOperator is the progress of one stateful operator.
type StateOperator struct {
	OperatorName              string `json:"operatorName"`
	NumRowsTotal              int64  `json:"numRowsTotal"`
	NumRowsUpdated            int64  `json:"numRowsUpdated"`
	NumRowsRemoved            int64  `json:"numRowsRemoved"`
	MemoryUsedBytes           int64  `json:"memoryUsedBytes"`
	NumRowsDroppedByWatermark int64  `json:"numRowsDroppedByWatermark"`
	NumShufflePartitions      int64  `json:"numShufflePartitions"`
	NumStateStoreInstances    int64  `json:"numStateStoreInstances"`
}

// SourceProgress is the progress of one source. Offsets are source-specific JSON; for Kafka
// they are {"topic":{"partition":offset}}.
type SourceProgress struct {
	Description            string            `json:"description"`
	StartOffset            json.RawMessage   `json:"startOffset"`
	EndOffset              json.RawMessage   `json:"endOffset"`
	LatestOffset           json.RawMessage   `json:"latestOffset"`
	NumInputRows           int64             `json:"numInputRows"`
	InputRowsPerSecond     float64           `json:"inputRowsPerSecond"`
	ProcessedRowsPerSecond float64           `json:"processedRowsPerSecond"`
	Metrics                map[string]string `json:"metrics"`
}

// SinkProgress is the progress of the sink.
type SinkProgress struct {
	Description   string `json:"description"`
	NumOutputRows int64  `json:"numOutputRows"`
}

// Time is the trigger start of the report.
func (p *Progress) Time() (time.Time, error) { return parseSparkTime(p.Timestamp) }

// Watermark is the event-time watermark in force for this batch; ok is false when the query
// has none yet (Spark reports the epoch before the first batch with data).
func (p *Progress) Watermark() (time.Time, bool) {
	s, ok := p.EventTime["watermark"]
	if !ok {
		return time.Time{}, false
	}
	t, err := parseSparkTime(s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// RanBatch reports whether a micro-batch executed, as opposed to an idle report that Spark
// emits while waiting for data.
func (p *Progress) RanBatch() bool {
	_, ok := p.DurationMs["addBatch"]
	return ok
}

// StateRows and StateBytes sum over the state operators.
func (p *Progress) StateRows() (n int64) {
	for _, s := range p.StateOperators {
		n += s.NumRowsTotal
	}
	return n
}

func (p *Progress) StateBytes() (n int64) {
	for _, s := range p.StateOperators {
		n += s.MemoryUsedBytes
	}
	return n
}

// RowsDroppedByWatermark sums late rows over the state operators.
func (p *Progress) RowsDroppedByWatermark() (n int64) {
	for _, s := range p.StateOperators {
		n += s.NumRowsDroppedByWatermark
	}
	return n
}

// KafkaOffsets decodes Kafka source offsets {"topic":{"0":12,"1":40}}. null gives nil.
func KafkaOffsets(raw json.RawMessage) (map[string]map[string]int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	// Spark embeds offsets either as JSON objects or as a JSON string holding the object.
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = json.RawMessage(s)
	}
	var out map[string]map[string]int64
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("sparkconnect: kafka offsets %s: %w", raw, err)
	}
	return out, nil
}

// Lag is latestOffset - endOffset of one Kafka partition.
type Lag struct {
	Topic     string
	Partition string
	Behind    int64
}

// KafkaLag is how far each partition of a Kafka source trails the latest offset the source saw.
func (s *SourceProgress) KafkaLag() ([]Lag, error) {
	end, err := KafkaOffsets(s.EndOffset)
	if err != nil {
		return nil, err
	}
	latest, err := KafkaOffsets(s.LatestOffset)
	if err != nil || latest == nil {
		return nil, err
	}
	var out []Lag
	for topic, parts := range latest {
		for p, l := range parts {
			out = append(out, Lag{Topic: topic, Partition: p, Behind: max(0, l-end[topic][p])})
		}
	}
	return out, nil
}

func parseSparkTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("sparkconnect: bad timestamp %q", s)
}
