package logpipeline

import (
	"fmt"
	"strings"
	"time"
)

// TimestampLayout is how @timestamp is written: UTC, milliseconds, as Filebeat and
// Logstash write it.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// javaTokens are the Java date pattern letters a layout may use, with their Go layout.
var javaTokens = []struct{ java, goLayout string }{
	{"yyyy", "2006"}, {"yy", "06"}, {"MM", "01"}, {"dd", "02"},
	{"HH", "15"}, {"mm", "04"}, {"ss", "05"}, {"SSS", "000"},
}

// GoLayout is the Go time layout of the time's layout (Filebeat's timestamp processor
// reads Go layouts; Logstash's date filter and log4j2 read the Java one).
func (t Time) GoLayout() (string, error) {
	if t.Layout == ISO8601 {
		return time.RFC3339Nano, nil
	}
	var b strings.Builder
	s := t.Layout
	for len(s) > 0 {
		matched := false
		for _, tok := range javaTokens {
			if strings.HasPrefix(s, tok.java) {
				b.WriteString(tok.goLayout)
				s = s[len(tok.java):]
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := s[0]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			return "", fmt.Errorf("time layout %q: %q is not one of yyyy yy MM dd HH mm ss SSS", t.Layout, s)
		}
		b.WriteByte(c)
		s = s[1:]
	}
	return b.String(), nil
}

// Location is the zone a layout without one is read in.
func (t Time) Location() (*time.Location, error) {
	if t.Zone == "" {
		if t.Layout == ISO8601 {
			return time.UTC, nil
		}
		return nil, fmt.Errorf("time layout %q has no zone: say which (Zone)", t.Layout)
	}
	return time.LoadLocation(t.Zone)
}

// Parse reads a timestamp as the pipeline declares it.
func (t Time) Parse(v string) (time.Time, error) {
	layout, err := t.GoLayout()
	if err != nil {
		return time.Time{}, err
	}
	loc, err := t.Location()
	if err != nil {
		return time.Time{}, err
	}
	ts, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, err
	}
	return ts.UTC(), nil
}
