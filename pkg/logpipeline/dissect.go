package logpipeline

import (
	"fmt"
	"regexp"
	"strings"
)

// dissector is a dissect pattern compiled the way Filebeat's and Logstash's dissect read
// it: a leading literal that must be at the start, then keys each ended by the first
// occurrence of their delimiter; the last key takes the rest. Supported keys: %{name},
// %{+name} (appended, joined by the delimiter before it), %{?name} and %{} (skipped).
type dissector struct {
	prefix string
	keys   []dissectKey
}

type dissectKey struct {
	name   string // "" skips
	append bool
	join   string // delimiter before this key (for append)
	delim  string // delimiter after this key; "" for the last
}

var dissectKeyRE = regexp.MustCompile(`%\{([^}]*)\}`)

// dissectKeyName is a neutral capture name: no dots, so the pattern text reads the same in
// Filebeat (dots nest) and Logstash (dots are literal).
var dissectKeyName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func compileDissect(pattern string) (*dissector, error) {
	locs := dissectKeyRE.FindAllStringSubmatchIndex(pattern, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("dissect %q: no keys", pattern)
	}
	d := &dissector{prefix: pattern[:locs[0][0]]}
	prev := d.prefix
	for i, l := range locs {
		raw := pattern[l[2]:l[3]]
		k := dissectKey{join: prev}
		switch {
		case raw == "":
		case strings.HasPrefix(raw, "?"):
			raw = ""
		case strings.HasPrefix(raw, "+"):
			k.append, raw = true, raw[1:]
			fallthrough
		default:
			if !dissectKeyName.MatchString(raw) {
				return nil, fmt.Errorf("dissect %q: key %q: want a neutral name (lower case, digits, _), renamed by a field", pattern, raw)
			}
			k.name = raw
		}
		end := len(pattern)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		k.delim = pattern[l[1]:end]
		if k.delim == "" && i+1 < len(locs) {
			return nil, fmt.Errorf("dissect %q: two keys with no delimiter between them", pattern)
		}
		prev = k.delim
		d.keys = append(d.keys, k)
	}
	return d, nil
}

// names are the keys the pattern saves.
func (d *dissector) names() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range d.keys {
		if k.name != "" && !seen[k.name] {
			seen[k.name] = true
			out = append(out, k.name)
		}
	}
	return out
}

// cut dissects s; the error says which delimiter was not found.
func (d *dissector) cut(s string) (map[string]string, error) {
	if s == "" {
		return nil, fmt.Errorf("empty value")
	}
	if !strings.HasPrefix(s, d.prefix) {
		return nil, fmt.Errorf("does not start with %q", d.prefix)
	}
	off := len(d.prefix)
	out := map[string]string{}
	for _, k := range d.keys {
		end := len(s)
		if k.delim != "" {
			i := strings.Index(s[off:], k.delim)
			if i < 0 {
				return nil, fmt.Errorf("delimiter %q not found after offset %d", k.delim, off)
			}
			end = off + i
		}
		v := s[off:end]
		switch {
		case k.name == "":
		case k.append:
			if old, ok := out[k.name]; ok {
				join := k.join
				if join == "" {
					join = " "
				}
				v = old + join + v
			}
			out[k.name] = v
		default:
			out[k.name] = v
		}
		off = end + len(k.delim)
	}
	return out, nil
}
