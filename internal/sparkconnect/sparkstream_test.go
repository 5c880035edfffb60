package sparkconnect

import (
	"encoding/json"
	"testing"
	"time"
)

func TestProgressDecode(t *testing.T) {
	// A report as Spark 4.1 writes it for a Kafka source with an aggregation.
	js := `{"id":"8c1f","runId":"a2","name":"merchant-aggregates","timestamp":"2026-11-25T23:00:00.123Z","batchId":7,
	"batchDuration":812,"numInputRows":1000,"inputRowsPerSecond":500.5,"processedRowsPerSecond":1231.5,
	"durationMs":{"addBatch":700,"triggerExecution":812},
	"eventTime":{"avg":"2026-11-25T22:59:00.000Z","watermark":"2026-11-25T22:58:00.000Z"},
	"stateOperators":[{"operatorName":"stateStoreSave","numRowsTotal":40,"numRowsUpdated":3,"memoryUsedBytes":9000,"numRowsDroppedByWatermark":2}],
	"sources":[{"description":"KafkaV2[Subscribe[tx]]","startOffset":{"tx":{"0":10,"1":20}},"endOffset":{"tx":{"0":510,"1":520}},
	"latestOffset":{"tx":{"0":600,"1":520}},"numInputRows":1000,"inputRowsPerSecond":500.5,"processedRowsPerSecond":1231.5,
	"metrics":{"avgOffsetsBehindLatest":"45.0"}}],
	"sink":{"description":"org.apache.spark.sql.kafka010.KafkaSourceProvider$KafkaTable@1","numOutputRows":3},
	"observedMetrics":{"finobs":{"values":[5,1],"schema":{"type":"struct","fields":[{"name":"dead_letter","type":"long"},{"name":"anomalies","type":"long"}]}},
	"old":{"dead_letter":7}}}`
	var p Progress
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	if !p.RanBatch() || p.StateRows() != 40 || p.StateBytes() != 9000 || p.RowsDroppedByWatermark() != 2 {
		t.Errorf("decoded %+v", p)
	}
	wm, ok := p.Watermark()
	if !ok || !wm.Equal(time.Date(2026, 11, 25, 22, 58, 0, 0, time.UTC)) {
		t.Errorf("watermark %v %v", wm, ok)
	}
	if got := p.ObservedMetrics["finobs"].Int("dead_letter"); got != 5 {
		t.Errorf("dead_letter = %d", got)
	}
	if got := p.ObservedMetrics["old"].Int("dead_letter"); got != 7 {
		t.Errorf("plain form dead_letter = %d", got)
	}
	lag, err := p.Sources[0].KafkaLag()
	if err != nil {
		t.Fatal(err)
	}
	behind := map[string]int64{}
	for _, l := range lag {
		behind[l.Topic+"/"+l.Partition] = l.Behind
	}
	if behind["tx/0"] != 90 || behind["tx/1"] != 0 || len(behind) != 2 {
		t.Errorf("lag %v", behind)
	}
}

func TestProgressTopLevelFromSources(t *testing.T) {
	// Spark 4.1 over Connect: no top-level numInputRows or rates.
	js := `{"id":"x","runId":"r","name":"q","timestamp":"2026-11-25T23:26:35.983Z","batchId":0,"batchDuration":8275,
	"durationMs":{"triggerExecution":8275,"addBatch":7501},"sources":[
	{"description":"a","numInputRows":20000,"inputRowsPerSecond":10.5,"processedRowsPerSecond":2416.5},
	{"description":"b","numInputRows":5,"inputRowsPerSecond":1,"processedRowsPerSecond":3}]}`
	var p Progress
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	if p.NumInputRows != 20005 || p.InputRowsPerSecond != 11.5 || p.ProcessedRowsPerSecond != 2419.5 {
		t.Errorf("%+v", p)
	}
}

func TestBuildCommands(t *testing.T) {
	// The messages exist in spark-connect-go's registry and accept the fields we send.
	cmd, err := messageFromJSON("Command", map[string]any{"writeStreamOperationStart": map[string]any{
		"format": "kafka", "outputMode": "update", "queryName": "q", "processingTimeInterval": "1000 milliseconds",
		"options": map[string]string{"checkpointLocation": "/tmp/x"}}})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := messageFromJSON("Relation", map[string]any{"read": map[string]any{"isStreaming": true,
		"dataSource": map[string]any{"format": "rate"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := setMessage(cmd, "write_stream_operation_start.input", rel); err != nil {
		t.Fatal(err)
	}
	if got := getMessage(cmd, "write_stream_operation_start.input.read"); got == nil {
		t.Fatal("input not set")
	}
	if err := setMessage(cmd, "write_stream_operation_start.input", cmd); err == nil {
		t.Fatal("setting a Command as a Relation must fail")
	}
	if _, err := messageFromJSON("Command", map[string]any{"noSuchCommand": true}); err == nil {
		t.Fatal("unknown field must fail")
	}
}

func TestKafkaOffsetsForms(t *testing.T) {
	for _, raw := range []string{`{"t":{"0":5}}`, `"{\"t\":{\"0\":5}}"`} {
		o, err := KafkaOffsets(json.RawMessage(raw))
		if err != nil || o["t"]["0"] != 5 {
			t.Errorf("%s: %v %v", raw, o, err)
		}
	}
	if o, err := KafkaOffsets(json.RawMessage("null")); o != nil || err != nil {
		t.Errorf("null: %v %v", o, err)
	}
}
