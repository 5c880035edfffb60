package compose

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A reader of the small shell scripts this package writes (healthchecks, sh -c
// entrypoints, one-shot jobs): which commands they run. It knows words, quotes, command
// substitution, pipes and lists, redirections, assignments and if/while; what it does not
// know (case, for, functions, here-documents) it refuses, so a script it passes is one
// it read whole.

// token is a word of a script or an operator ("" word).
type token struct {
	op   string
	word string // the word without its quotes; "$(…)" stands for a substitution
	lit  bool   // the word has no expansion: what it says is what runs
}

// reserved words that begin or continue a compound command, after which a command comes.
var reservedStart = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true,
	"do": true, "done": true, "while": true, "until": true, "!": true, "{": true, "}": true}

// reservedUnread are the compound commands the reader does not follow.
var reservedUnread = map[string]bool{"case": true, "esac": true, "for": true, "select": true, "function": true, "in": true}

var redirections = []string{"<<-", "<<", "<>", "<&", ">&", ">>", ">|", "<", ">"}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// shellCommands lists the commands a script runs, in order: the first word of each
// simple command once its assignments are skipped, those of command substitutions, and
// the program an exec or command builtin runs. args are "$@" where the script is sh -c's
// (Compose appends the command to the entrypoint): a command word "$@" is args[0].
func shellCommands(script string, args []string) ([]string, error) {
	toks, subs, err := lex(script)
	if err != nil {
		return nil, err
	}
	var out []string
	start, target := true, false
	for i, t := range toks {
		if t.op != "" {
			if strings.HasPrefix(t.op, "<<") {
				return nil, errors.New("a here-document, which the checker does not read")
			}
			target = isRedirection(t.op)
			if !target {
				start = true
			}
			continue
		}
		switch {
		case target:
			target = false
		case !start:
		case t.lit && reservedUnread[t.word]:
			return nil, fmt.Errorf("%q, which the checker does not read", t.word)
		case t.lit && reservedStart[t.word]:
		case assignment.MatchString(t.word):
		case t.word == "$@" && !t.lit:
			if len(args) == 0 {
				return nil, errors.New(`runs "$@" with no arguments`)
			}
			out, start = append(out, args[0]), false
		case !t.lit:
			return nil, fmt.Errorf("runs a command it computes (%s)", t.word)
		default:
			out, start = append(out, t.word), false
			// exec and command run the next word that is not an option.
			if t.word == "exec" || t.word == "command" {
				start = nextIsCommand(toks[i+1:])
			}
		}
	}
	for _, s := range subs {
		more, err := shellCommands(s, nil)
		if err != nil {
			return nil, fmt.Errorf("in $(%s): %w", s, err)
		}
		out = append(out, more...)
	}
	return out, nil
}

// nextIsCommand: the words after exec or command name a program (not only redirections).
func nextIsCommand(rest []token) bool {
	return len(rest) > 0 && rest[0].op == "" && !strings.HasPrefix(rest[0].word, "-")
}

func isRedirection(op string) bool {
	for _, r := range redirections {
		if op == r {
			return true
		}
	}
	return false
}

