package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.demo.Scenario.Outcome;
import dev.reaper.it.Container;
import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The regression: timed-out requests leak zombies without the reaper, none with it; and a stop
 * reaches the running scripts only with it. The server as PID 1 of a pid namespace, and of a runc
 * container; the {@link Scenario} of the regression demo in each.
 */
@ExtendWith(Jvm.Cleanup.class)
class RegressionIT {
    private static final int REQUESTS = 10;

    @TempDir Path tmp;

    @Test
    void pidNamespaceWithoutTheReaperLeaks() throws Exception {
        try (DemoServer server =
                DemoServer.launch(Jdk.JDK17, false, Scenario.TIMEOUT, tmp.resolve("markers"))) {
            assertLeaks(
                    Scenario.run(server.pid1(), server.markers(), server.port, false, REQUESTS));
            assertThat(server.result().stdout())
                    .startsWith("demo-cgi-server: http://localhost:" + server.port + "/");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void pidNamespaceWithTheReaperLeaksNothing(Jdk jdk) throws Exception {
        try (DemoServer server =
                DemoServer.launch(jdk, true, Scenario.TIMEOUT, tmp.resolve("markers"))) {
            assertCured(Scenario.run(server.pid1(), server.markers(), server.port, true, REQUESTS));
        }
    }

    @Test
    void runcWithoutTheReaperLeaks() throws Exception {
        int port = RegressionDemo.freePort();
        try (LaunchedServer server = inContainer(Jdk.JDK17, false, port)) {
            assertLeaks(Scenario.run(server.pid1(), server.markers(), port, false, REQUESTS));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void runcWithTheReaperLeaksNothing(Jdk jdk) throws Exception {
        int port = RegressionDemo.freePort();
        try (LaunchedServer server = inContainer(jdk, true, port)) {
            assertCured(Scenario.run(server.pid1(), server.markers(), port, true, REQUESTS));
        }
    }

    /** The server in the repository's runc bundle, as the regression demo runs it. */
    private static LaunchedServer inContainer(Jdk jdk, boolean reaper, int port) throws Exception {
        Tools.requireRunc();
        return LaunchedServer.inContainer(
                Container.BUNDLE,
                new LaunchedServer.Launch(
                        jdk.java(), DemoServer.JAR, reaper, port, Scenario.TIMEOUT));
    }

    private static void assertLeaks(Outcome outcome) {
        assertThat(outcome.timedOut()).as("requests timed out").isEqualTo(REQUESTS);
        assertThat(outcome.zombies()).as("zombies left").isGreaterThanOrEqualTo(REQUESTS);
        assertThat(outcome.stopStatus()).isEqualTo(143);
        assertThat(outcome.graceful())
                .as("jobs that ended gracefully: the kernel SIGKILLed them all")
                .isZero();
    }

    private static void assertCured(Outcome outcome) {
        assertThat(outcome.timedOut()).as("requests timed out").isEqualTo(REQUESTS);
        assertThat(outcome.zombies()).as("zombies left").isZero();
        assertThat(outcome.reaped())
                .as("zombies reaped: a subshell and grep per request")
                .isGreaterThanOrEqualTo(2 * REQUESTS);
        assertThat(outcome.stopStatus()).isEqualTo(143);
        assertThat(outcome.graceful()).as("jobs that ended gracefully").isEqualTo(Scenario.JOBS);
    }
}
