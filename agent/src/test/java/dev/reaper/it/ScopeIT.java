package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.LauncherApp;
import dev.reaper.it.apps.ShutdownApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JAVA_TOOL_OPTIONS puts the agent into every JVM of an image: build tools, launchers, forked test
 * JVMs. A JVM that is neither PID 1 nor a child of PID 1 stops nothing on a normal exit, and relays
 * a shutdown signal only to the descendants still attached to it (its session, not adopted): what
 * it detached was meant to outlive it.
 */
@ExtendWith(Jvm.Cleanup.class)
class ScopeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path dir;

    /** Workers and daemons left running, stopped after each test. */
    private final List<Long> left = new ArrayList<>();

    @BeforeEach
    void scripts() throws Exception {
        ShutdownApp.copyScripts(dir);
    }

    @AfterEach
    void stopWhatWasLeft() throws Exception {
        for (long pid : left) {
            // the worker, and the sleep it waits for
            ProcessHandle.of(pid).ifPresent(ProcessTable::killTree);
        }
    }

    @Test
    void aLauncherLeavesItsDaemonsRunning() throws Exception {
        Result result = jvm().run(LauncherApp.class, TIMEOUT, "launch", dir.toString());

        assertThat(result.status()).as("%s", result).isZero();
        // The launcher has ended: what it left is still running, untouched, as without the agent.
        assertThat(running("launched-setsid")).isTrue();
        assertThat(running("launched-orphan")).isTrue();
        assertThat(running("launched-plain")).isTrue();
        assertThat(WorkerTree.graceful(dir)).isEmpty();
    }

    @Test
    void aClientLeavesItsDaemonJvmRunningAndTheDaemonStillStopsItsOwnWorkers() throws Exception {
        Result client = jvm().run(LauncherApp.class, TIMEOUT, "client", dir.toString());
        assertThat(client.status()).as("%s", client).isZero();
        long daemon = Long.parseLong(Files.readString(dir.resolve("daemon.up")));
        left.add(daemon);
        assertThat(ProcessHandle.of(daemon).map(ProcessHandle::isAlive))
                .as("the daemon JVM outlives its client")
                .contains(true);
        assertThat(running("daemon-worker")).isTrue();

        assertThat(new ProcessBuilder("kill", "-TERM", "" + daemon).start().waitFor()).isZero();
        awaitGone(daemon);
        assertThat(WorkerTree.graceful(dir))
                .as("the daemon relayed SIGTERM to its worker")
                .containsOnlyKeys("daemon");
    }

    @Test
    void aForkedTestJvmLeavesWhatItStartedAndItsStatusIsExact() throws Exception {
        Result build = jvm().run(LauncherApp.class, TIMEOUT, "build", dir.toString());

        assertThat(build.status()).as("%s", build).isZero();
        assertThat(build.number("forked")).isEqualTo(3);
        assertThat(running("forked-plain")).isTrue();
        assertThat(running("forked-setsid")).isTrue();
        assertThat(WorkerTree.graceful(dir)).isEmpty();
    }

    @Test
    void aForkedTestJvmStoppedBySigtermRelaysItToItsOwnSessionOnly() throws Exception {
        Result build = jvm().run(LauncherApp.class, TIMEOUT, "build", dir.toString(), "wait");

        assertThat(build.number("forked")).as("%s", build).isEqualTo(143);
        assertThat(WorkerTree.graceful(dir))
                .as("the plain worker got SIGTERM, the setsid'd one did not")
                .containsOnlyKeys("forked");
        assertThat(dir.resolve("forked-plain.graceful")).exists();
        assertThat(running("forked-setsid")).isTrue();
    }

    /** The agent through JAVA_TOOL_OPTIONS, which every JVM started from this one inherits. */
    private static Jvm jvm() {
        return Jvm.on(Jdk.JDK17).env("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT);
    }

    /** Whether worker NAME is still running; it is stopped after the test. */
    private boolean running(String name) throws Exception {
        long pid = Long.parseLong(Files.readString(dir.resolve(name + ".started")).strip());
        left.add(pid);
        return ProcessTable.stat(pid).filter(p -> !p.zombie()).isPresent();
    }

    private static void awaitGone(long pid) throws Exception {
        Await.until(
                "process " + pid + " ended",
                TIMEOUT,
                () -> ProcessTable.stat(pid).filter(p -> !p.zombie()).isEmpty());
    }
}
