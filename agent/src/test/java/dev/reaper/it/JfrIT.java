package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.RecordedStormApp;
import dev.reaper.it.apps.ShutdownApp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    /** How far the scheduler's clocks of two CPUs may be apart (seen here: 0.3 s; see Proc.deadForMillis). */
    private static final Duration CPU_CLOCK_SKEW = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    /**
     * The JVM records to {@code file}, with a disk repository of its own beside it. JFR names its
     * repository in java.io.tmpdir after the second it started and the pid, and uses a directory of
     * that name that exists already: two JVMs that are PID 1 (of their own namespaces) and start in
     * the same second share one, and the first to exit deletes it, so the other's dump on exit fails
     * ("Could not finish chunk. Chunkfile ... is missing"; "Unable to complete I/O operation when
     * dumping recording") and leaves the file empty. That happened when suites ran side by side.
     */
    private static Jvm recorded(Jvm jvm, Path file) {
        return jvm.option("-XX:FlightRecorderOptions:repository=" + file.resolveSibling(file.getFileName() + ".repository"))
                .option("-XX:StartFlightRecording:filename=" + file);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aRecordingHoldsOneEventPerReapedZombieAndTheMBeanCountsThemToo(Jdk jdk) throws Exception {
        Path recording = dir.resolve("storm.jfr");
        Result result = recorded(Jvm.on(jdk).withAgent("jmx=true"), recording).asPid1().run(RecordedStormApp.class, Duration.ofSeconds(60), "" + ORPHANS);

        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.number("mbean_zombies_reaped")).isEqualTo(ORPHANS);
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        Instant jvmStarted = events.stream().filter(e -> e.getEventType().getName().equals("jdk.JVMInformation")).findFirst()
                .orElseThrow().getInstant("jvmStartTime");
        List<RecordedEvent> reaped = events.stream().filter(e -> e.getEventType().getName().equals("dev.reaper.ZombieReaped")).toList();
        assertThat(reaped).hasSize(ORPHANS);
        assertThat(reaped).allSatisfy(e -> {
            assertThat(e.getLong("pid")).as("an orphan, not the JVM (PID 1)").isGreaterThan(1);
            assertThat(e.getString("command")).isEqualTo("sh");
            assertThat(e.getInt("exitStatus")).isZero();
            // each orphan died after the JVM had started, and was reaped when the event was recorded; the figure
            // comes from the scheduler's clocks, which may be a fraction of a second apart between CPUs
            assertThat(e.getDuration("zombieFor")).isBetween(Duration.ZERO, Duration.between(jvmStarted, e.getStartTime()).plus(CPU_CLOCK_SKEW));
        });
        assertThat(reaped.stream().map(e -> e.getLong("pid")).distinct().count()).as("one event per orphan").isEqualTo(ORPHANS);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aRelayedShutdownIsAnEventToo(Jdk jdk) throws Exception {
        Path recording = dir.resolve("stop.jfr");
        Path tree = dir.resolve("tree");
        java.nio.file.Files.createDirectories(tree);
        Running jvm = recorded(Jvm.on(jdk).withAgent(null), recording).asPid1().start(ShutdownApp.class, tree.toString()).awaitAgentReady();
        WorkerTree.awaitReady(tree);
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(java.nio.file.Files.size(recording)).as("the recording JFR dumps at exit%n%s", result).isPositive();

        List<RecordedEvent> relayed = RecordingFile.readAllEvents(recording).stream()
                .filter(e -> e.getEventType().getName().equals("dev.reaper.ShutdownRelayed")).toList();
        assertThat(relayed).singleElement().satisfies(e -> {
            assertThat(e.getString("signal")).isEqualTo("SIGTERM");
            assertThat(e.getInt("processes")).isGreaterThanOrEqualTo(31);
            assertThat(e.getInt("killed")).isZero();
            assertThat(e.getDuration()).isPositive();
        });
    }
}
