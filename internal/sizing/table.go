package sizing

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Table is one titled table of a plan.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Tables lays out a plan in unit system u (one system throughout: never mixed).
func Tables(p Plan, u System) []Table {
	s := p.Scenario
	b := func(v Bytes) string { return v.Format(u) }
	var out []Table

	out = append(out, InputsTable(s, u))

	flow := Table{Title: "Kafka volume", Header: []string{"Topic", "Stage", "per second", "per hour", "per day", "per year"}}
	stages := func(name string, f Flow) {
		for _, st := range []struct {
			stage string
			v     func(Flow) Bytes
		}{
			{"raw", func(f Flow) Bytes { return f.Raw }},
			{"compressed", func(f Flow) Bytes { return f.Compressed }},
			{fmt.Sprintf("replicated (x%d)", s.Replication.V), func(f Flow) Bytes { return f.Replicated }},
		} {
			flow.Rows = append(flow.Rows, []string{name, st.stage, b(st.v(f)), b(st.v(f.Over(Hour))), b(st.v(f.Over(Day))), b(st.v(f.Over(Year)))})
		}
	}
	for _, t := range p.Topics {
		stages(t.Topic.Name, t.Flow)
	}
	if len(p.Topics) > 1 {
		stages("all topics", p.Flow)
	}
	flow.Notes = []string{"A year is 365 days. Replicated is what the brokers write to their disks, every replica counted."}
	out = append(out, flow)

	gr := Table{Title: "Growth", Header: []string{"After", "Load", "raw per year", "compressed per year", "replicated per year", "on disk per broker", "with headroom", fmt.Sprintf("fits %s disks", b(s.Disk.V))}}
	gr.Rows = append(gr.Rows, []string{"today", "x1", b(p.Flow.Over(Year).Raw), b(p.Flow.Over(Year).Compressed), b(p.Flow.Over(Year).Replicated), b(p.PerBroker), b(p.Needed), "yes"})
	for _, y := range p.Growth {
		fits := "yes"
		if !y.Fits {
			fits = "no"
		}
		v := y.Flow.Over(Year)
		gr.Rows = append(gr.Rows, []string{plural(y.Years, "year"), "x" + num(y.Factor), b(v.Raw), b(v.Compressed), b(v.Replicated), b(y.PerBroker), b(y.Needed), fits})
	}
	gr.Notes = []string{fmt.Sprintf("Load compounds at %s a year. On disk: every topic's retention, every replica, spread over %s.", pct(s.Growth.V), plural(s.Brokers.V, "broker"))}
	out = append(out, gr)

	tp := Table{Title: "Topics", Header: []string{"Topic", "partitions needed (today / in 5 years)", "partitions", "per partition replica", "retention.ms", "retention.bytes", "segment.bytes", "a segment rolls every", "records kept"}}
	for _, t := range p.Topics {
		tp.Rows = append(tp.Rows, []string{t.Topic.Name, fmt.Sprintf("%d / %d", t.Partitions, t.PartitionsIn5y), strconv.Itoa(t.Count), b(t.PartitionBytes),
			fmt.Sprintf("%d (%s)", t.Topic.Retention.V.Milliseconds(), fmtDuration(t.Topic.Retention.V)),
			fmt.Sprintf("%d (%s)", int64(t.RetentionBytes), b(t.RetentionBytes)),
			fmt.Sprintf("%d (%s)", int64(t.SegmentBytes), b(t.SegmentBytes)), fmtDuration(t.SegmentRoll.Round(time.Minute)), kept(t)})
	}
	tp.Notes = []string{
		fmt.Sprintf("Partitions: the compressed rate over %s/s a partition, rounded up to a multiple of the brokers (%d).", b(s.PartitionThroughput.V), s.Brokers.V),
		"A partition replica keeps its share of the retention plus one segment (Kafka deletes whole segments, never the active one).",
		"retention.bytes is the partition's share of the usable disk: a load above the plan hits it before the disk is full.",
	}
	out = append(out, tp)

	br := Table{Title: "Brokers", Header: []string{"on disk per broker", "with headroom", "disk", "used at the plan"}}
	br.Rows = [][]string{{b(p.PerBroker), b(p.Needed), b(s.Disk.V), pct(float64(p.PerBroker / s.Disk.V))}}
	out = append(out, br)

	if len(p.Logs) > 0 {
		lg := Table{Title: "Elasticsearch", Header: []string{"Index", "Pipelines", "events/s", "bytes per event", "per day", "retention", "ILM delete age", "daily indices", "on disk (all copies)", "primary shard a day"}}
		for _, ix := range p.Logs {
			var names []string
			for _, v := range ix.Index.Pipelines {
				names = append(names, v.Pipeline)
			}
			lg.Rows = append(lg.Rows, []string{ix.Index.Index, strings.Join(names, ", "), num(float64(ix.Rate.V)), b(ix.EventBytes.V), b(ix.Daily),
				fmtDuration(ix.Index.Retention.V), fmtDuration(ix.DeleteAge), strconv.Itoa(ix.Indices), b(ix.OnDisk), b(ix.ShardBytes)})
		}
		lg.Rows = append(lg.Rows, []string{"all", "", "", "", "", "", "", "", b(p.ESOnDisk), ""})
		lg.Notes = []string{
			fmt.Sprintf("Per node: %s, %s with %s kept free, over %s with %s.", b(p.ESPerNode), b(p.ESNeeded), pct(s.ESHeadroom.V), plural(s.ESNodes.V, "node"), plural(s.ESReplicas.V, "replica")),
			"Daily indices: the delete age is the retention plus the day an index spans, so its last document is kept the whole retention; retention + 1 indices live at once.",
		}
		for _, ix := range p.Logs {
			if ix.Rate.Source.Measured() {
				lg.Notes = append(lg.Notes, fmt.Sprintf("%s events/s %s; bytes per event %s", ix.Index.Index, ix.Rate.Source, ix.EventBytes.Source))
			}
		}
		out = append(out, lg)
	}

	if len(s.Claims) > 0 && u == SI { // a document's figures are in its own (SI) units: not beside IEC ones
		cl := Table{Title: "Against the design document", Header: []string{"Figure", "document", "plan", "why they differ"}}
		for _, c := range s.Claims {
			cl.Rows = append(cl.Rows, []string{c.What, c.Claimed, b(c.Planned(p)), c.Why})
		}
		out = append(out, cl)
	}

	da := Table{Title: "Disk alert (KafkaDiskFillingUp)", Header: []string{"predict_linear window", "horizon", "why"}}
	da.Rows = [][]string{{fmtDuration(p.DiskAlert.Window), fmtDuration(p.DiskAlert.Horizon), p.DiskAlert.Why}}
	out = append(out, da)
	return out
}

