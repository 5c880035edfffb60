package generate

import (
	"errors"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/render"
)

// Dashboards is the output of Grafana boards: each board's dashboard JSON at
// grafana.DashboardPath(dir, ...), dir/dashboards/<folder slug>/<board name>.json, where the
// providers of grafana.Provisioning(dir, ...) read it (dir is slash-separated, relative to
// the output root, and owned by the output). A board that does not build fails the output,
// naming it; linting the built dashboards (grafana.Lint) is the caller's.
func Dashboards(boards []grafana.Board, dir string) Output {
	return Output{
		Name: "dashboards",
		Owns: []string{dir},
		Render: func() ([]render.File, []render.Count, error) {
			if dir == "" {
				return nil, nil, errors.New("the dashboards' directory must be set")
			}
			var files []render.File
			panels, queries := 0, 0
			for _, b := range boards {
				d, err := grafana.Build(b)
				if err != nil {
					return nil, nil, err
				}
				data, err := grafana.JSON(d.Dashboard)
				if err != nil {
					return nil, nil, err
				}
				files = append(files, render.File{Path: grafana.DashboardPath(dir, d), Data: data})
				panels += len(grafana.Panels(d.Dashboard))
				queries += len(grafana.Queries(d.Dashboard))
			}
			return files, []render.Count{{N: len(boards), What: "dashboards"}, {N: panels, What: "panels"}, {N: queries, What: "queries"}}, nil
		},
	}
}
