// GrokCheck runs grok patterns on Elastic's own grok engine (org.elasticsearch:elasticsearch-grok,
// Joni, the pattern bank Logstash and ES ingest share) for finobs' tests. It reads lines on
// stdin and answers one line each, every value base64 (UTF-8):
//   grok ID PATTERN [NAME=REGEX]...   -> compiled ID | error ID MESSAGE
//   match ID TEXT                      -> nomatch | match [NAME=VALUE]...
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.elasticsearch.grok.Grok;
import org.elasticsearch.grok.GrokBuiltinPatterns;
import org.elasticsearch.grok.MatcherWatchdog;
import org.elasticsearch.grok.PatternBank;

public final class GrokCheck {
    private static String dec(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static String enc(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        Map<String, Grok> groks = new HashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ");
            if (f[0].equals("grok")) {
                // Logstash's pattern_definitions extend the built-in (legacy) bank.
                Map<String, String> bank = new HashMap<>(GrokBuiltinPatterns.legacyPatterns().bank());
                for (int i = 3; i < f.length; i++) {
                    String def = dec(f[i]);
                    int eq = def.indexOf('=');
                    bank.put(def.substring(0, eq), def.substring(eq + 1));
                }
                try {
                    groks.put(f[1], new Grok(new PatternBank(bank), dec(f[2]), MatcherWatchdog.noop(), w -> {}));
                    out.println("compiled " + f[1]);
                } catch (RuntimeException e) {
                    out.println("error " + f[1] + " " + enc(String.valueOf(e.getMessage())));
                }
            } else if (f[0].equals("match")) {
                Grok g = groks.get(f[1]);
                String text = f.length > 2 ? dec(f[2]) : "";
                Map<String, Object> caps = g.captures(text);
                if (caps == null) {
                    out.println("nomatch");
                    continue;
                }
                StringBuilder b = new StringBuilder("match");
                for (Map.Entry<String, Object> e : new TreeMap<>(caps).entrySet()) {
                    if (e.getValue() == null) {
                        continue;
                    }
                    b.append(' ').append(enc(e.getKey() + "=" + e.getValue()));
                }
                out.println(b);
            } else {
                out.println("error - " + enc("unknown command " + f[0]));
            }
        }
    }
}