// Markdown writes the plan as Markdown: a heading, the description, then each table.
func Markdown(w io.Writer, p Plan, u System, level int) error {
	h := strings.Repeat("#", level)
	fmt.Fprintf(w, "%s Scenario `%s`\n\n%s\n\nUnits: %s (%s).\n", h, p.Scenario.Name, p.Scenario.Description, u, unitNote(u))
	for _, t := range Tables(p, u) {
		fmt.Fprintf(w, "\n%s# %s\n\n", h, t.Title)
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
		for _, r := range t.Rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = strings.ReplaceAll(c, "|", `\|`)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "\n%s\n", n)
		}
	}
	return nil
}

// Text writes the plan as aligned columns for a terminal.
func Text(w io.Writer, p Plan, u System) error {
	fmt.Fprintf(w, "Scenario %s: %s\nUnits: %s (%s).\n", p.Scenario.Name, p.Scenario.Description, u, unitNote(u))
	for _, t := range Tables(p, u) {
		fmt.Fprintf(w, "\n== %s\n", t.Title)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
		for _, r := range t.Rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	return nil
}

func unitNote(u System) string {
	if u == IEC {
		return "powers of 1024: KiB, MiB, GiB, TiB, PiB"
	}
	return "powers of 1000: kB, MB, GB, TB, PB"
}

func pct(v float64) string { return num(v*100) + "%" }

// num prints a number with up to three significant decimals, thousands grouped.
func num(v float64) string {
	if v >= 1e4 || v == float64(int64(v)) {
		s := strconv.FormatInt(int64(v+0.5), 10)
		var out []byte
		for i := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				out = append(out, ',')
			}
			out = append(out, s[i])
		}
		return string(out)
	}
	return strconv.FormatFloat(round3(v), 'f', -1, 64)
}

