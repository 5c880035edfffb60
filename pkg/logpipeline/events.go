package logpipeline

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Event is one event of a log file: its lines joined by "\n", as Filebeat's multiline
// parser joins them, and the 1-based number of its first line.
type Event struct {
	Line int
	Text string
}

// Splitter groups the lines of a log file into events by a pipeline's start-of-event rule
// and drops what its skip rules say are no events, the way the rendered Filebeat input
// does (multiline parser first, then exclude_lines on the whole event, empty events
// dropped). It is what a test counts the events of a raw file with.
type Splitter struct {
	start *regexp.Regexp // nil: every line is an event
	skip  []*regexp.Regexp
}

// Splitter compiles the pipeline's start and skip rules.
func (p Pipeline) Splitter() (Splitter, error) {
	var s Splitter
	var err error
	if p.Start != "" {
		if s.start, err = regexp.Compile(p.Start); err != nil {
			return s, fmt.Errorf("start of event %q: %w", p.Start, err)
		}
	}
	for _, k := range p.Skip {
		re, err := regexp.Compile(k)
		if err != nil {
			return s, fmt.Errorf("skip %q: %w", k, err)
		}
		s.skip = append(s.skip, re)
	}
	return s, nil
}

// Split reads r to the end and returns its events.
func (s Splitter) Split(r io.Reader) ([]Event, error) {
	var out []Event
	var cur []string
	first := 0
	flush := func() {
		if cur == nil {
			return
		}
		text := strings.Join(cur, "\n")
		cur = nil
		if text == "" {
			return
		}
		for _, re := range s.skip {
			if re.MatchString(text) {
				return
			}
		}
		out = append(out, Event{Line: first, Text: text})
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if s.start == nil || s.start.MatchString(line) || cur == nil {
			flush()
			first = n
			cur = []string{line}
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out, sc.Err()
}

// Count is the number of events in the file at path.
func (s Splitter) Count(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	evs, err := s.Split(f)
	return len(evs), err
}
