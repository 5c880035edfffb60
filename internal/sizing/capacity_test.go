package sizing

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBytesFormat(t *testing.T) {
	for _, c := range []struct {
		b       Bytes
		si, iec string
	}{
		{120 * 1.2e9, "144 GB", "134 GiB"}, // the seed's 120 B × 1.2 billion an hour, raw
		{0, "0 B", "0 B"},
		{999, "999 B", "999 B"},
		{1000, "1 kB", "1000 B"},
		{1024, "1.02 kB", "1 KiB"},
		{999_600, "1 MB", "976 KiB"}, // rounding carries into the next unit
		{1.1388e15, "1.14 PB", "1.01 PiB"},
		{GiB, "1.07 GB", "1 GiB"},
		{-2 * MB, "-2 MB", "-1.91 MiB"},
	} {
		if got := c.b.SI(); got != c.si {
			t.Errorf("%g B in SI: %s, want %s", float64(c.b), got, c.si)
		}
		if got := c.b.IEC(); got != c.iec {
			t.Errorf("%g B in IEC: %s, want %s", float64(c.b), got, c.iec)
		}
	}
	if _, err := ParseSystem("metric"); err == nil {
		t.Error("ParseSystem accepts metric")
	}
}

// seedScenario is the original system's inputs, written out here so the test does not
// depend on the declarations it checks.
func seedScenario() Scenario {
	return Scenario{
		Name: "seed",
		Topics: []Topic{{
			Name: "tx", Rate: Declared(PerHour(1.2e9), "t"), RecordBytes: Declared(Bytes(120), "t"),
			Compression: Declared(5.0, "t"), Retention: Declared(7*Day, "t"),
		}},
		Replication: Declared(3, "t"), Brokers: Declared(3, "t"), Disk: Declared(12*TB, "t"),
		Headroom: Declared(0.4, "t"), Growth: Declared(0.2, "t"), PartitionThroughput: Declared(10*MB, "t"),
		ReactionTime: Declared(24*time.Hour, "t"),
		Logs: []LogIndex{{Index: "logs-a", Retention: Declared(7*Day, "t"), Pipelines: []LogVolume{
			{Pipeline: "a", Rate: Declared(PerSecond(10), "t"), EventBytes: Declared(Bytes(500), "t")},
			{Pipeline: "b", Rate: Declared(PerSecond(30), "t"), EventBytes: Declared(Bytes(100), "t")},
		}}},
		ESNodes: Declared(1, "t"), ESReplicas: Declared(0, "t"), ESShards: Declared(1, "t"),
		ESMaxShard: Declared(50*GB, "t"), ESHeadroom: Declared(0.15, "t"),
	}
}

func near(t *testing.T, what string, got, want Bytes) {
	t.Helper()
	if math.Abs(float64(got-want)) > 1e-9*math.Abs(float64(want))+1e-9 {
		t.Errorf("%s: %g, want %g", what, float64(got), float64(want))
	}
}

func TestPlanOfTheSeed(t *testing.T) {
	p, err := Make(seedScenario())
	if err != nil {
		t.Fatal(err)
	}
	h := p.Flow.Over(Hour)
	near(t, "raw an hour", h.Raw, 144e9)                // not the seed's 216 GB
	near(t, "compressed an hour", h.Compressed, 28.8e9) // 144 / 5
	near(t, "replicated an hour", h.Replicated, 86.4e9) // not the seed's 129 GB: it divided 216, not 144
	near(t, "replicated a day", p.Flow.Over(Day).Replicated, 2.0736e12)
	near(t, "replicated a year", p.Flow.Over(Year).Replicated, 2.0736e12*365) // 757 TB, not 1,138.8 "PB"
	wantYears := map[int]float64{1: 1.2, 2: 1.44, 5: 2.48832}
	for _, y := range p.Growth {
		near(t, "growth factor", Bytes(y.Factor), Bytes(wantYears[y.Years]))
		near(t, "replicated a year after growth", y.Flow.Over(Year).Replicated, Bytes(2.0736e12*365*wantYears[y.Years]))
	}
	tp := p.Topics[0]
	if tp.Partitions != 3 { // 8 MB/s over 10 MB/s: 1, rounded up to the 3 brokers
		t.Errorf("partitions %d, want 3", tp.Partitions)
	}
	if tp.SegmentBytes != GiB { // a twentieth of 1.6 TB is above the 1 GiB cap
		t.Errorf("segment %g, want 1 GiB", float64(tp.SegmentBytes))
	}
	perPartition := Bytes(8e6 / 3 * 7 * 86400)
	near(t, "partition bytes", tp.PartitionBytes, perPartition+GiB)
	near(t, "per broker", p.PerBroker, (perPartition+GiB)*3*3/3)
	near(t, "per broker with headroom", p.Needed, (perPartition+GiB)*3/0.6)
	// retention.bytes: the partition's share of 60% of 12 TB.
	near(t, "retention.bytes", tp.RetentionBytes, Bytes(math.Floor(float64((perPartition+GiB)*12e12*0.6/((perPartition+GiB)*3)))))

	ret, rb, sb, err := TopicRetention(p, "tx")
	if err != nil || ret != 7*Day || rb != int64(tp.RetentionBytes) || sb != int64(GiB) {
		t.Errorf("TopicRetention: %v %d %d %v", ret, rb, sb, err)
	}
	if _, _, _, err := TopicRetention(p, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("TopicRetention of an unknown topic: %v", err)
	}

	ix := p.Logs[0]
	near(t, "log events/s", Bytes(ix.Rate.V), 40)
	near(t, "log bytes a day", ix.Daily, (10*500+30*100)*86400)
	near(t, "log bytes per event", ix.EventBytes.V, 8000.0/40)
	if ix.DeleteAge != 8*Day || ix.Indices != 8 {
		t.Errorf("delete age %v, %d indices; want 8d, 8", ix.DeleteAge, ix.Indices)
	}
	near(t, "log on disk", ix.OnDisk, 8000*86400*8)
	if d, err := LogDeleteAge(p, "logs-a"); err != nil || d != 8*Day {
		t.Errorf("LogDeleteAge: %v %v", d, err)
	}

	if p.DiskAlert.Horizon != 24*time.Hour || p.DiskAlert.Window != 6*time.Hour {
		t.Errorf("disk alert %v over %v, want 24h over 6h", p.DiskAlert.Horizon, p.DiskAlert.Window)
	}
}

