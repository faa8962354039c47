package dev.reaper.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The guard, run for real: test classes (the nested ones below, which the build does not run by
 * themselves) executed by the JUnit engine under {@link LeavesNoProcesses}, leaving real processes
 * behind or not.
 */
class ProcessLeakGuardTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /** Pids the nested classes report, for the assertions here. */
    private static volatile long leaked;

    private static volatile long leakedToo;

    @Test
    void aDoubleForkedOrphanFailsTheClassNamedWithItsCommandLineAndParentAndIsKilled()
            throws Exception {
        Throwable failure =
                run(LeavesAnOrphan.class, "2")
                        .orElseThrow(() -> new AssertionError("the class did not fail"));

        long reaper = ProcessTable.reaperOfThisProcess();
        assertThat(failure)
                .hasMessageContaining(
                        "LeavesAnOrphan left 1 process behind, still there 2 s after it ended (killed now):")
                .hasMessageContaining(
                        "  pid " + leaked + " (state S): sleep 1000; parent " + reaper + ": ");
        assertGone(leaked);
    }

    @Test
    void aRunningChildAndAZombieBelowItFailTheClass() throws Exception {
        Throwable failure =
                run(LeavesAChildWithAZombie.class, "2")
                        .orElseThrow(() -> new AssertionError("the class did not fail"));

        long self = ProcessHandle.current().pid();
        assertThat(failure)
                .hasMessageContaining("LeavesAChildWithAZombie left 2 processes behind")
                .hasMessageContaining(
                        "  pid " + leaked + " (state S): sleep 1000; parent " + self + ": ")
                .hasMessageContaining(
                        "  pid "
                                + leakedToo
                                + " (a zombie): [sh]; parent "
                                + leaked
                                + ": sleep 1000");
        assertGone(leaked);
        assertGone(leakedToo);
    }

    @Test
    void aGrandchildWhoseParentWasKilledFailsTheClassThoughItRunsInAnotherSession()
            throws Exception {
        Throwable failure =
                run(KillsTheParentOnly.class, "2")
                        .orElseThrow(() -> new AssertionError("the class did not fail"));

        assertThat(failure)
                .hasMessageContaining("  pid " + leaked + " (state S): sleep 1000; parent ");
        assertGone(leaked);
    }

    @Test
    void aPidNamespaceWhoseUnshareWasKilledFailsTheClass() throws Exception {
        assumeUnshare();
        Throwable failure =
                run(KillsUnshareOnly.class, "2")
                        .orElseThrow(() -> new AssertionError("the class did not fail"));

        assertThat(failure)
                .hasMessageContaining(
                        "  pid " + leaked + " (state S): sh -c sleep 1000 & wait; parent ")
                .hasMessageContaining(
                        "): sleep 1000; parent " + leaked + ": sh -c sleep 1000 & wait");
        assertGone(leaked);
    }

    @Test
    void whatEndsWithinTheDeadlineAndWhatExistedBeforeDoNotFailTheClass() throws Exception {
        Process before = new ProcessBuilder("sleep", "1000").start();
        try {
            assertThat(run(CleansUpLate.class, "30")).isEmpty();
        } finally {
            before.destroyForcibly().waitFor();
        }
    }

    /**
     * Runs {@code testClass} under the guard with a deadline of {@code seconds}; the class's
     * failure, if it failed.
     */
    private static Optional<Throwable> run(Class<?> testClass, String seconds) {
        EngineExecutionResults results =
                EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(testClass))
                        .configurationParameter(ProcessLeakGuard.DEADLINE_PARAMETER, seconds)
                        .execute();
        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        return results.containerEvents().executions().failed().stream()
                .map(e -> e.getTerminationInfo().getExecutionResult().getThrowable())
                .flatMap(Optional::stream)
                .findFirst();
    }

    private static void assertGone(long pid) throws Exception {
        // killed: a zombie until its parent (the reaper, this JVM's ProcessImpl) reaps it, then
        // gone
        Await.until(
                "process " + pid + " killed",
                DEADLINE,
                () -> ProcessTable.stat(pid).map(ProcessTable.Entry::zombie).orElse(true));
    }

    /**
     * Under CI (CI=true) a missing tool fails the test; elsewhere it is skipped, saying what to do.
     */
    private static void assumeUnshare() throws Exception {
        boolean can =
                new ProcessBuilder("unshare", "--pid", "--fork", "true").start().waitFor() == 0;
        assertThat(can || !"true".equals(System.getenv("CI")))
                .as("CI=true and unshare cannot make a pid namespace")
                .isTrue();
        assumeTrue(
                can,
                "cannot make a pid namespace with unshare (run as root; Debian package util-linux)");
    }

    /** The first line {@code process} printed: a pid. */
    private static long firstLine(Process process) throws Exception {
        return Long.parseLong(
                new BufferedReader(
                                new InputStreamReader(
                                        process.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine()
                        .strip());
    }

    @LeavesNoProcesses
    static class LeavesAnOrphan {
        @Test
        void leaves() throws Exception {
            // sh exits at once: its sleep is an orphan
            Process sh = new ProcessBuilder("sh", "-c", "sleep 1000 & echo $!").start();
            leaked = firstLine(sh);
            sh.waitFor();
        }
    }

    @LeavesNoProcesses
    static class LeavesAChildWithAZombie {
        @Test
        void leaves() throws Exception {
            // sleep never waits for the child it inherits from sh, which stays a zombie: a subshell
            // that ends once sh has become sleep (had it ended before, sh would have reaped it)
            Process sleep =
                    new ProcessBuilder(
                                    "sh",
                                    "-c",
                                    "(until grep -q '^sleep$' /proc/$$/comm; do sleep 0.01; done) & echo $!; exec sleep 1000")
                            .start();
            leakedToo = firstLine(sleep);
            leaked = sleep.pid();
            Await.until("the zombie", DEADLINE, () -> ProcessTable.zombieChildren(leaked) == 1);
        }
    }

    @LeavesNoProcesses
    static class KillsTheParentOnly {
        @Test
        void leaves() throws Exception {
            // a setsid'd worker that sleeps in a child: killing the worker orphans the sleep, in
            // the worker's session
            Process worker =
                    new ProcessBuilder("setsid", "sh", "-c", "sleep 1000 & echo $!; wait").start();
            leaked = firstLine(worker);
            long samples = ProcessLeakGuard.SAMPLES.get();
            Await.until(
                    "the guard looked at the tree",
                    DEADLINE,
                    () -> ProcessLeakGuard.SAMPLES.get() >= samples + 2);
            worker.destroyForcibly().waitFor();
        }
    }

    @LeavesNoProcesses
    static class KillsUnshareOnly {
        @Test
        void leaves() throws Exception {
            Process unshare =
                    new ProcessBuilder(
                                    "unshare", "--pid", "--fork", "sh", "-c", "sleep 1000 & wait")
                            .start();
            Await.until(
                    "PID 1 of the namespace and its sleep",
                    DEADLINE,
                    () -> ProcessTable.descendants(unshare.pid()).size() == 2);
            leaked = ProcessTable.children(unshare.pid()).get(0);
            // its child, PID 1 of the namespace, lives on, re-parented
            unshare.destroyForcibly().waitFor();
        }
    }

    @LeavesNoProcesses
    static class CleansUpLate {
        static Process late;

        @Test
        void startsWhatEndsLater() throws Exception {
            // an orphan that ends by itself
            new ProcessBuilder("sh", "-c", "sleep 0.5 &").start().waitFor();
            late = new ProcessBuilder("sleep", "1000").start();
        }

        @AfterAll
        static void stop() throws Exception {
            new Thread(
                            () -> {
                                try {
                                    Thread.sleep(
                                            1000); // a cleanup still under way when the class has
                                    // ended
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                late.destroy();
                            })
                    .start();
        }
    }
}
