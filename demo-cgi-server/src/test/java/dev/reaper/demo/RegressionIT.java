package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Container;
import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.demo.Scenario.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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

    @TempDir
    Path tmp;

    @Test
    void pidNamespaceWithoutTheReaperLeaks() throws Exception {
        try (DemoServer server = DemoServer.launch(Jdk.JDK17, false, Scenario.TIMEOUT, tmp.resolve("markers"))) {
            assertLeaks(Scenario.run(server, server.port, false, REQUESTS));
            assertThat(server.result().stdout()).startsWith("demo-cgi-server: http://localhost:" + server.port + "/");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void pidNamespaceWithTheReaperLeaksNothing(Jdk jdk) throws Exception {
        try (DemoServer server = DemoServer.launch(jdk, true, Scenario.TIMEOUT, tmp.resolve("markers"))) {
            assertCured(Scenario.run(server, server.port, true, REQUESTS));
        }
    }

    @Test
    void runcWithoutTheReaperLeaks() throws Exception {
        try (InContainer server = InContainer.start(tmp, Jdk.JDK17, false)) {
            assertLeaks(Scenario.run(server, server.port, false, REQUESTS));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void runcWithTheReaperLeaksNothing(Jdk jdk) throws Exception {
        try (InContainer server = InContainer.start(tmp, jdk, true)) {
            assertCured(Scenario.run(server, server.port, true, REQUESTS));
        }
    }

    private static void assertLeaks(Outcome outcome) {
        assertThat(outcome.timedOut()).as("requests timed out").isEqualTo(REQUESTS);
        assertThat(outcome.zombies()).as("zombies left").isGreaterThanOrEqualTo(REQUESTS);
        assertThat(outcome.stopStatus()).isEqualTo(143);
        assertThat(outcome.graceful()).as("jobs that ended gracefully: the kernel SIGKILLed them all").isZero();
    }

    private static void assertCured(Outcome outcome) {
        assertThat(outcome.timedOut()).as("requests timed out").isEqualTo(REQUESTS);
        assertThat(outcome.zombies()).as("zombies left").isZero();
        assertThat(outcome.reaped()).as("zombies reaped: a subshell and grep per request").isGreaterThanOrEqualTo(2 * REQUESTS);
        assertThat(outcome.stopStatus()).isEqualTo(143);
        assertThat(outcome.graceful()).as("jobs that ended gracefully").isEqualTo(Scenario.JOBS);
    }

    /** The server in the repository's runc bundle (the test helpers' {@link Container}), with /work as its marker directory. */
    static final class InContainer implements Pid1Server {
        final int port;
        private final Container container;

        private InContainer(Container container, int port) {
            this.container = container;
            this.port = port;
        }

        static InContainer start(Path tmp, Jdk jdk, boolean reaper) throws IOException, InterruptedException {
            Container container = Container.create(tmp).add(DemoServer.JAR, "demo-cgi-server.jar");
            int port = DemoServer.freePort();
            container.start((reaper ? "" : "env REAPER_OPTIONS=enabled=false ") + jdk.java() + " -XX:-UsePerfData -jar /app/demo-cgi-server.jar"
                    + " --port " + port + " --timeout " + Scenario.TIMEOUT.toMillis() + "ms --marker-dir /work");
            return new InContainer(container, port);
        }

        @Override
        public long pid() throws IOException, InterruptedException {
            return container.pid();
        }

        @Override
        public Path markers() {
            return container.work();
        }

        @Override
        public void terminate() throws IOException, InterruptedException {
            container.kill("TERM");
        }

        @Override
        public int awaitExit(Duration within) throws IOException, InterruptedException {
            return container.await(within).status();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            container.close();
        }
    }
}
