package preview

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Format prints a value in a Grafana unit, close to how Grafana shows it.
func Format(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 0):
		if v > 0 {
			return "+Inf"
		}
		return "-Inf"
	}
	switch unit {
	case "percentunit":
		return num(v*100) + "%"
	case "percent":
		return num(v) + "%"
	case "bytes":
		return scaled(v, 1024, []string{" B", " KiB", " MiB", " GiB", " TiB", " PiB"})
	case "decbytes":
		return scaled(v, 1000, []string{" B", " kB", " MB", " GB", " TB", " PB"})
	case "Bps":
		return scaled(v, 1000, []string{" B/s", " kB/s", " MB/s", " GB/s", " TB/s"})
	case "binBps":
		return scaled(v, 1024, []string{" B/s", " KiB/s", " MiB/s", " GiB/s", " TiB/s"})
	case "bps":
		return scaled(v, 1000, []string{" b/s", " kb/s", " Mb/s", " Gb/s", " Tb/s"})
	case "s", "dtdurations":
		return duration(v)
	case "ms":
		return duration(v / 1e3)
	case "µs":
		return duration(v / 1e6)
	case "ns":
		return duration(v / 1e9)
	case "m":
		return duration(v * 60)
	case "h":
		return duration(v * 3600)
	case "d":
		return duration(v * 86400)
	case "cps":
		return short(v) + " c/s"
	case "ops":
		return short(v) + " ops/s"
	case "reqps":
		return short(v) + " req/s"
	case "rps":
		return short(v) + " rd/s"
	case "wps":
		return short(v) + " wr/s"
	case "dateTimeAsIso":
		return time.Unix(int64(v), 0).UTC().Format("2006-01-02 15:04:05")
	case "none", "string":
		return num(v)
	}
	if s, ok := strings.CutPrefix(unit, "suffix:"); ok {
		return short(v) + " " + s
	}
	return short(v)
}

// short is Grafana's "short": thousands as K, Mil, Bil, Tri.
func short(v float64) string {
	return scaled(v, 1000, []string{"", " K", " Mil", " Bil", " Tri"})
}

func scaled(v, base float64, suffixes []string) string {
	i := 0
	a := math.Abs(v)
	for a >= base && i < len(suffixes)-1 {
		a /= base
		v /= base
		i++
	}
	return num(v) + suffixes[i]
}

// num prints at most 3 significant digits, without trailing zeros.
func num(v float64) string {
	a := math.Abs(v)
	var s string
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.001:
		s = strconv.FormatFloat(v, 'f', 3, 64)
	default:
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func duration(sec float64) string {
	a := math.Abs(sec)
	switch {
	case a == 0:
		return "0 s"
	case a < 1e-6:
		return num(sec*1e9) + " ns"
	case a < 1e-3:
		return num(sec*1e6) + " µs"
	case a < 1:
		return num(sec*1e3) + " ms"
	case a < 60:
		return num(sec) + " s"
	case a < 3600:
		return num(sec/60) + " min"
	case a < 86400:
		return num(sec/3600) + " hour"
	}
	return num(sec/86400) + " day"
}