// lex splits a script into words and operators, and returns the bodies of its command
// substitutions (read on their own by the caller).
func lex(s string) (toks []token, subs []string, err error) {
	var w strings.Builder
	inWord, lit := false, true
	end := func() {
		if inWord {
			toks = append(toks, token{word: w.String(), lit: lit})
		}
		w.Reset()
		inWord, lit = false, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			end()
		case c == '\n':
			end()
			toks = append(toks, token{op: "\n"})
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			i--
		case c == '\\':
			if i+1 < len(s) && s[i+1] != '\n' {
				w.WriteByte(s[i+1])
			}
			i++
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, nil, errors.New("an unterminated '")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j, sub, err := doubleQuoted(s, i+1, &w)
			if err != nil {
				return nil, nil, err
			}
			subs = append(subs, sub...)
			if len(sub) > 0 || strings.Contains(s[i:j], "$") {
				lit = false
			}
			i, inWord = j, true
		case c == '$' || c == '`':
			j, sub, err := expansion(s, i)
			if err != nil {
				return nil, nil, err
			}
			if sub != "" {
				subs = append(subs, sub)
			}
			w.WriteString(s[i : j+1])
			i, inWord, lit = j, true, false
		case strings.IndexByte("|&;()<>", c) >= 0:
			if (c == '<' || c == '>') && inWord && allDigits(w.String()) {
				w.Reset()
				inWord = false // an io number: part of the redirection
			}
			end()
			op := operator(s[i:])
			toks = append(toks, token{op: op})
			i += len(op) - 1
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	end()
	return toks, subs, nil
}

// operator is the longest shell operator s starts with.
func operator(s string) string {
	for _, op := range append([]string{"&&", "||", ";;", "&>"}, redirections...) {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return s[:1]
}

// doubleQuoted reads "…" from i (after the quote) to its closing quote, which it returns
// the index of, writing the text to w and returning the substitutions inside.
func doubleQuoted(s string, i int, w *strings.Builder) (int, []string, error) {
	var subs []string
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, subs, nil
		case '\\':
			if i+1 < len(s) {
				w.WriteByte(s[i+1])
			}
			i++
		case '$', '`':
			j, sub, err := expansion(s, i)
			if err != nil {
				return 0, nil, err
			}
			if sub != "" {
				subs = append(subs, sub)
			}
			w.WriteString(s[i : j+1])
			i = j
		default:
			w.WriteByte(c)
		}
	}
	return 0, nil, errors.New(`an unterminated "`)
}

// expansion reads the $… or `…` at i, returning the index of its last byte and, for a
// command substitution, its body.
func expansion(s string, i int) (int, string, error) {
	if s[i] == '`' {
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			return 0, "", errors.New("an unterminated `")
		}
		return i + 1 + j, s[i+1 : i+1+j], nil
	}
	if i+1 >= len(s) {
		return i, "", nil
	}
	switch s[i+1] {
	case '(':
		j, err := closing(s, i+1, '(', ')')
		if err != nil {
			return 0, "", err
		}
		if strings.HasPrefix(s[i:], "$((") {
			return j, "", nil // arithmetic
		}
		return j, s[i+2 : j], nil
	case '{':
		j, err := closing(s, i+1, '{', '}')
		return j, "", err
	}
	j := i + 1
	if strings.IndexByte("@*#?$!-0123456789", s[j]) >= 0 {
		return j, "", nil // a special parameter
	}
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	return j - 1, "", nil
}

// closing is the index of the bracket closing the one at i, quotes skipped.
func closing(s string, i int, open, close byte) (int, error) {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case open:
			depth++
		case close:
			if depth--; depth == 0 {
				return i, nil
			}
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return 0, errors.New("an unterminated '")
			}
			i += j + 1
		case '\\':
			i++
		}
	}
	return 0, fmt.Errorf("an unclosed %c", open)
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// bashisms are what bash has and POSIX sh (dash, busybox ash) lacks or reads otherwise.
var bashisms = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`/dev/(tcp|udp)/`), "bash's /dev/tcp and /dev/udp"},
	{regexp.MustCompile(`\[\[|\]\]`), "[[ ]]"},
	{regexp.MustCompile(`<<<`), "a here-string (<<<)"},
	{regexp.MustCompile(`&>`), "&> redirection"},
	{regexp.MustCompile(`[<>]\(`), "process substitution"},
	{regexp.MustCompile(`\$'`), "$'…' quoting"},
	{regexp.MustCompile(`(^|[\s;&|])(function|source|declare|typeset|let)\s`), "a bash builtin or keyword (function, source, declare, typeset, let)"},
	{regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*(/|:[0-9]|: +-?[0-9])`), "${var/…} or ${var:offset}"},
	{regexp.MustCompile(`\{[^{}\s]*\.\.[^{}\s]*\}`), "a brace range {a..b}"},
	{regexp.MustCompile(`pipefail`), "pipefail"},
	{regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*=\(`), "an array"},
}

// bashismsIn lists the bashisms of a script meant for /bin/sh.
func bashismsIn(script string) []string {
	var out []string
	for _, b := range bashisms {
		if b.re.MatchString(script) {
			out = append(out, b.what)
		}
	}
	return out
}
