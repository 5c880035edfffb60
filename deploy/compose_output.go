package deploy

import (
	"os"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/deploy/compose"
	"github.com/finobs/finobs/deploy/deployment"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/topology"
)

// PublishHostEnv overrides the address the Compose stack publishes its ports on
// (stack.PublishedHost, loopback, by default).
const PublishHostEnv = "FINOBS_COMPOSE_PUBLISH_HOST"

// composeOutput: deploy/compose.yaml, the Compose stack, from topology.Compose().
var composeOutput = render.Output{
	Name: "compose",
	Owns: []string{ComposeFile},
	Render: func() ([]render.File, []render.Count, error) {
		st := topology.Compose()
		urls, err := deployment.For(st, nil)
		if err != nil {
			return nil, nil, err
		}
		data, err := compose.Render(st, compose.Options{PublishHost: os.Getenv(PublishHostEnv), AlertmanagerSecrets: alerts.SecretsDir, URLs: urls})
		if err != nil {
			return nil, nil, err
		}
		return []render.File{{Path: ComposeFile, Data: data}}, []render.Count{{N: len(st.Instances), What: "instances"}, {N: len(compose.Secrets), What: "secrets"}}, nil
	},
}
