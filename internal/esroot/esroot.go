// Package esroot is the native stack's front door to its Elasticsearch node. The node is
// Elastic's integ-test distribution, which lacks the rest-root module: it answers GET / with
// 405, and Filebeat's Elasticsearch output (like every official client's first contact)
// reads the node's version from GET / before it sends anything. The front door answers
// GET / and HEAD / from what the node reports about itself (_nodes, cluster state) and
// passes every other request to the node unchanged.
package esroot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// Root is the body of Elasticsearch's GET /, the fields the node can tell about itself.
type Root struct {
	Name        string  `json:"name"`
	ClusterName string  `json:"cluster_name"`
	ClusterUUID string  `json:"cluster_uuid"`
	Version     Version `json:"version"`
	Tagline     string  `json:"tagline"`
}

// Version is the version object of GET /.
type Version struct {
	Number      string `json:"number"`
	BuildFlavor string `json:"build_flavor"`
	BuildType   string `json:"build_type"`
	BuildHash   string `json:"build_hash"`
	Snapshot    bool   `json:"build_snapshot"`
}

// Handler serves GET / and HEAD / itself and proxies the rest to node.
func Handler(node *url.URL) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(node)
	client := &http.Client{Timeout: 10 * time.Second}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			proxy.ServeHTTP(w, r)
			return
		}
		root, err := Fetch(r.Context(), client, node)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		body, _ := json.MarshalIndent(root, "", "  ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Elastic-Product", "Elasticsearch") // what clients check a node by
		if r.Method == http.MethodHead {
			return
		}
		w.Write(append(body, '\n'))
	})
}

// Fetch builds the root document from the node's own APIs.
func Fetch(ctx context.Context, c *http.Client, node *url.URL) (Root, error) {
	var nodes struct {
		ClusterName string `json:"cluster_name"`
		Nodes       map[string]struct {
			Name        string `json:"name"`
			Version     string `json:"version"`
			BuildFlavor string `json:"build_flavor"`
			BuildType   string `json:"build_type"`
			BuildHash   string `json:"build_hash"`
		} `json:"nodes"`
	}
	if err := get(ctx, c, node, "/_nodes/_local?filter_path=cluster_name,nodes.*.name,nodes.*.version,nodes.*.build_*", &nodes); err != nil {
		return Root{}, err
	}
	var state struct {
		Metadata struct {
			ClusterUUID string `json:"cluster_uuid"`
		} `json:"metadata"`
	}
	if err := get(ctx, c, node, "/_cluster/state/metadata?filter_path=metadata.cluster_uuid", &state); err != nil {
		return Root{}, err
	}
	for _, n := range nodes.Nodes {
		return Root{
			Name: n.Name, ClusterName: nodes.ClusterName, ClusterUUID: state.Metadata.ClusterUUID,
			Version: Version{Number: n.Version, BuildFlavor: n.BuildFlavor, BuildType: n.BuildType, BuildHash: n.BuildHash},
			Tagline: "You Know, for Search",
		}, nil
	}
	return Root{}, fmt.Errorf("%s reports no local node", node)
}

func get(ctx context.Context, c *http.Client, node *url.URL, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, node.String()+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("elasticsearch node: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("elasticsearch node: GET %s: %s: %.200s", path, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}
