package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.FleetApp;
import dev.reaper.it.apps.QuietApp;
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
    private static final Pattern LOGFMT =
            Pattern.compile("(?:\\w+=(?:\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]+)(?: |$))+");

    private static final Pattern FIELD =
            Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]+)");

    private static final Duration STOP_TIMEOUT = Duration.ofMillis(500);

    @TempDir Path dir;

    @Test
    void eachReapedZombieAndEachRelayedStopIsOneKeyValueLine() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("log=info,stop-timeout=" + STOP_TIMEOUT.toMillis() + "ms")
                        .asPid1()
                        .start(FleetApp.class, dir.toString(), "5", "2", "1", "false");
        PrometheusIT.awaitFile(dir.resolve("ready"));
        long signalled = System.nanoTime();
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));
        Duration stopToEnd = Duration.ofNanos(System.nanoTime() - signalled);
        assertThat(result.status()).as("%s", result).isEqualTo(143);

        List<Map<String, String>> reaped = events(result.stderr(), "INFO: reaper: reaped zombie ");
        assertThat(reaped)
                .as("%s", result)
                .hasSize(8)
                .allSatisfy(
                        line -> {
                            assertThat(line)
                                    .containsOnlyKeys("pid", "command", "status", "zombie_for_ms");
                            assertThat(Long.parseLong(line.get("pid"))).isGreaterThan(1);
                            // a number of milliseconds, known (-1 would say the kernel does not
                            // tell); what it measures: zombieForIsHowLongItWasAZombie
                            assertThat(line.get("zombie_for_ms")).matches("\\d+");
                        });
        // 5 shells that exit at once, 2 sleeps ended by the relayed SIGTERM, 1 that ignored it:
        // SIGKILL
        assertThat(reaped)
                .extracting(line -> line.get("command") + " " + line.get("status"))
                .containsExactlyInAnyOrder(
                        "sh 0",
                        "sh 0",
                        "sh 0",
                        "sh 0",
                        "sh 0",
                        "sleep 143",
                        "sleep 143",
                        "sleep 137");

        List<Map<String, String>> stops = events(result.stderr(), "INFO: reaper: relayed stop ");
        assertThat(stops)
                .as("%s", result)
                .singleElement()
                .satisfies(
                        line -> {
                            assertThat(line)
                                    .containsOnlyKeys("signal", "processes", "killed", "took_ms");
                            assertThat(line)
                                    .contains(
                                            Map.entry("signal", "SIGTERM"),
                                            Map.entry("processes", "3"),
                                            Map.entry("killed", "1"));
                            // one process ignored SIGTERM: the relay waited the stop-timeout for
                            // it, then killed it; and it was over before the JVM had ended
                            assertThat(Long.parseLong(line.get("took_ms")))
                                    .as("took_ms, against stop-timeout")
                                    .isGreaterThanOrEqualTo(STOP_TIMEOUT.toMillis())
                                    .as("took_ms, against the time from SIGTERM to the JVM's end")
                                    .isLessThanOrEqualTo(stopToEnd.toMillis());
                        });
    }

    /**
     * zombie_for_ms is how long the process was a zombie before it was reaped: here one is held a
     * zombie for 2 s (its parent, sleep, never waits for it) before it is orphaned and the agent
     * can reap it. The figure comes from the scheduler's clocks, which may be a fraction of a
     * second apart between CPUs (Proc.deadForMillis): at least 1 s.
     */
    @Test
    void zombieForIsHowLongItWasAZombie() throws Exception {
        // The child waits until its parent has become sleep: had it ended before, the shell would
        // have reaped it.
        String held =
                "(sh -c '(until grep -qx sleep /proc/$$/comm; do sleep 0.01; done; exit 7) & exec sleep 2' &)";
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("log=info")
                        .asPid1()
                        .afterShell(held)
                        .run(QuietApp.class, Duration.ofSeconds(60), "0", "10000", "report");

        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        List<Map<String, String>> reaped = events(result.stderr(), "INFO: reaper: reaped zombie ");
        assertThat(reaped)
                .as("%s", result)
                .extracting(line -> line.get("command") + " " + line.get("status"))
                .containsExactlyInAnyOrder("sh 7", "sleep 0");
        Map<String, String> zombie =
                reaped.stream()
                        .filter(line -> line.get("status").equals("7"))
                        .findFirst()
                        .orElseThrow();
        assertThat(Long.parseLong(zombie.get("zombie_for_ms")))
                .as("%s", result)
                .isGreaterThanOrEqualTo(1000);
    }

    /** The fields of each line that starts with {@code prefix}; the rest of each must be logfmt. */
    private static List<Map<String, String>> events(String stderr, String prefix) {
        return Arrays.stream(stderr.split("\n"))
                .filter(l -> l.startsWith(prefix))
                .map(
                        l -> {
                            String rest = l.substring(prefix.length());
                            assertThat(LOGFMT.matcher(rest).matches())
                                    .as("'%s' is key=value fields", rest)
                                    .isTrue();
                            Map<String, String> fields = new java.util.LinkedHashMap<>();
                            Matcher m = FIELD.matcher(rest);
                            while (m.find()) {
                                fields.put(m.group(1), m.group(2));
                            }
                            return fields;
                        })
                .toList();
    }
}
