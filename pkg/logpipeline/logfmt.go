package logpipeline

import (
	"encoding/json"
	"fmt"
)

// decodeLogfmt reads key=value pairs separated by spaces. A quoted value is read as a JSON
// string (go-kit and slog quote with the same escapes); a key with no = is "true". The
// rendered Filebeat script runs the same algorithm.
func decodeLogfmt(s string) (map[string]any, error) {
	out := map[string]any{}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		k := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' {
			i++
		}
		key := s[k:i]
		if key == "" {
			return nil, fmt.Errorf("logfmt: empty key at offset %d", k)
		}
		if i >= len(s) || s[i] == ' ' {
			out[key] = "true"
			continue
		}
		i++ // '='
		if i < len(s) && s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("logfmt: unterminated quote of %s", key)
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, fmt.Errorf("logfmt: value of %s: %w", key, err)
			}
			out[key] = v
			i = j + 1
			continue
		}
		v := i
		for i < len(s) && s[i] != ' ' {
			i++
		}
		out[key] = s[v:i]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("logfmt: no pairs")
	}
	return out, nil
}

// logfmtJS is the same decoder for Filebeat's script processor (ECMAScript 5.1).
const logfmtJS = `function decodeLogfmt(s) {
  var out = {}, n = 0, i = 0;
  while (i < s.length) {
    while (i < s.length && s.charAt(i) === ' ') i++;
    if (i >= s.length) break;
    var k = i;
    while (i < s.length && s.charAt(i) !== '=' && s.charAt(i) !== ' ') i++;
    var key = s.substring(k, i);
    if (key === '') throw new Error('logfmt: empty key at offset ' + k);
    n++;
    if (i >= s.length || s.charAt(i) === ' ') { out[key] = 'true'; continue; }
    i++;
    if (i < s.length && s.charAt(i) === '"') {
      var j = i + 1;
      while (j < s.length && s.charAt(j) !== '"') { if (s.charAt(j) === '\\') j++; j++; }
      if (j >= s.length) throw new Error('logfmt: unterminated quote of ' + key);
      out[key] = JSON.parse(s.substring(i, j + 1));
      i = j + 1;
      continue;
    }
    var v = i;
    while (i < s.length && s.charAt(i) !== ' ') i++;
    out[key] = s.substring(v, i);
  }
  if (n === 0) throw new Error('logfmt: no pairs');
  return out;
}`

// LogfmtJS is the JavaScript logfmt decoder the Filebeat renderer embeds.
func LogfmtJS() string { return logfmtJS }
