package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.ShutdownApp;
import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a stop reaches the descendants (src/docs/shutdown.md): by default once the JVM's own
 * shutdown hooks have run, with stop-order=all-at-once before them; and whatever the hooks do, in
 * time within stop-budget. The order is read from the files the hook and the workers write as they
 * end.
 */
@ExtendWith(Jvm.Cleanup.class)
class StopOrderIT {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"JDK17, hooks-first", "JDK17, all-at-once", "JDK25, hooks-first"})
    void theDescendantsGetTheSignalAfterTheHooksOrBeforeThem(Jdk jdk, String order)
            throws Exception {
        Running jvm =
                Jvm.on(jdk)
                        .withAgent("stop-order=" + order)
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString(), "hook")
                        .awaitAgentReady();
        WorkerTree.awaitReady(dir);
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(WorkerTree.graceful(dir)).isEqualTo(WorkerTree.ALL_GRACEFUL);
        FileTime hookDone = Files.getLastModifiedTime(dir.resolve("hook.done"));
        List<FileTime> workersEnded = gracefulTimes();
        if (order.equals("hooks-first")) {
            assertThat(workersEnded)
                    .as("every worker ended after the hook's 1 s command")
                    .allSatisfy(t -> assertThat(t).isGreaterThan(hookDone));
        } else {
            assertThat(workersEnded)
                    .as("every worker ended before the hook's 1 s command")
                    .allSatisfy(t -> assertThat(t).isLessThan(hookDone));
        }
    }

    /**
     * A hook that never ends must not cost the descendants their signal: with stop-budget=5s and
     * stop-timeout=1s, the relay begins 3 s after the signal (one second is kept back), and the
     * agent says so. The JVM itself then hangs in its hook until the outside world kills it.
     */
    @Test
    void aHookThatHangsDoesNotCostTheDescendantsTheirSignal() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("stop-budget=5s,stop-timeout=1s")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString(), "hanging-hook")
                        .awaitAgentReady();
        WorkerTree.awaitReady(dir);
        long signalled = System.nanoTime();
        jvm.signal("TERM");
        Await.until(
                "the hook hangs",
                Duration.ofSeconds(30),
                () -> Files.exists(dir.resolve("hook.hanging")));
        Await.until(
                "every worker ended gracefully",
                Duration.ofSeconds(30),
                () -> WorkerTree.graceful(dir).equals(WorkerTree.ALL_GRACEFUL));
        long tookMillis = (System.nanoTime() - signalled) / 1_000_000;

        assertThat(tookMillis)
                .as("the relay waited for the hooks until budget - timeout - 1 s")
                .isGreaterThanOrEqualTo(2_900);
        jvm.signal("KILL"); // what the outside world does at the end of the budget
        Result result = jvm.await(Duration.ofSeconds(30));
        assertThat(result.stderr())
                .contains("WARNING: reaper: the JVM's shutdown hooks still run")
                .contains(
                        "relaying SIGTERM to the descendants now, so that they get stop-timeout (1000 ms) within stop-budget (5000 ms)");
    }

    private List<FileTime> gracefulTimes() throws Exception {
        List<FileTime> times = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file :
                    files.filter(f -> f.getFileName().toString().endsWith(".graceful")).toList()) {
                times.add(Files.getLastModifiedTime(file));
            }
        }
        return times;
    }
}
