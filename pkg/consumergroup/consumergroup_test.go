package consumergroup

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/stack"
)

var (
	exp     = []stack.Component{stack.KafkaLagExporter}
	lag     = &metric.Metric{Name: "lag_seconds", Type: metric.Gauge, Help: "h", Exporter: exp, Labels: []string{Label}}
	members = &metric.Metric{Name: "members", Type: metric.Gauge, Help: "h", Exporter: exp, Labels: []string{Label}}
)

var set = Set{
	Groups: []Group{
		{Name: "payments", Team: "pay", Lag: Levels{Seconds: 60}, Members: true},
		{Name: "audit.v2", Lag: Levels{Records: 10, Seconds: 3600}},
	},
	Default: Levels{Records: 1000, Seconds: 900},
}

// A declared group's level, the default's where it declares none, and the default for the
// other groups that have members; names are quoted where they are regexps.
func TestLevel(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		want string
	}{
		{Seconds, `group by (cluster, consumergroup) (lag_seconds{consumergroup="payments"}) * 60 or group by (cluster, consumergroup) (lag_seconds{consumergroup="audit.v2"}) * 3600 or group by (cluster, consumergroup) (members > 0) * 900`},
		{Records, `group by (cluster, consumergroup) (lag_seconds{consumergroup="payments"}) * 1000 or group by (cluster, consumergroup) (lag_seconds{consumergroup="audit.v2"}) * 10 or group by (cluster, consumergroup) (members > 0) * 1000`},
	} {
		if got, err := set.Level(c.kind, lag, members).Render(promql.Rule); err != nil || got != c.want {
			t.Errorf("got %s (%v)\nwant %s", got, err, c.want)
		}
	}
	if got, err := (Set{Default: set.Default}).Level(Seconds, lag, members).Render(promql.Rule); err != nil || got != `group by (cluster, consumergroup) (members > 0) * 900` {
		t.Errorf("no group declared: got %s (%v)", got, err)
	}
	if got, err := set.MembersExpected(members).Render(promql.Rule); err != nil || got != `group by (cluster, consumergroup) (members{consumergroup=~"payments"})` {
		t.Errorf("members expected: got %s (%v)", got, err)
	}
	if e := (Set{Groups: set.Groups[1:]}).MembersExpected(members); !e.IsZero() {
		t.Errorf("no group expects members, yet: %v", e)
	}
	if got := Regexp([]string{"a.b", "c"}); got != `a\.b|c` {
		t.Errorf("regexp: %s", got)
	}
}

func TestWith(t *testing.T) {
	s := set.With(Group{Name: "payments", Team: "other"}).With(Group{Name: "new", Members: true})
	if len(s.Groups) != 3 || s.Groups[0].Team != "other" || s.Groups[2].Name != "new" {
		t.Errorf("with: %+v", s.Groups)
	}
	if set.Groups[0].Team != "pay" {
		t.Error("With changed the set it was called on")
	}
	if l := s.Lag(s.Groups[0]); l != set.Default {
		t.Errorf("levels of a group that declares none: %+v, want the default's", l)
	}
	if got := s.Owned("other"); len(got) != 1 || got[0] != "payments" {
		t.Errorf("owned: %v", got)
	}
	if got := s.WithMembers(); len(got) != 1 || got[0] != "new" {
		t.Errorf("with members: %v, want only new (payments is declared again without)", got)
	}
}

func TestValidate(t *testing.T) {
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    Set
		want string
	}{
		{Set{Default: Levels{Records: 1}}, "default levels"},
		{Set{Groups: []Group{{Name: "a"}, {Name: "a"}}, Default: set.Default}, `"a": declared twice`},
		{Set{Groups: []Group{{}}, Default: set.Default}, "no name"},
		{Set{Groups: []Group{{Name: "a", Lag: Levels{Seconds: -1}}}, Default: set.Default}, "want 0 (the default's) or above"},
	} {
		if err := c.s.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.s, err, c.want)
		}
	}
}
