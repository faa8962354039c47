package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.RecordedStormApp;
import dev.reaper.it.apps.ShutdownApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The JFR events and the MBean, counted against what the test did. */
@ExtendWith(Jvm.Cleanup.class)
class JfrIT {
    private static final int ORPHANS = 500;
    private static final Pattern REAPED =
            Pattern.compile(
                    "INFO: reaper: reaped zombie pid=(\\d+) command=(\\S+) status=(\\d+) zombie_for_ms=(-?\\d+)");
    @TempDir Path dir;

    /**
     * The JVM records to {@code file}, with a disk repository of its own beside it. JFR names its
     * repository in java.io.tmpdir after the second it started and the pid, and uses a directory of
     * that name that exists already: two JVMs that are PID 1 (of their own namespaces) and start in
     * the same second share one, and the first to exit deletes it, so the other's dump on exit
     * fails ("Could not finish chunk. Chunkfile ... is missing"; "Unable to complete I/O operation
     * when dumping recording") and leaves the file empty. That happened when suites ran side by
     * side.
     */
    private static Jvm recorded(Jvm jvm, Path file) {
        return jvm.option(
                        "-XX:FlightRecorderOptions:repository="
                                + file.resolveSibling(file.getFileName() + ".repository"))
                .option("-XX:StartFlightRecording:filename=" + file);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aRecordingHoldsOneEventPerReapedZombieAndTheMBeanCountsThemToo(Jdk jdk) throws Exception {
        Path recording = dir.resolve("storm.jfr");
        Result result =
                recorded(Jvm.on(jdk).withAgent("jmx=true,log=info"), recording)
                        .asPid1()
                        .run(RecordedStormApp.class, Duration.ofSeconds(60), "" + ORPHANS);

        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.number("mbean_zombies_reaped")).isEqualTo(ORPHANS);
        // the log line of each reaped zombie (LogLinesIT checks what its figures mean), by pid
        Map<Long, String> logged = new HashMap<>();
        for (String line : AgentLoadingIT.lines(result.stderr(), "INFO: reaper: reaped zombie ")) {
            Matcher m = REAPED.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            logged.put(
                    Long.parseLong(m.group(1)), m.group(2) + " " + m.group(3) + " " + m.group(4));
        }
        List<RecordedEvent> reaped =
                RecordingFile.readAllEvents(recording).stream()
                        .filter(e -> e.getEventType().getName().equals("dev.reaper.ZombieReaped"))
                        .toList();
        assertThat(reaped).hasSize(ORPHANS);
        assertThat(reaped)
                .allSatisfy(
                        e -> {
                            assertThat(e.getLong("pid"))
                                    .as("an orphan, not the JVM (PID 1)")
                                    .isGreaterThan(1);
                            assertThat(e.getString("command")).isEqualTo("sh");
                            assertThat(e.getInt("exitStatus")).isZero();
                            assertThat(e.getDuration("zombieFor").isNegative())
                                    .as("known (-1 ms: the kernel does not tell)")
                                    .isFalse();
                            // the event says what the log line says: command, status, and how long
                            // it was a zombie, to the millisecond
                            assertThat(
                                            e.getString("command")
                                                    + " "
                                                    + e.getInt("exitStatus")
                                                    + " "
                                                    + e.getDuration("zombieFor").toMillis())
                                    .isEqualTo(logged.get(e.getLong("pid")));
                        });
        assertThat(reaped.stream().map(e -> e.getLong("pid")).distinct().count())
                .as("one event per orphan")
                .isEqualTo(ORPHANS);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aRelayedShutdownIsAnEventToo(Jdk jdk) throws Exception {
        Path recording = dir.resolve("stop.jfr");
        Path tree = dir.resolve("tree");
        java.nio.file.Files.createDirectories(tree);
        // all-at-once: the relay before the shutdown hooks, among them JFR's, which writes the
        // recording at exit (with hooks-first the relay comes after it); each worker's cleanup
        // takes 2 s (worker.sh: fork2s), which the relay waits for
        Running jvm =
                recorded(
                                Jvm.on(jdk)
                                        .withAgent(
                                                "stop-order=all-at-once,stop-timeout=10s,stop-budget=20s"),
                                recording)
                        .asPid1()
                        .start(ShutdownApp.class, tree.toString(), "handler=fork2s")
                        .awaitAgentReady();
        WorkerTree.awaitReady(tree);
        long signalled = System.nanoTime();
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));
        Duration stopToEnd = Duration.ofNanos(System.nanoTime() - signalled);
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(WorkerTree.graceful(tree)).isEqualTo(WorkerTree.ALL_GRACEFUL);
        assertThat(java.nio.file.Files.size(recording))
                .as("the recording JFR dumps at exit%n%s", result)
                .isPositive();

        List<RecordedEvent> relayed =
                RecordingFile.readAllEvents(recording).stream()
                        .filter(
                                e ->
                                        e.getEventType()
                                                .getName()
                                                .equals("dev.reaper.ShutdownRelayed"))
                        .toList();
        assertThat(relayed)
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getString("signal")).isEqualTo("SIGTERM");
                            assertThat(e.getInt("processes")).isGreaterThanOrEqualTo(31);
                            assertThat(e.getInt("killed")).isZero();
                            // the relay lasted while the workers cleaned up, and was over before
                            // the JVM had ended
                            assertThat(e.getDuration())
                                    .as("against the workers' cleanup")
                                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
                                    .as("against the time from SIGTERM to the JVM's end")
                                    .isLessThanOrEqualTo(stopToEnd);
                        });
    }
}