// kept says how long a topic's records stay, and why when retention.bytes cuts it short.
func kept(t TopicPlan) string {
	if t.Effective < t.Topic.Retention.V {
		return fmtDuration(t.Effective) + " (retention.bytes fills first)"
	}
	return fmtDuration(t.Effective)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// InputsTable lists a scenario's inputs with their sources, in unit system u.
func InputsTable(s Scenario, u System) Table {
	b := func(v Bytes) string { return v.Format(u) }
	in := Table{Title: "Inputs", Header: []string{"Input", "Value", "Source"}}
	add := func(name, value string, src Source) { in.Rows = append(in.Rows, []string{name, value, src.String()}) }
	for _, t := range s.Topics {
		add(t.Name+" rate", fmt.Sprintf("%s records/s (%s records/h)", num(float64(t.Rate.V)), num(t.Rate.V.Hourly())), t.Rate.Source)
		add(t.Name+" bytes per record", b(t.RecordBytes.V), t.RecordBytes.Source)
		add(t.Name+" compression ratio", fmt.Sprintf("%sx", num(t.Compression.V)), t.Compression.Source)
		add(t.Name+" retention", fmtDuration(t.Retention.V), t.Retention.Source)
		if t.Partitions.V > 0 {
			add(t.Name+" partitions", strconv.Itoa(t.Partitions.V), t.Partitions.Source)
		}
		if t.RetentionBytes.V > 0 {
			add(t.Name+" retention bytes", b(t.RetentionBytes.V)+" per partition", t.RetentionBytes.Source)
		}
	}
	add("replication factor", strconv.Itoa(s.Replication.V), s.Replication.Source)
	add("brokers", strconv.Itoa(s.Brokers.V), s.Brokers.Source)
	add("disk per broker", b(s.Disk.V), s.Disk.Source)
	add("headroom", pct(s.Headroom.V)+" of each disk kept free", s.Headroom.Source)
	add("yearly growth", pct(s.Growth.V), s.Growth.Source)
	add("per-partition throughput", b(s.PartitionThroughput.V)+"/s compressed", s.PartitionThroughput.Source)
	add("largest segment", b(s.maxSegment()), s.BrokerSegment.Source)
	add("reaction time", fmtDuration(s.ReactionTime.V), s.ReactionTime.Source)
	if len(s.Logs) > 0 {
		for _, ix := range s.Logs {
			for _, v := range ix.Pipelines {
				add("log "+v.Pipeline+" rate", num(float64(v.Rate.V))+" events/s", v.Rate.Source)
				add("log "+v.Pipeline+" bytes per event", b(v.EventBytes.V)+" stored", v.EventBytes.Source)
			}
			if m, ok := s.measuredLogs[ix.Index]; ok {
				add("log index "+ix.Index+" rate", num(float64(m.rate.V))+" events/s", m.rate.Source)
				add("log index "+ix.Index+" bytes per event", b(m.eventBytes.V)+" stored", m.eventBytes.Source)
			}
			add("log index "+ix.Index+" retention", fmtDuration(ix.Retention.V), ix.Retention.Source)
		}
		add("Elasticsearch nodes", strconv.Itoa(s.ESNodes.V), s.ESNodes.Source)
		add("Elasticsearch replicas", strconv.Itoa(s.ESReplicas.V), s.ESReplicas.Source)
		add("Elasticsearch primary shards per index", strconv.Itoa(s.ESShards.V), s.ESShards.Source)
		add("Elasticsearch largest shard", b(s.ESMaxShard.V), s.ESMaxShard.Source)
		if s.ESDisk.V > 0 {
			add("Elasticsearch disk per node", b(s.ESDisk.V), s.ESDisk.Source)
		}
		add("Elasticsearch headroom", pct(s.ESHeadroom.V)+" of each disk kept free", s.ESHeadroom.Source)
	}
	return in
}

// TextTable writes one table as aligned columns.
func TextTable(w io.Writer, t Table) error {
	fmt.Fprintf(w, "\n== %s\n", t.Title)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	return nil
}
