package compose_test

import (
	"os"

	promcfg "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"
)

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }

func staticTargets(sc *promcfg.ScrapeConfig) []string { return staticOf(sc.ServiceDiscoveryConfigs) }

func staticOf(cs discovery.Configs) []string {
	var out []string
	for _, c := range cs {
		if st, ok := c.(discovery.StaticConfig); ok {
			for _, g := range st {
				for _, t := range g.Targets {
					out = append(out, string(t["__address__"]))
				}
			}
		}
	}
	return out
}
