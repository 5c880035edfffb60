package esprovision

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Without ILM, the lifecycle settings go, however they are written, and nothing else does.
func TestReadTemplateStripsLifecycle(t *testing.T) {
	for name, tc := range map[string]struct{ settings, want string }{
		"nested under settings": {`{"lifecycle":{"name":"p"},"number_of_replicas":"0"}`, `{"number_of_replicas":"0"}`},
		"flat":                  {`{"index.lifecycle.name":"p","index.number_of_shards":"1"}`, `{"index.number_of_shards":"1"}`},
		"under index":           {`{"index":{"lifecycle":{"name":"p"},"codec":"best_compression"}}`, `{"index":{"codec":"best_compression"}}`},
		"none":                  {`{"number_of_shards":"1"}`, `{"number_of_shards":"1"}`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.json")
			body := `{"index_patterns":["x-*"],"template":{"settings":` + tc.settings + `,"mappings":{"dynamic":"strict"}}}`
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			out, removed, err := readTemplate(path, true, true)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			json.Unmarshal(out, &got)
			json.Unmarshal([]byte(`{"index_patterns":["x-*"],"template":{"settings":`+tc.want+`,"mappings":{"dynamic":"strict"}}}`), &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %s", out)
			}
			if (len(removed) > 0) != (name != "none") {
				t.Errorf("removed %v", removed)
			}
			if same, _, _ := readTemplate(path, false, true); string(same) != body {
				t.Errorf("with ILM the file must go in as it is")
			}
		})
	}
}
