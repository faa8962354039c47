package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.PausedStormApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JVM is stopped (SIGSTOP, as {@code kill -STOP} or a job control stop does) while an orphan
 * storm runs and its own children exit, the JDK's, NuProcess's and posix_spawn's: they all wait as
 * zombies until it is continued (SIGCONT). Then the agent, the JDK's reaper threads and NuProcess's
 * all wake at once to a pile of zombies, and the posix_spawn children wait for the application's
 * waitpid long after: every zombie is reaped, and every child's exit status is the one its starter
 * reads.
 */
@ExtendWith(Jvm.Cleanup.class)
class StoppedJvmIT {
    private static final int ORPHANS = 1000;
    private static final int CHILDREN = 40;
    private static final int NATIVE = 20;
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}, PID 1: {1}")
    @CsvSource({"JDK17, true", "JDK25, true", "JDK17, false"})
    void everyZombieIsReapedAndEveryExitStatusExactAfterTheJvmIsContinued(Jdk jdk, boolean pid1)
            throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent(null).classPath(Jvm.APP_JNA + ":" + Jvm.NUPROCESS);
        if (pid1) {
            jvm.asPid1();
        }
        if (jdk == Jdk.JDK25) {
            // for the application's own JNA (NuProcess's)
            jvm.option("--enable-native-access=ALL-UNNAMED");
        }
        Running running =
                jvm.start(
                        PausedStormApp.class,
                        dir.toString(),
                        "" + ORPHANS,
                        "" + CHILDREN,
                        "" + NATIVE);
        long pid = running.pid();
        Await.until(
                "the application started its children",
                STEP,
                () -> Files.exists(dir.resolve("ready")));

        running.signal("STOP");
        Await.until("every thread of JVM " + pid + " stopped", STEP, () -> allThreadsStopped(pid));
        Files.writeString(dir.resolve("go"), "");
        int zombies = ORPHANS + CHILDREN + NATIVE + 1; // and the storm's shell
        Await.until(
                "the storm, and every child of the stopped JVM, ended",
                STEP,
                () -> ProcessTable.zombieChildren(pid) == zombies);
        assertThat(allThreadsStopped(pid)).as("JVM still stopped").isTrue();
        running.signal("CONT");
        Result result = running.await(STEP);

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("checked")).as("%s", result).isEqualTo(CHILDREN + NATIVE + 1);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.stderr()).as("%s", result).doesNotContain("reaper:");
    }

    /**
     * Whether every thread of the process is in state T (stopped), as /proc/PID/task/TID/stat
     * shows.
     */
    private static boolean allThreadsStopped(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.allMatch(
                    task -> {
                        try {
                            String stat = Files.readString(task.resolve("stat"));
                            return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
                        } catch (NoSuchFileException ended) {
                            return true;
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
        }
    }
}
