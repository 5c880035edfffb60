package rules

import (
	"bytes"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// RuleFile writes a group as a Prometheus rule file, validated by rulefmt as Prometheus
// loads it.
func (g Group) RuleFile(runbookURL func(alert string) string) ([]byte, error) {
	rg, err := g.RuleGroup(runbookURL)
	if err != nil {
		return nil, err
	}
	out, err := marshal(rulefmt.RuleGroups{Groups: []rulefmt.RuleGroup{rg}})
	if err != nil {
		return nil, fmt.Errorf("rule group %s: %w", g.Name, err)
	}
	if _, errs := rulefmt.Parse(out, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler)); len(errs) > 0 {
		return nil, fmt.Errorf("rule group %s: rulefmt: %w", g.Name, joinErrs(errs))
	}
	return out, nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func joinErrs(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	sort.Strings(msgs)
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}
