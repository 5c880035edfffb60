package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/finobs/finobs/pkg/kube"
)

// kubeCheck checks the Kubernetes objects gen -config wrote under out: each decodes
// strictly into its type, each PrometheusRule's groups are those of the rule files under
// out (rules/), and promtool checks them as Prometheus will load them.
func kubeCheck(ctx context.Context, out string, stdout io.Writer) error {
	files, n, err := kubeRuleFiles(out)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "finobs-kube-rules-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	args := []string{"tool", "promtool", "check", "rules"}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(tmp, name+".yml")
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		args = append(args, p)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout, cmd.Stderr = stdout, stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("promtool check rules on the PrometheusRules' groups: %w", err)
	}
	fmt.Fprintf(stdout, "%d objects under %s decode strictly; the groups of %d PrometheusRules are the rule files' and pass promtool check rules\n",
		n, filepath.Join(out, kubeDir), len(files))
	return nil
}

// kubeRuleFiles decodes every object under out/kubernetes strictly and returns the groups
// of each PrometheusRule as a rule file, by object name, and how many objects it decoded. A
// PrometheusRule whose groups differ from those of the rule files under out/rules, or a
// rule group with no PrometheusRule, is an error.
func kubeRuleFiles(out string) (map[string][]byte, int, error) {
	ruleFiles, err := filepath.Glob(filepath.Join(out, configRulesDir, "*.yml"))
	if err != nil {
		return nil, 0, err
	}
	want := map[string]rulefmt.RuleGroup{}
	for _, f := range ruleFiles {
		gs, err := parseRules(f)
		if err != nil {
			return nil, 0, err
		}
		for _, g := range gs {
			want[g.Name] = g
		}
	}
	files := map[string][]byte{}
	n := 0
	for _, d := range []struct {
		dir string
		obj func() runtime.Object
	}{
		{kubeRulesDir, func() runtime.Object { return &monitoringv1.PrometheusRule{} }},
		{kubePodMonitorsDir, func() runtime.Object { return &monitoringv1.PodMonitor{} }},
		{kubeDashboardsDir, func() runtime.Object { return &corev1.ConfigMap{} }},
		{kubeStrimziDir, func() runtime.Object { return &corev1.ConfigMap{} }},
	} {
		paths, err := filepath.Glob(filepath.Join(out, d.dir, "*.yaml"))
		if err != nil {
			return nil, 0, err
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, 0, err
			}
			obj := d.obj()
			if err := kube.Decode(data, obj); err != nil {
				return nil, 0, fmt.Errorf("%s: %w", p, err)
			}
			n++
			pr, ok := obj.(*monitoringv1.PrometheusRule)
			if !ok {
				continue
			}
			data, err = kube.RuleFile(pr)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", p, err)
			}
			gs, errs := rulefmt.Parse(data, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
			if len(errs) > 0 {
				return nil, 0, fmt.Errorf("%s: its groups as a rule file: %v", p, errs)
			}
			for _, g := range gs.Groups {
				w, ok := want[g.Name]
				switch {
				case !ok:
					return nil, 0, fmt.Errorf("%s: group %s is in no rule file under %s", p, g.Name, filepath.Join(out, configRulesDir))
				case !reflect.DeepEqual(g, w):
					return nil, 0, fmt.Errorf("%s: group %s differs from its rule file's", p, g.Name)
				}
				delete(want, g.Name)
			}
			files[pr.Name] = data
		}
	}
	if len(want) > 0 {
		return nil, 0, fmt.Errorf("rule groups with no PrometheusRule under %s: %s", filepath.Join(out, kubeRulesDir), strings.Join(slices.Sorted(maps.Keys(want)), ", "))
	}
	return files, n, nil
}

func parseRules(file string) ([]rulefmt.RuleGroup, error) {
	gs, errs := rulefmt.ParseFile(file, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %v", file, errs)
	}
	return gs.Groups, nil
}