// A disk alert never predicts past the retention: deletion balances writes there.
func TestDiskAlertStopsAtRetention(t *testing.T) {
	s := seedScenario()
	s.Topics[0].Retention = Declared(8*time.Hour, "t")
	p, err := Make(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.DiskAlert.Horizon != 8*time.Hour || p.DiskAlert.Window != 2*time.Hour || !strings.Contains(p.DiskAlert.Why, "retention of tx") {
		t.Errorf("disk alert %+v, want 8h over 2h from the retention", p.DiskAlert)
	}
	// retention.bytes that fills first shortens what is kept, and the horizon with it.
	s = seedScenario()
	s.Topics[0].RetentionBytes = Declared(100*GB, "t")
	p, err = Make(s)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Duration(100e9 / (8e6 / 3) * float64(time.Second)).Truncate(time.Minute) // 10h25m
	if p.Topics[0].Effective != want || p.DiskAlert.Horizon != want {
		t.Errorf("kept %v, horizon %v; want %v", p.Topics[0].Effective, p.DiskAlert.Horizon, want)
	}
}

func TestBadInputs(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*Scenario)
		input string
	}{
		{"zero rate", func(s *Scenario) { s.Topics[0].Rate = Declared(Rate(0), "t") }, "Topics[tx].Rate"},
		{"negative rate", func(s *Scenario) { s.Topics[0].Rate = Declared(Rate(-1), "t") }, "Topics[tx].Rate"},
		{"NaN rate", func(s *Scenario) { s.Topics[0].Rate = Declared(Rate(math.NaN()), "t") }, "Topics[tx].Rate"},
		{"compression below 1", func(s *Scenario) { s.Topics[0].Compression = Declared(0.9, "t") }, "Topics[tx].Compression"},
		{"no record size", func(s *Scenario) { s.Topics[0].RecordBytes = Declared(Bytes(0), "t") }, "Topics[tx].RecordBytes"},
		{"zero log rate", func(s *Scenario) { s.Logs[0].Pipelines[1].Rate = Declared(Rate(0), "t") }, "Logs[logs-a].b.Rate"},
		{"more replicas than brokers", func(s *Scenario) { s.Replication = Declared(4, "t") }, "Replication"},
		{"headroom of 100%", func(s *Scenario) { s.Headroom = Declared(1.0, "t") }, "Headroom"},
		{"no disk", func(s *Scenario) { s.Disk = Declared(Bytes(0), "t") }, "Disk"},
		{"retention the disks cannot hold", func(s *Scenario) { s.Topics[0].Retention = Declared(30*Day, "t") }, "Disk"},
		{"fewer partitions than the throughput needs", func(s *Scenario) {
			s.PartitionThroughput = Declared(MB, "t")
			s.Topics[0].Partitions = Declared(3, "t")
		}, "Topics[tx].Partitions"},
		{"log retention the disk cannot hold", func(s *Scenario) { s.ESDisk = Declared(GB, "t") }, "ESDisk"},
		{"log retention in hours", func(s *Scenario) { s.Logs[0].Retention = Declared(36*time.Hour, "t") }, "Logs[logs-a].Retention"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := seedScenario()
			c.edit(&s)
			_, err := Make(s)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Make: %v, want an *Error", err)
			}
			if !strings.Contains(err.Error(), `scenario "seed": `+c.input+":") {
				t.Errorf("error %q does not name scenario seed and input %s", err, c.input)
			}
		})
	}
}

// A plan's tables are in one unit system: never an SI and an IEC figure in one line.
func TestTablesNeverMixUnits(t *testing.T) {
	p, err := Make(seedScenario())
	if err != nil {
		t.Fatal(err)
	}
	si := regexp.MustCompile(`\d (kB|MB|GB|TB|PB)\b`)
	iec := regexp.MustCompile(`\d (KiB|MiB|GiB|TiB|PiB)\b`)
	for _, u := range []System{SI, IEC} {
		var b strings.Builder
		if err := Text(&b, p, u); err != nil {
			t.Fatal(err)
		}
		wrong := iec
		if u == IEC {
			wrong = si
		}
		if m := wrong.FindString(b.String()); m != "" {
			t.Errorf("%s tables print %q", u, m)
		}
		if !strings.Contains(b.String(), "declared: t") {
			t.Errorf("%s tables do not print the inputs' sources", u)
		}
	}
}
