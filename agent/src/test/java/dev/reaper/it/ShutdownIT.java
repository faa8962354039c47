package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.ShutdownApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The JVM's shutdown signals reach its whole tree; the JVM ends when the tree has. */
@ExtendWith(Jvm.Cleanup.class)
class ShutdownIT {
    private static final Map<String, Integer> ALL_GRACEFUL = WorkerTree.ALL_GRACEFUL;

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sigtermReachesEveryDescendantAndTheJvmEndsAsSoonAsTheyHave(Jdk jdk) throws Exception {
        // stop-timeout=30m (within stop-budget=1h): a JVM that waited for it instead of the tree
        // would miss stop()'s deadline of 30 s
        Running jvm =
                Jvm.on(jdk)
                        .withAgent("stop-timeout=30m,stop-budget=1h")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString())
                        .awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(result.stderr()).isEmpty();
    }

    /**
     * TERM handlers that clean up through child processes: the stop leaves those alone while their
     * handler runs.
     */
    @ParameterizedTest
    @CsvSource({
        "JDK17, fork",
        "JDK17, fork2s",
        "JDK17, pipeline",
        "JDK25, fork",
        "JDK25, fork2s",
        "JDK25, pipeline"
    })
    void handlersThatForkCompleteTheirCleanup(Jdk jdk, String handler) throws Exception {
        // stop-timeout well above fork2s's 2 s: the rule is under test here, not the timeout, and a
        // slow machine forks slowly
        Running jvm =
                Jvm.on(jdk)
                        .withAgent("stop-timeout=10s,stop-budget=20s")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString(), "handler=" + handler)
                        .awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(result.stderr()).as("no worker killed at stop-timeout").isEmpty();
    }

    /**
     * A shutdown signal any time after premain is the agent's: exit-remap applies and the whole
     * tree ends gracefully, whether or not the agent's native calls are ready. The tree is there
     * before the JVM: a shell starts it, then execs the JVM, whose first act in main is to write
     * DIR/main.
     */
    @ParameterizedTest
    @CsvSource({
        "JDK17, 0",
        "JDK17, 20",
        "JDK17, 50",
        "JDK17, 100",
        "JDK17, 200",
        "JDK25, 0",
        "JDK25, 20",
        "JDK25, 50",
        "JDK25, 100",
        "JDK25, 200"
    })
    void aSignalRightAfterPremainIsRelayedAndRemapped(Jdk jdk, int millisAfterMain)
            throws Exception {
        ShutdownApp.copyScripts(dir);
        String tree =
                "sh "
                        + dir
                        + "/tree.sh "
                        + dir
                        + " - fork >/dev/null 2>&1 & i=0; while [ $(ls "
                        + dir
                        + " | grep -c '[.]started$') -lt "
                        + (3 * WorkerTree.N + 1)
                        + " ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done";
        Running jvm =
                Jvm.on(jdk)
                        .withAgent("exit-remap=143:0")
                        .asPid1()
                        .afterShell(tree)
                        .start(ShutdownApp.class, dir.toString(), "bare");
        Await.file(dir.resolve("main"), Duration.ofSeconds(30));
        Thread.sleep(millisAfterMain); // the moment of the signal: the scenario, not a wait
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    /**
     * An application's shutdown hook that runs an external command (to deregister, say) is left to
     * finish it.
     */
    @ParameterizedTest
    @CsvSource({"JDK17, exit", "JDK17, signal", "JDK25, exit"})
    void anApplicationShutdownHookCompletesItsCommand(Jdk jdk, String how) throws Exception {
        Result result;
        if (how.equals("exit")) {
            result =
                    Jvm.on(jdk)
                            .withAgent(null)
                            .asPid1()
                            .run(
                                    ShutdownApp.class,
                                    Duration.ofSeconds(30),
                                    dir.toString(),
                                    "hook",
                                    "handler=fork",
                                    "exit");
        } else {
            Running jvm =
                    Jvm.on(jdk)
                            .withAgent(null)
                            .asPid1()
                            .start(ShutdownApp.class, dir.toString(), "hook", "handler=fork")
                            .awaitAgentReady();
            awaitReady();
            result = stop(jvm, "TERM");
        }

        assertThat(result.status()).as("%s", result).isEqualTo(how.equals("exit") ? 0 : 143);
        assertThat(dir.resolve("hook.done")).as("the hook's command completed").exists();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    /**
     * JNA cannot load here: the agent reaps nothing, yet the stop goes on through the JDK's own
     * means.
     */
    @Test
    void withoutTheNativeCallsTheStopGoesThroughTheJdk() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("exit-remap=143:0")
                        .option("-Djna.tmpdir=/proc/no-such-dir")
                        .asPid1()
                        // it has said what it lost
                        .start(ShutdownApp.class, dir.toString(), "handler=fork")
                        .awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).as("%s", result).isEqualTo(ALL_GRACEFUL);
        assertThat(result.stderr()).contains("JNA cannot load its native library");
    }

    @Test
    void aJvmWithoutChildrenStillEndsOnSigterm() throws Exception {
        // sweep=20ms: the agent arms and disarms its SIGCHLD handler every 20 ms while the JVM has
        // no child
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("sweep=20ms")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString(), "bare")
                        .awaitAgentReady();
        awaitReady();
        awaitSweeps(jvm.pid(), 25); // what is under test is that nothing wears out over many cycles
        assertThat(stop(jvm, "TERM").status()).isEqualTo(143);
    }

    @Test
    void aJarReplacedUnderTheRunningJvmDoesNotStopItsShutdown() throws Exception {
        Path jar = Files.copy(Jvm.AGENT, dir.resolve("reaper-copy.jar"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .option("-javaagent:" + jar)
                        .asPid1()
                        .start(ShutdownApp.class, tree.toString())
                        .awaitAgentReady();
        WorkerTree.awaitReady(tree);
        Files.write(jar, new byte[4096]); // rewritten in place, as a rebuild or an upgrade may do

        Result result = stop(jvm, "TERM");
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(WorkerTree.graceful(tree)).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void exitRemapTurns143IntoZero() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("exit-remap=143:0")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString())
                        .awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void withoutTheAgentNoWorkerEndsGracefully() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).asPid1().start(ShutdownApp.class, dir.toString());
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).isEqualTo(143);
        assertThat(graceful()).isEmpty();
    }

    @Test
    void aWorkerThatIgnoresSigtermIsKilledAtTheTimeout() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("stop-timeout=2s")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString(), "stubborn")
                        .awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM");

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        // the stubborn worker and its sleep, which inherited the ignored SIGTERM, killed at the
        // timeout
        assertThat(AgentLoadingIT.lines(result.stderr(), "WARNING: reaper:"))
                .singleElement()
                .asString()
                .matches(
                        "WARNING: reaper: SIGTERM relayed to \\d+ processes; 2 still running after stop-timeout \\(2000 ms\\) were killed");
    }

    @Test
    void relayChoosesTheSignals() throws Exception {
        Running hup =
                Jvm.on(Jdk.JDK17)
                        .withAgent("relay=HUP")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString())
                        .awaitAgentReady();
        awaitReady();
        assertThat(stop(hup, "HUP").status()).isEqualTo(129);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);

        clear();
        Running term =
                Jvm.on(Jdk.JDK17)
                        .withAgent("relay=HUP")
                        .asPid1()
                        .start(ShutdownApp.class, dir.toString())
                        .awaitAgentReady();
        awaitReady();
        assertThat(stop(term, "TERM").status()).isEqualTo(143);
        assertThat(graceful())
                .as("TERM not relayed, and the exit hook leaves them alone too")
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void onANormalExitTheDescendantsAreStoppedToo(Jdk jdk) throws Exception {
        Result result =
                Jvm.on(jdk)
                        .withAgent(null)
                        .asPid1()
                        .run(ShutdownApp.class, Duration.ofSeconds(30), dir.toString(), "exit");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void stopOnExitFalseLeavesThemToTheKernel() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("stop-on-exit=false")
                        .asPid1()
                        .run(ShutdownApp.class, Duration.ofSeconds(30), dir.toString(), "exit");

        assertThat(result.status()).isZero();
        assertThat(graceful()).as("SIGKILLed by the kernel with PID 1").isEmpty();
    }

    @Test
    void underXrsItSaysSoAndTheExitPathStillWorks() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .option("-Xrs")
                        .asPid1()
                        .run(
                                ShutdownApp.class,
                                Duration.ofSeconds(30),
                                dir.toString(),
                                "exit-later");

        assertThat(result.status()).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(AgentLoadingIT.lines(result.stderr(), "WARNING: reaper:"))
                .singleElement()
                .asString()
                .contains(
                        "-Xrs",
                        "shutdown signals reach the JVM alone (its descendants get SIGTERM only when it exits)");
    }

    private static Result stop(Running jvm, String signal) throws Exception {
        jvm.signal(signal);
        return jvm.await(Duration.ofSeconds(30));
    }

    /**
     * Waits until the agent's thread has gone to sleep and woken up {@code n} more times (voluntary
     * context switches).
     */
    private static void awaitSweeps(long pid, int n) throws Exception {
        long reaper =
                ProcessTable.tasks(pid).stream()
                        .filter(t -> t.name().equals("reaper"))
                        .mapToLong(ProcessTable.Task::tid)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no thread named reaper in " + pid));
        long first = switches(pid, reaper);
        Await.until(
                n + " sweeps", Duration.ofSeconds(30), () -> switches(pid, reaper) >= first + n);
    }

    private static long switches(long pid, long tid) {
        String switches = ProcessTable.status(pid, tid).get("voluntary_ctxt_switches");
        assertThat(switches).as("voluntary_ctxt_switches of thread %d of %d", tid, pid).isNotNull();
        return Long.parseLong(switches);
    }

    private void awaitReady() throws Exception {
        WorkerTree.awaitReady(dir);
    }

    private Map<String, Integer> graceful() throws IOException {
        return WorkerTree.graceful(dir);
    }

    private void clear() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }
}
