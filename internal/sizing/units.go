package sizing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes is an amount of data. It is a float: rates and averages are fractional, and the
// planner never needs more precision than a float64 holds.
type Bytes float64

// Common sizes, named in the system they belong to.
const (
	KB Bytes = 1e3
	MB Bytes = 1e6
	GB Bytes = 1e9
	TB Bytes = 1e12
	PB Bytes = 1e15

	KiB Bytes = 1 << 10
	MiB Bytes = 1 << 20
	GiB Bytes = 1 << 30
	TiB Bytes = 1 << 40
	PiB Bytes = 1 << 50
)

// System is a family of unit prefixes. A table is printed in one system throughout: the
// system we replace wrote TB where it meant PB, and a reader cannot check a column whose
// rows switch between 1000 and 1024.
type System int

const (
	SI  System = iota // powers of 1000: kB, MB, GB, TB, PB (what disks and networks are sold in)
	IEC               // powers of 1024: KiB, MiB, GiB, TiB, PiB (what df -h and the JVM print)
)

func (s System) String() string {
	if s == IEC {
		return "IEC"
	}
	return "SI"
}

// ParseSystem reads "si" or "iec".
func ParseSystem(s string) (System, error) {
	switch strings.ToLower(s) {
	case "si":
		return SI, nil
	case "iec":
		return IEC, nil
	}
	return SI, fmt.Errorf("unit system %q: want si or iec", s)
}

var prefixes = map[System][]string{
	SI:  {"B", "kB", "MB", "GB", "TB", "PB", "EB"},
	IEC: {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"},
}

// Format prints b in system s with three significant digits: 144 GB, 134 GiB, 1.14 PB.
func (b Bytes) Format(s System) string {
	base := 1000.0
	if s == IEC {
		base = 1024
	}
	units := prefixes[s]
	v := float64(b)
	neg := v < 0
	v = math.Abs(v)
	i := 0
	for v >= base && i < len(units)-1 {
		v /= base
		i++
	}
	// Rounding to three digits may carry into the next unit (999.6 kB is 1.00 MB).
	if r := round3(v); r >= base && i < len(units)-1 {
		v /= base
		i++
	}
	out := strconv.FormatFloat(round3(v), 'f', -1, 64) + " " + units[i]
	if neg {
		out = "-" + out
	}
	return out
}

// SI prints b in powers of 1000.
func (b Bytes) SI() string { return b.Format(SI) }

// IEC prints b in powers of 1024.
func (b Bytes) IEC() string { return b.Format(IEC) }

// round3 rounds to three significant digits, keeping whole numbers whole (144, 1140).
func round3(v float64) float64 {
	if v == 0 {
		return 0
	}
	digits := 3 - int(math.Floor(math.Log10(v))) - 1
	if digits < 0 {
		digits = 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
