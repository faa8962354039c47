package dev.reaper.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LogTest {
    /**
     * A logfmt reader as a log pipeline has one: key=value or key="quoted value", separated by
     * spaces.
     */
    static final Pattern FIELD =
            Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]+)(?: |$)");

    static Map<String, String> parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        int at = 0;
        while (m.find() && m.start() == at) {
            String value = m.group(2);
            fields.put(
                    m.group(1),
                    value.startsWith("\"")
                            ? value.substring(1, value.length() - 1)
                                    .replace("\\n", "\n")
                                    .replace("\\\"", "\"")
                                    .replace("\\\\", "\\")
                            : value);
            at = m.end();
        }
        assertThat(at).as("the whole of '%s' is key=value fields", line).isEqualTo(line.length());
        return fields;
    }

    @Test
    void fieldsArePlainKeyValuePairs() {
        assertThat(Log.fields("pid", 2137L, "command", "sleep", "status", 143, "zombie_for_ms", 4L))
                .isEqualTo("pid=2137 command=sleep status=143 zombie_for_ms=4");
    }

    @Test
    void valuesThatWouldBreakTheLineAreQuotedAndReadBackExactly() {
        String[] awkward = {
            "tmux: server", "", "say \"hi\"", "a=b", "back\\slash", "two\nlines", "tab\there"
        };
        for (String value : awkward) {
            String line = Log.fields("command", value, "status", 0);
            assertThat(line).doesNotContain("\n");
            assertThat(parse(line))
                    .as(line)
                    .containsExactly(Map.entry("command", value), Map.entry("status", "0"));
        }
        assertThat(Log.fields("command", null)).isEqualTo("command=-");
    }
}
