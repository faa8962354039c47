package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.QuietApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The ways the agent is loaded and configured, and what it says when something is wrong. */
@ExtendWith(Jvm.Cleanup.class)
class AgentLoadingIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void javaToolOptionsLoadsTheAgent(Jdk jdk) throws Exception {
        Result result =
                Jvm.on(jdk)
                        .env("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT + "=log=info")
                        .asPid1()
                        .run(QuietApp.class, TIMEOUT, "20", "5000", "report");

        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(lines(result.stderr(), "reaper: reaped zombie")).hasSize(20);
        assertThat(result.stderr()).contains("Picked up JAVA_TOOL_OPTIONS");
    }

    @Test
    void reaperOptionsConfiguresTheAgentAndItsArgumentsWin() throws Exception {
        Result fromEnvironment =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .env("REAPER_OPTIONS", "log=info")
                        .asPid1()
                        .run(QuietApp.class, TIMEOUT, "10", "5000", "report");
        assertThat(lines(fromEnvironment.stderr(), "reaper: reaped zombie")).hasSize(10);

        Result overridden =
                Jvm.on(Jdk.JDK17)
                        .withAgent("log=off")
                        .env("REAPER_OPTIONS", "log=info")
                        .asPid1()
                        .run(QuietApp.class, TIMEOUT, "10", "5000", "report");
        assertThat(overridden.number("zombies_left")).isZero();
        assertThat(overridden.stderr()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "args | sweep=fast     | reaper: bad value 'fast' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m",
                "args | colour=red     | reaper: unknown option 'colour' in the agent options; accepted: enabled, subreaper, log, sweep, grace, strict, relay, stop-order, stop-timeout, stop-budget, exit-remap, stop-on-exit, jmx",
                "args | strict         | reaper: option 'strict' in the agent options has no value: write strict=VALUE",
                "args | log=           | reaper: option 'log' in the agent options has an empty value; accepted: off, warn, info or debug",
                "env  | grace=10       | reaper: bad value '10' for grace; accepted: a duration from 0s to 1h, e.g. 500ms, 2s, 1m",
                "tool | subreaper=maybe | reaper: bad value 'maybe' for subreaper; accepted: true or false",
            })
    void malformedOptionsStopTheJvmWithOneLine(String where, String options, String message)
            throws Exception {
        Jvm jvm = Jvm.on(Jdk.JDK17);
        switch (where) {
            case "args" -> jvm.withAgent(options);
            case "env" -> jvm.withAgent(null).env("REAPER_OPTIONS", options);
            default -> jvm.env("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT + "=" + options);
        }
        Result result = jvm.run(QuietApp.class, TIMEOUT, "0", "0", "report");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stdout()).as("main never ran").isEmpty();
        assertThat(lines(result.stderr(), ""))
                .filteredOn(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS"))
                .containsExactly(message);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void loadedTwiceItRunsOnceAndSaysSo(Jdk jdk) throws Exception {
        Result result =
                Jvm.on(jdk)
                        .withAgent("log=info")
                        .withAgent("log=debug")
                        .asPid1()
                        .run(QuietApp.class, TIMEOUT, "10", "5000", "report");

        assertThat(result.number("zombies_left")).isZero();
        assertThat(
                        lines(
                                result.stderr(),
                                "reaper: already running in this JVM; loading it again does nothing"))
                .hasSize(1);
        assertThat(lines(result.stderr(), "reaper: reaped zombie")).hasSize(10);
    }

    @Test
    void nothingGoesToStdoutAndTheJvmEndsWhenMainEnds() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("log=debug")
                        .asPid1()
                        .run(QuietApp.class, Duration.ofSeconds(20), "50", "3000");

        assertThat(result.status()).isZero();
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void anOrphanLeftBeforeTheJvmStartedIsReaped() throws Exception {
        // the orphan exits 50 ms after the JVM's start, before the agent is ready
        String orphan = "(sh -c 'sleep 0.05; exit 3' &)";
        Result without =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .afterShell(orphan)
                        .run(QuietApp.class, TIMEOUT, "0", "1000", "report");
        assertThat(without.number("zombies_left")).as("%s", without).isEqualTo(1);

        Result with =
                Jvm.on(Jdk.JDK17)
                        .withAgent("log=info")
                        .asPid1()
                        .afterShell(orphan)
                        .run(QuietApp.class, TIMEOUT, "0", "5000", "report");
        assertThat(with.number("zombies_left")).as("%s", with).isZero();
        assertThat(with.stderr())
                .contains("reaper: reaped zombie pid=")
                .contains(" command=sh status=3 zombie_for_ms=");
    }

    @Test
    void underXrsItWarnsAndStillReaps() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("sweep=100ms")
                        .option("-Xrs")
                        .asPid1()
                        .run(QuietApp.class, TIMEOUT, "20", "5000", "report");

        assertThat(result.status()).isZero();
        assertThat(result.number("zombies_left")).isZero();
        assertThat(lines(result.stderr(), "WARNING: reaper:"))
                .containsExactly(
                        "WARNING: reaper: -Xrs stops HotSpot from running Java signal handlers: shutdown signals reach the JVM alone"
                                + " (its descendants get SIGTERM only when it exits), and an orphan adopted while the JVM has no child of"
                                + " its own waits for the sweep (every 100 ms); remove -Xrs");
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jnasNativeLibraryLeavesNothingInItsTemporaryDirectory(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("reaper-jna-tmpdir");
        try {
            Result result =
                    Jvm.on(jdk)
                            .withAgent(null)
                            .option("-Djna.tmpdir=" + dir)
                            .asPid1()
                            .run(QuietApp.class, TIMEOUT, "10", "5000", "report");

            assertThat(result.number("zombies_left")).as("%s", result).isZero();
            assertThat(result.stderr()).as("JNA loaded: no warning").isEmpty();
            assertThat(dir).isEmptyDirectory();
        } finally {
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                // only if the assertion failed: it keeps its message
                for (Path file : left.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void whenJnaCannotLoadItWarnsOnceAndReapsThroughTheJdk() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .option("-Djna.tmpdir=/proc/no-such-dir")
                        .run(QuietApp.class, TIMEOUT, "20", "5000", "report");

        assertThat(result.status()).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(lines(result.stderr(), "WARNING: reaper:"))
                .singleElement()
                .asString()
                .startsWith("WARNING: reaper: JNA cannot load its native library (")
                .contains(
                        "): reaping through the JDK's own calls and /proc instead; lost: it cannot become a subreaper (prctl)")
                .endsWith("; give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
    }

    @Test
    void strictRefusesToStartWhereReapingCannotWork() throws Exception {
        Result xrs =
                Jvm.on(Jdk.JDK17)
                        .withAgent("strict=true")
                        .option("-Xrs")
                        .run(QuietApp.class, TIMEOUT, "0", "0", "report");
        assertThat(xrs.status()).isEqualTo(2);
        assertThat(xrs.stdout()).isEmpty();
        assertThat(lines(xrs.stderr(), ""))
                .singleElement()
                .asString()
                .startsWith("reaper: -Xrs stops HotSpot")
                .endsWith("(strict=true)");

        Result jna =
                Jvm.on(Jdk.JDK17)
                        .withAgent("strict=true")
                        .option("-Djna.tmpdir=/proc/no-such-dir")
                        .run(QuietApp.class, TIMEOUT, "0", "0", "report");
        assertThat(jna.status()).isEqualTo(2);
        assertThat(lines(jna.stderr(), ""))
                .singleElement()
                .asString()
                .startsWith("reaper: JNA cannot load its native library");
    }

    @Test
    void withoutSubreaperAndNotPid1ItWarns() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("subreaper=false")
                        .run(QuietApp.class, TIMEOUT, "0", "0", "report");

        assertThat(result.status()).isZero();
        assertThat(lines(result.stderr(), "WARNING: reaper:"))
                .singleElement()
                .asString()
                .startsWith(
                        "WARNING: reaper: neither PID 1 nor a child subreaper (subreaper=false)");
    }

    /** The lines of {@code text} that hold {@code part}. */
    static List<String> lines(String text, String part) {
        return Arrays.stream(text.split("\n"))
                .filter(l -> !l.isEmpty() && l.contains(part))
                .toList();
    }
}
