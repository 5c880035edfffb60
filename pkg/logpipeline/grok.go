package logpipeline

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A grok pattern here is literal regular expression text with %{DEF:capture} references to
// the pipeline's own definitions. It is written in the part of regular expression syntax
// that RE2 (Go, Filebeat), JavaScript (Filebeat's script processor) and Joni (Elastic's grok,
// Logstash's grok) read alike: no capturing groups but the references, no flags, no
// lookaround, \A and \z as the only anchors. JavaScript has no \z, and Filebeat's engine
// (goja) lets $ match before a final newline, so \z is rendered as a NUL that the script
// appends to the value it matches (JSNul); \A is ^. In Joni ^ and $ match at every line.

var grokRefRE = regexp.MustCompile(`%\{([A-Z][A-Z0-9_]*)(?::([a-z][a-z0-9_]*))?\}`)

// checkPortable rejects what the engines read differently or not at all: groups other
// than (?:...) (captures come from %{DEF:name} only; no flags, no lookaround), ^ and $ (in
// Joni they match at every line: the pattern uses \A and \z), an unescaped . (JavaScript's
// stops at \r too: use [^\n]) and escapes outside a common set.
func checkPortable(what, re string, anchors bool) error {
	class := false
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\':
			if i+1 >= len(re) {
				return fmt.Errorf("%s %q: trailing backslash", what, re)
			}
			e := re[i+1]
			i++
			switch {
			case strings.IndexByte("dDsSwWntrf\\.[]{}()*+?|^$/-:,=\"'<>#%@&!~ ", e) >= 0:
			case (e == 'A' || e == 'z') && anchors && !class:
			default:
				return fmt.Errorf("%s %q: escape \\%c is not read alike by RE2, JavaScript and Joni", what, re, e)
			}
		case class:
			if c == ']' {
				class = false
			}
		case c == '[':
			class = true
			if i+1 < len(re) && re[i+1] == '^' {
				i++
			}
			if i+1 < len(re) && re[i+1] == ']' {
				i++
			}
		case c == '(':
			if !strings.HasPrefix(re[i:], "(?:") {
				return fmt.Errorf("%s %q: only (?:...) groups (captures come from %%{DEF:name}; no flags or lookaround)", what, re)
			}
		case c == '^' || c == '$':
			return fmt.Errorf("%s %q: ^ and $ match at every line in Joni: anchor with \\A and \\z", what, re)
		case c == '.':
			return fmt.Errorf("%s %q: an unescaped . stops at \\r in JavaScript: use [^\\n]", what, re)
		}
	}
	return nil
}

// compiledGrok is a grok step expanded for each engine.
type compiledGrok struct {
	step     Grok
	re       *regexp.Regexp // Go, named groups
	js       string         // JavaScript source, positional groups
	captures []string       // in group order
}

func compileGrok(g Grok) (*compiledGrok, error) {
	for _, name := range sortedKeys(g.Definitions) {
		def := g.Definitions[name]
		if err := checkPortable("definition "+name, def, false); err != nil {
			return nil, err
		}
		if re, err := regexp.Compile(def); err != nil {
			return nil, fmt.Errorf("definition %s: %w", name, err)
		} else if re.NumSubexp() != 0 {
			return nil, fmt.Errorf("definition %s %q: has capturing groups", name, def)
		}
	}
	literal := grokRefRE.ReplaceAllString(g.Pattern, "")
	if strings.Contains(literal, "%{") {
		return nil, fmt.Errorf("grok %q: a reference is not %%{DEF} or %%{DEF:name} (upper-case definition, lower-case neutral name)", g.Pattern)
	}
	if err := checkPortable("grok", literal, true); err != nil {
		return nil, err
	}
	c := &compiledGrok{step: g}
	var goRE, js strings.Builder
	last := 0
	for _, m := range grokRefRE.FindAllStringSubmatchIndex(g.Pattern, -1) {
		lit := g.Pattern[last:m[0]]
		goRE.WriteString(lit)
		js.WriteString(jsAnchors(lit))
		last = m[1]
		def, ok := g.Definitions[g.Pattern[m[2]:m[3]]]
		if !ok {
			return nil, fmt.Errorf("grok %q: %%{%s} is not among the pipeline's definitions", g.Pattern, g.Pattern[m[2]:m[3]])
		}
		if m[4] < 0 {
			goRE.WriteString("(?:" + def + ")")
			js.WriteString("(?:" + def + ")")
			continue
		}
		name := g.Pattern[m[4]:m[5]]
		for _, c0 := range c.captures {
			if c0 == name {
				return nil, fmt.Errorf("grok %q: capture %s twice", g.Pattern, name)
			}
		}
		c.captures = append(c.captures, name)
		goRE.WriteString("(?P<" + name + ">" + def + ")")
		js.WriteString("(" + def + ")")
	}
	goRE.WriteString(g.Pattern[last:])
	js.WriteString(jsAnchors(g.Pattern[last:]))
	re, err := regexp.Compile(goRE.String())
	if err != nil {
		return nil, fmt.Errorf("grok %q: %w", g.Pattern, err)
	}
	c.re, c.js = re, js.String()
	return c, nil
}

// jsAnchors rewrites \A and \z for JavaScript.
func jsAnchors(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'A':
				b.WriteByte('^')
			case 'z':
				b.WriteString(`\x00`)
			default:
				b.WriteString(s[i : i+2])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// match runs the Go expression: the captures that took part in the match.
func (c *compiledGrok) match(s string) (map[string]string, bool) {
	loc := c.re.FindStringSubmatchIndex(s)
	if loc == nil {
		return nil, false
	}
	out := map[string]string{}
	for i, name := range c.re.SubexpNames() {
		if i == 0 || name == "" || loc[2*i] < 0 {
			continue
		}
		out[name] = s[loc[2*i]:loc[2*i+1]]
	}
	return out, true
}

// JSNul ends the value a JavaScript grok expression is run on: its \z.
const JSNul = "\u0000"

// JSRegExp is the JavaScript expression of a grok step (a string literal for new RegExp)
// and its captures in group order.
func JSRegExp(g Grok) (string, []string, error) {
	c, err := compileGrok(g)
	if err != nil {
		return "", nil, err
	}
	b, err := json.Marshal(c.js)
	return string(b), c.captures, err
}

// GoRegexp is the Go expression a grok step runs as here.
func GoRegexp(g Grok) (string, error) {
	c, err := compileGrok(g)
	if err != nil {
		return "", err
	}
	return c.re.String(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
