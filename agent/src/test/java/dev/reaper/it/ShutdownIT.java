package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.ShutdownApp;
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
import org.junit.jupiter.params.provider.EnumSource;

/** The JVM's shutdown signals reach its whole tree; the JVM ends when the tree has. */
@ExtendWith(Jvm.Cleanup.class)
class ShutdownIT {
    private static final Map<String, Integer> ALL_GRACEFUL = WorkerTree.ALL_GRACEFUL;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sigtermReachesEveryDescendantAndTheJvmEndsAsSoonAsTheyHave(Jdk jdk) throws Exception {
        Running jvm = Jvm.on(jdk).withAgent(null).asPid1().start(ShutdownApp.class, dir.toString()).awaitAgentReady();
        awaitReady();
        Stopped stopped = stop(jvm, "TERM");

        assertThat(stopped.result.status()).as("%s", stopped.result).isEqualTo(143);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(stopped.millis).as("from SIGTERM to the JVM's end").isLessThan(200);
        assertThat(stopped.result.stderr()).isEmpty();
    }

    @Test
    void aJvmWithoutChildrenStillEndsOnSigterm() throws Exception {
        // sweep=20ms: the agent arms and disarms its SIGCHLD handler every 20 ms while the JVM has no child
        Running jvm = Jvm.on(Jdk.JDK17).withAgent("sweep=20ms").asPid1().start(ShutdownApp.class, dir.toString(), "bare").awaitAgentReady();
        awaitReady();
        Thread.sleep(500); // let it go through the cycle a few dozen times: what is under test is that nothing wears out
        assertThat(stop(jvm, "TERM").result.status()).isEqualTo(143);
    }

    @Test
    void aJarReplacedUnderTheRunningJvmDoesNotStopItsShutdown() throws Exception {
        Path jar = Files.copy(Jvm.AGENT, dir.resolve("reaper-copy.jar"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Running jvm = Jvm.on(Jdk.JDK17).option("-javaagent:" + jar).asPid1().start(ShutdownApp.class, tree.toString()).awaitAgentReady();
        WorkerTree.awaitReady(tree);
        Files.write(jar, new byte[4096]); // rewritten in place, as a rebuild or an upgrade may do

        Result result = stop(jvm, "TERM").result;
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(WorkerTree.graceful(tree)).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void exitRemapTurns143IntoZero() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).withAgent("exit-remap=143:0").asPid1().start(ShutdownApp.class, dir.toString()).awaitAgentReady();
        awaitReady();
        Result result = stop(jvm, "TERM").result;

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void withoutTheAgentNoWorkerEndsGracefully() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).asPid1().start(ShutdownApp.class, dir.toString());
        awaitReady();
        Result result = stop(jvm, "TERM").result;

        assertThat(result.status()).isEqualTo(143);
        assertThat(graceful()).isEmpty();
    }

    @Test
    void aWorkerThatIgnoresSigtermIsKilledAtTheTimeout() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).withAgent("stop-timeout=2s").asPid1().start(ShutdownApp.class, dir.toString(), "stubborn").awaitAgentReady();
        awaitReady();
        Stopped stopped = stop(jvm, "TERM");

        assertThat(stopped.result.status()).as("%s", stopped.result).isEqualTo(143);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(stopped.millis).as("from SIGTERM to the JVM's end").isBetween(2000L, 3000L);
        // the stubborn worker and its sleep, which inherited the ignored SIGTERM
        assertThat(AgentLoadingIT.lines(stopped.result.stderr(), "WARNING: reaper:")).singleElement().asString()
                .matches("WARNING: reaper: SIGTERM relayed to \\d+ processes; 2 still running after stop-timeout \\(2000 ms\\) were killed");
    }

    @Test
    void relayChoosesTheSignals() throws Exception {
        Running hup = Jvm.on(Jdk.JDK17).withAgent("relay=HUP").asPid1().start(ShutdownApp.class, dir.toString()).awaitAgentReady();
        awaitReady();
        assertThat(stop(hup, "HUP").result.status()).isEqualTo(129);
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);

        clear();
        Running term = Jvm.on(Jdk.JDK17).withAgent("relay=HUP").asPid1().start(ShutdownApp.class, dir.toString()).awaitAgentReady();
        awaitReady();
        assertThat(stop(term, "TERM").result.status()).isEqualTo(143);
        assertThat(graceful()).as("TERM not relayed, and the exit hook leaves them alone too").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void onANormalExitTheDescendantsAreStoppedToo(Jdk jdk) throws Exception {
        Result result = Jvm.on(jdk).withAgent(null).asPid1().run(ShutdownApp.class, Duration.ofSeconds(30), dir.toString(), "exit");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
    }

    @Test
    void stopOnExitFalseLeavesThemToTheKernel() throws Exception {
        Result result = Jvm.on(Jdk.JDK17).withAgent("stop-on-exit=false").asPid1().run(ShutdownApp.class, Duration.ofSeconds(30), dir.toString(), "exit");

        assertThat(result.status()).isZero();
        assertThat(graceful()).as("SIGKILLed by the kernel with PID 1").isEmpty();
    }

    @Test
    void underXrsItSaysSoAndTheExitPathStillWorks() throws Exception {
        Result result = Jvm.on(Jdk.JDK17).withAgent(null).option("-Xrs").asPid1().run(ShutdownApp.class, Duration.ofSeconds(30), dir.toString(), "exit-later");

        assertThat(result.status()).isZero();
        assertThat(graceful()).isEqualTo(ALL_GRACEFUL);
        assertThat(AgentLoadingIT.lines(result.stderr(), "WARNING: reaper:")).singleElement().asString()
                .contains("-Xrs", "shutdown signals reach the JVM alone (its descendants get SIGTERM only when it exits)");
    }

    /** What a signal did: how the JVM ended, and how long after the signal. */
    private record Stopped(Result result, long millis) {}

    private static Stopped stop(Running jvm, String signal) throws Exception {
        long sent = System.nanoTime();
        jvm.signal(signal);
        Result result = jvm.await(Duration.ofSeconds(30));
        return new Stopped(result, (System.nanoTime() - sent) / 1_000_000);
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
