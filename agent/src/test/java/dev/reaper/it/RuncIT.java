package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.ShutdownApp;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JVM as PID 1 of a real container, stopped as docker stop does it: runc kill ID TERM. */
@ExtendWith(Jvm.Cleanup.class)
class RuncIT {
    private static final String APP = " -cp /app/classes " + ShutdownApp.class.getName() + " /work";

    @TempDir Path tmp;

    /**
     * Handlers that clean up through child processes (worker.sh) included: the stop leaves those
     * alone.
     */
    @ParameterizedTest
    @CsvSource({
        "JDK17, builtin",
        "JDK25, builtin",
        "JDK17, fork",
        "JDK25, fork",
        "JDK17, fork2s",
        "JDK25, pipeline"
    })
    void dockerStopReachesTheWholeTree(Jdk jdk, String handler) throws Exception {
        try (Container container = Container.create(tmp)) {
            container.start(
                    jdk.java() + " -javaagent:/app/reaper.jar" + APP + " handler=" + handler);
            Jvm.awaitAgentReady(container.pid());
            WorkerTree.awaitReady(container.work());
            container.kill("TERM");
            Result result = container.await(Duration.ofSeconds(30));

            assertThat(result.status()).as("%s", result).isEqualTo(143);
            assertThat(WorkerTree.graceful(container.work())).isEqualTo(WorkerTree.ALL_GRACEFUL);
            assertThat(result.stderr()).isEmpty();
        }
    }

    @Test
    void withExitRemapTheContainerEndsWithZero() throws Exception {
        try (Container container = Container.create(tmp)) {
            container.start(
                    Jdk.JDK17.java() + " -javaagent:/app/reaper.jar=exit-remap=143:0" + APP);
            Jvm.awaitAgentReady(container.pid());
            WorkerTree.awaitReady(container.work());
            container.kill("TERM");

            assertThat(container.await(Duration.ofSeconds(30)).status()).isZero();
            assertThat(WorkerTree.graceful(container.work())).isEqualTo(WorkerTree.ALL_GRACEFUL);
        }
    }

    @Test
    void withoutTheAgentTheKernelKillsTheTree() throws Exception {
        try (Container container = Container.create(tmp)) {
            container.start(Jdk.JDK17.java() + APP);
            WorkerTree.awaitReady(container.work());
            container.kill("TERM");

            assertThat(container.await(Duration.ofSeconds(30)).status()).isEqualTo(143);
            assertThat(WorkerTree.graceful(container.work())).isEmpty();
        }
    }
}
