package deploy

import (
	"errors"
	"fmt"

	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

// Render renders every dashboard's JSON and the provisioning files, or nothing: a
// dashboard that does not build or breaks a lint rule fails the whole render.
func grafanaFiles() ([]render.File, error) {
	if errs := dashboards.Lint(); len(errs) > 0 {
		return nil, fmt.Errorf("dashboards: %w", errors.Join(errs...))
	}
	ds, err := dashboards.All()
	if err != nil {
		return nil, err
	}
	var files []render.File
	var folders []string
	seen := map[string]bool{}
	for _, d := range ds {
		data, err := grafana.JSON(d.Dashboard)
		if err != nil {
			return nil, err
		}
		files = append(files, render.File{Path: grafana.DashboardPath(GrafanaDir, d), Data: data})
		if !seen[d.Folder] {
			seen[d.Folder] = true
			folders = append(folders, d.Folder)
		}
	}
	st := topology.Compose()
	files = append(files, grafana.Provisioning(GrafanaDir, grafana.Datasources{
		PrometheusURL:  "http://" + st.One(stack.Prometheus).Addr(stack.PortMetrics),
		ScrapeInterval: dashboards.ScrapeInterval,
		ElasticURL:     "http://" + st.One(stack.Elasticsearch).Addr(stack.PortHTTP),
		LogIndex:       dashboards.LogIndex,
	}, folders)...)
	return files, nil
}

// grafanaOutput is the dashboards' part of the generated tree: dashboard JSON and provisioning.
var grafanaOutput = render.Output{
	Name: "grafana",
	Owns: []string{GrafanaDir},
	Render: func() ([]render.File, []render.Count, error) {
		files, err := grafanaFiles()
		if err != nil {
			return nil, nil, err
		}
		qs, err := dashboards.Queries()
		if err != nil {
			return nil, nil, err
		}
		panels := map[string]bool{}
		for _, q := range qs {
			panels[q.Dashboard+"\x00"+q.Panel] = true
		}
		return files, []render.Count{{N: len(dashboards.Boards()), What: "dashboards"}, {N: len(panels), What: "panels"}, {N: len(qs), What: "queries"}}, nil
	},
}
