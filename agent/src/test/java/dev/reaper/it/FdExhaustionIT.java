package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.FdPressureApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The application uses up its file descriptors ({@code ulimit -n}) and holds them while orphans
 * keep coming and its own children exit: the agent reaps on with the descriptors it keeps open (the
 * leader thread's children list; waitid needs none), leaves the JDK's children to the JDK, says
 * once what it cannot do, and holds no more descriptors than before once the pressure is gone.
 */
@ExtendWith(Jvm.Cleanup.class)
class FdExhaustionIT {
    private static final int LIMIT = 256;
    private static final int ORPHANS = 1500;
    private static final int CHILDREN = 20;
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir Path dir;

    /**
     * sweep=100ms,grace=400ms: the agent looks at every thread's children list (a directory to
     * open) every 100 ms (the longer of the sweep and a quarter of the grace), a dozen times while
     * the storm runs; by default it would every 15 s. The JDK's children need no grace: the JDK's
     * table keeps them from the agent.
     */
    @ParameterizedTest(name = "{0}, PID 1: {1}")
    @CsvSource({"JDK17, true", "JDK25, true", "JDK17, false"})
    void reapingGoesOnWhileTheApplicationHoldsEveryFileDescriptor(Jdk jdk, boolean pid1)
            throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent("sweep=100ms,grace=400ms").afterShell("ulimit -n " + LIMIT);
        if (pid1) {
            jvm.asPid1();
        }
        Running running =
                jvm.start(FdPressureApp.class, dir.toString(), "" + ORPHANS, "" + CHILDREN);
        long pid = running.pid();
        awaitFile("baseline");
        long baseline = descriptors(pid);
        touch("fill");
        awaitFile("pressure");
        touch("exit"); // the JDK's children exit now, under the pressure
        awaitFile("storm-done");
        Await.until(
                "every orphan reaped while the application holds every descriptor",
                STEP,
                () -> ProcessTable.zombieChildren(pid) == 0);
        assertThat(descriptors(pid))
                .as(
                        "descriptors of the JVM, under a limit of %d, while the orphans were reaped",
                        LIMIT)
                .isGreaterThanOrEqualTo(LIMIT - 1);
        touch("release");
        awaitFile("released");
        long after = Await.value(STEP, () -> descriptors(pid), n -> n <= baseline);
        touch("finish");
        Result result = running.await(STEP);

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("held")).as("%s", result).isGreaterThan(LIMIT / 2);
        assertThat(result.number("checked")).as("%s", result).isEqualTo(CHILDREN + 1 + 10 + 1);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        // The agent's line goes through java.util.logging, whose first line reads the time zone:
        // under EMFILE that fails in a static initialiser, and the application's TimeZone would be
        // broken for good.
        assertThat(result.values().get("time_zone")).as("%s", result).doesNotStartWith("broken");
        assertThat(after)
                .as(
                        "the JVM's descriptors once the pressure is gone, against %d before it",
                        baseline)
                .isLessThanOrEqualTo(baseline);
        List<String> warnings = AgentLoadingIT.lines(result.stderr(), "WARNING:");
        assertThat(warnings)
                .as("%s", result)
                .singleElement()
                .asString()
                .startsWith("WARNING: reaper: ")
                .contains("Too many open files");
    }

    private static long descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    private void touch(String name) throws IOException {
        Files.writeString(dir.resolve(name), "");
    }

    private void awaitFile(String name) throws IOException, InterruptedException {
        Await.until(dir.resolve(name) + " created", STEP, () -> Files.exists(dir.resolve(name)));
    }
}
