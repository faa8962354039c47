package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.HeapPressureApp;
import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The application runs out of heap and holds all of it while an orphan storm runs: the agent's own
 * allocations fail too (its reaping thread's, and its log line's). It must outlive that, say at
 * most once what it could not do, and reap every orphan once the heap is back, with the application
 * running on and its children's exit statuses exact.
 */
@ExtendWith(Jvm.Cleanup.class)
class OutOfMemoryIT {
    private static final int ORPHANS = 1000;
    private static final int CHILDREN = 20;
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}, PID 1: {1}")
    @CsvSource({"JDK17, true", "JDK25, true", "JDK17, false"})
    void theAgentOutlivesAFullHeapAndReapsEveryOrphan(Jdk jdk, boolean pid1) throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent(null).option("-Xmx48m");
        if (pid1) {
            jvm.asPid1();
        }
        Running running =
                jvm.start(HeapPressureApp.class, dir.toString(), "" + ORPHANS, "" + CHILDREN);
        Await.until("the heap full", STEP, () -> Files.exists(dir.resolve("full")));
        Await.until("the storm over", STEP, () -> Files.exists(dir.resolve("storm-done")));
        running.process().getOutputStream().write('\n'); // let go of the heap
        running.process().getOutputStream().flush();
        Result result = running.await(STEP);

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("errors"))
                .as("OutOfMemoryErrors the application caught: %s", result)
                .isPositive();
        assertThat(result.number("checked")).as("%s", result).isEqualTo(CHILDREN + 1 + 10);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        // No thread of the agent's dies. JNA's own "JNA Cleaner" may: it catches Exception, not
        // Error, and a full collection under the full heap hands it references to clean (JNA 5.19;
        // it is restarted only if it ended idle).
        assertThat(
                        result.stderr()
                                .lines()
                                .filter(
                                        line ->
                                                line.contains("in thread")
                                                        && !line.contains("\"JNA Cleaner\"")))
                .as("%s", result)
                .isEmpty();
        List<String> warnings = AgentLoadingIT.lines(result.stderr(), "reaper:");
        assertThat(warnings)
                .as("%s", result)
                .hasSizeLessThanOrEqualTo(1)
                .allSatisfy(line -> assertThat(line).contains("OutOfMemoryError"));
    }
}
