package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.FleetApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * At log=info, one key=value line per reaped zombie and per relayed stop, through System.Logger
 * (here the JDK's java.util.logging, on stderr), that a log pipeline parses.
 */
@ExtendWith(Jvm.Cleanup.class)
class LogLinesIT {
    /** logfmt: key=value or key="quoted value", separated by spaces, the whole rest of the line. */
    private static final Pattern LOGFMT = Pattern.compile("(?:\\w+=(?:\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]+)(?: |$))+");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]+)");

    @TempDir
    Path dir;

    @Test
    void eachReapedZombieAndEachRelayedStopIsOneKeyValueLine() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).withAgent("log=info,stop-timeout=500ms").asPid1()
                .start(FleetApp.class, dir.toString(), "5", "2", "1", "false");
        PrometheusIT.awaitFile(dir.resolve("ready"));
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);

        List<Map<String, String>> reaped = events(result.stderr(), "INFO: reaper: reaped zombie ");
        assertThat(reaped).as("%s", result).hasSize(8).allSatisfy(line -> {
            assertThat(line).containsOnlyKeys("pid", "command", "status", "zombie_for_ms");
            assertThat(Long.parseLong(line.get("pid"))).isGreaterThan(1);
            assertThat(Long.parseLong(line.get("zombie_for_ms"))).isNotNegative();
        });
        // 5 shells that exit at once, 2 sleeps ended by the relayed SIGTERM, 1 that ignored it: SIGKILL
        assertThat(reaped).extracting(line -> line.get("command") + " " + line.get("status")).containsExactlyInAnyOrder(
                "sh 0", "sh 0", "sh 0", "sh 0", "sh 0", "sleep 143", "sleep 143", "sleep 137");

        List<Map<String, String>> stops = events(result.stderr(), "INFO: reaper: relayed stop ");
        assertThat(stops).as("%s", result).singleElement().satisfies(line -> {
            assertThat(line).containsOnlyKeys("signal", "processes", "killed", "took_ms");
            assertThat(line).contains(Map.entry("signal", "SIGTERM"), Map.entry("processes", "3"), Map.entry("killed", "1"));
            assertThat(Long.parseLong(line.get("took_ms"))).isNotNegative();
        });
    }

    /** The fields of each line that starts with {@code prefix}; the rest of each must be logfmt. */
    private static List<Map<String, String>> events(String stderr, String prefix) {
        return Arrays.stream(stderr.split("\n")).filter(l -> l.startsWith(prefix)).map(l -> {
            String rest = l.substring(prefix.length());
            assertThat(LOGFMT.matcher(rest).matches()).as("'%s' is key=value fields", rest).isTrue();
            Map<String, String> fields = new java.util.LinkedHashMap<>();
            Matcher m = FIELD.matcher(rest);
            while (m.find()) {
                fields.put(m.group(1), m.group(2));
            }
            return fields;
        }).toList();
    }
}
