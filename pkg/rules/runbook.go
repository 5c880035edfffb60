package rules

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// RunbookPage renders the runbook of an alert as Markdown.
func (a Alert) RunbookPage(g Group) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", a.Name)
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Severity | `%s` |\n| Component | `%s` |\n| For | %s |\n", a.Severity(), g.Component, fmtDuration(a.For))
	if a.Dashboard != "" {
		fmt.Fprintf(&b, "| Dashboard | <%s> |\n", a.Dashboard)
	}
	fmt.Fprintf(&b, "\n**%s**\n\n", a.Summary)
	fmt.Fprintf(&b, "## Meaning\n\n%s\n\n", a.Runbook.Meaning)
	fmt.Fprintf(&b, "## Impact\n\n%s\n\n", a.Runbook.Impact)
	b.WriteString("## Diagnosis\n\n")
	for i, s := range a.Runbook.Diagnosis {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\n## Mitigation\n\n")
	for i, s := range a.Runbook.Mitigation {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	expr, err := a.Expr()
	if err != nil {
		expr = "invalid: " + err.Error()
	}
	fmt.Fprintf(&b, "\n## Expression\n\n```promql\n%s\n```\n", strings.TrimSpace(expr))
	return b.Bytes()
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return "immediately"
	}
	return model.Duration(d).String()
}
