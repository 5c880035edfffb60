package grafana

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// PinnedJSON is the dashboard's JSON with every reference to the datasource variable
// replaced by the uid of a datasource of the reference's kind (uids, by plugin id, e.g.
// KindPrometheus), and the variable removed. For a Grafana whose datasources are
// provisioned under known uids (kube-prometheus-stack's is "prometheus"): the dashboard
// then reads that datasource, whichever is the default. A kind without a uid is an error.
func PinnedJSON(d Dashboard, uids map[string]string) ([]byte, error) {
	data, err := JSON(d.Dashboard)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers as written, not through float64
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.UID(), err)
	}
	if err := pin(doc, uids); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.UID(), err)
	}
	if t, ok := doc["templating"].(map[string]any); ok {
		if list, ok := t["list"].([]any); ok {
			kept := list[:0]
			for _, v := range list {
				if m, ok := v.(map[string]any); ok && m["type"] == "datasource" && m["name"] == DatasourceVar {
					continue
				}
				kept = append(kept, v)
			}
			t["list"] = kept
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", d.UID(), err)
	}
	// A reference pin did not reach (in a string, say) would name a variable that is gone.
	if v := []byte("$" + DatasourceVar); bytes.Contains(out, v) || bytes.Contains(out, []byte("${"+DatasourceVar)) {
		return nil, fmt.Errorf("dashboard %s: still refers to $%s after pinning its datasources", d.UID(), DatasourceVar)
	}
	return append(out, '\n'), nil
}

// pin replaces, below v, the uid of each datasource reference to the variable.
func pin(v any, uids map[string]string) error {
	switch v := v.(type) {
	case map[string]any:
		if v["uid"] == "${"+DatasourceVar+"}" {
			kind, _ := v["type"].(string)
			uid, ok := uids[kind]
			if !ok {
				return fmt.Errorf("reads a %q datasource and no uid is given for that kind (given: %v)", kind, slices.Sorted(maps.Keys(uids)))
			}
			v["uid"] = uid
		}
		for _, e := range v {
			if err := pin(e, uids); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := pin(e, uids); err != nil {
				return err
			}
		}
	}
	return nil
}
