package dev.reaper.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Tools;
import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Spring Boot server ({@link DrainApp}) as PID 1 of a pid namespace gets SIGTERM while a request
 * runs a child for about 1.5 s. Its graceful shutdown waits for the request; the question is
 * whether the child is left to finish, and whether the setsid'd daemon the server started gets the
 * signal. Four ways to run it: no agent, tini as PID 1 in front of the JVM, the agent by default
 * (the JVM's own shutdown first, then the relay), the agent with stop-order=all-at-once (the relay
 * at once). Each is started once; the outcomes are printed as a table at the end.
 */
class GracefulDrainIT {
    private static final Path AGENT =
            Path.of(System.getProperty("reaper.jar", "../agent/target/reaper.jar"))
                    .toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(60);

    /**
     * Graceful shutdown waits up to 30 s for a request; the agent's stop-budget ends the stop by 10
     * s.
     */
    private static final Duration STOP = Duration.ofSeconds(60);

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
    private static final Map<Mode, Outcome> OUTCOMES = new EnumMap<>(Mode.class);

    enum Mode {
        NO_AGENT,
        TINI,
        AGENT,
        ALL_AT_ONCE;

        /** How PID 1 runs the JVM, for the table. */
        String label() {
            return switch (this) {
                case NO_AGENT -> "java";
                case TINI -> "tini -- java";
                case AGENT -> "java -javaagent:reaper.jar";
                case ALL_AT_ONCE -> "java -javaagent:reaper.jar=stop-order=all-at-once";
            };
        }
    }

    /**
     * What a run gave: the request's HTTP status and answer (or why it failed), the daemon's TERM,
     * PID 1's end.
     */
    record Outcome(
            boolean started,
            int http,
            String answer,
            String failure,
            boolean daemonGotTerm,
            int pid1Status,
            long stopMillis) {
        boolean childExited(int status) {
            return failure == null && http == 200 && answer.equals("child exit=" + status);
        }

        String request() {
            return failure != null ? "failed: " + failure : http + " " + answer;
        }

        String stop() {
            return stopMillis < 0 ? "-" : stopMillis + " ms";
        }
    }

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void aRequestInFlightWhenPid1GetsSigterm(Mode mode) throws Exception {
        Outcome outcome = run(mode);
        OUTCOMES.put(mode, outcome);
        assertThat(outcome.started())
                .withFailMessage("%s: %s%n%s", mode.label(), outcome.failure(), logs())
                .isTrue();
        switch (mode) {
            case NO_AGENT, TINI, AGENT ->
                    assertThat(outcome.childExited(0))
                            .withFailMessage(
                                    "%s: the request should complete with the child's exit 0, got: %s%n%s",
                                    mode.label(), outcome.request(), logs())
                            .isTrue();
            case ALL_AT_ONCE ->
                    assertThat(
                                    outcome.childExited(143)
                                            || outcome.failure() != null
                                            || outcome.http() != 200)
                            .withFailMessage(
                                    "%s: the child should get the signal (exit 143, or the request fails), got: %s%n%s",
                                    mode.label(), outcome.request(), logs())
                            .isTrue();
        }
        // Without the agent nothing signals the daemon (tini signals its one child, the JVM): the
        // kernel SIGKILLs it when PID 1 exits.
        assertThat(outcome.daemonGotTerm())
                .as("the setsid'd daemon got SIGTERM (%s)%n%s", mode.label(), logs())
                .isEqualTo(mode == Mode.AGENT || mode == Mode.ALL_AT_ONCE);
    }

    @AfterAll
    static void table() {
        StringBuilder table =
                new StringBuilder(
                                "\nA request in flight (its child runs ~1.5 s) when PID 1 gets SIGTERM, Spring Boot 3.5.7, graceful shutdown:\n\n")
                        .append(
                                "| PID 1 | the request's answer | setsid'd daemon got SIGTERM | PID 1's exit status | SIGTERM to PID 1's end |\n")
                        .append("| --- | --- | --- | --- | --- |\n");
        OUTCOMES.forEach(
                (mode, o) ->
                        table.append("| ")
                                .append(mode.label())
                                .append(" | ")
                                .append(o.request())
                                .append(" | ")
                                .append(o.daemonGotTerm() ? "yes" : "no")
                                .append(" | ")
                                .append(o.pid1Status())
                                .append(" | ")
                                .append(o.stop())
                                .append(" |\n"));
        System.out.println(table);
    }

    private Outcome run(Mode mode) throws Exception {
        Tools.requirePidNamespaces();
        List<String> command = new ArrayList<>();
        if (mode == Mode.TINI) {
            Tools.require(Tools.canRun("tini", "--version"), "no tini (Debian package tini)");
            command.addAll(List.of("tini", "--"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // two PID 1 JVMs would share /tmp/hsperfdata_USER/1
        command.add("-XX:-UsePerfData");
        // C1 only: half the CPU time of Spring Boot's start-up (2.7 s instead of 5.1 s seen here);
        // nothing in the stop depends on it
        command.add("-XX:TieredStopAtLevel=1");
        if (mode == Mode.AGENT || mode == Mode.ALL_AT_ONCE) {
            assertThat(AGENT)
                    .as(
                            "reaper.jar (built by the agent module: mvn -pl agent -am -DskipTests package)")
                    .isRegularFile();
            String options = mode == Mode.ALL_AT_ONCE ? "=stop-order=all-at-once" : "";
            command.add("-javaagent:" + AGENT + options);
        }
        command.addAll(List.of("-cp", classPath(), DrainApp.class.getName(), "--drain.dir=" + dir));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(dir.resolve("stdout").toFile())
                        .redirectError(dir.resolve("stderr").toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("REAPER_OPTIONS");

        try (Pid1 pid1 = Pid1.unshare(builder)) {
            Await.until(
                    "the application started and wrote its port",
                    START,
                    () -> Files.exists(dir.resolve("port")) || !pid1.process().isAlive());
            // an agent that refuses an option, say: the table says so too
            if (!pid1.process().isAlive()) {
                String said =
                        read("stderr")
                                .lines()
                                .filter(line -> !line.isBlank())
                                .findFirst()
                                .orElse("nothing on stderr");
                return new Outcome(
                        false,
                        -1,
                        null,
                        "PID 1 ended at start-up, " + said,
                        false,
                        pid1.process().exitValue(),
                        -1);
            }
            Await.until(
                    "the daemon's TERM trap set",
                    START,
                    () -> Files.exists(dir.resolve("daemon.ready")));
            if (mode != Mode.NO_AGENT && mode != Mode.TINI) {
                Jvm.awaitAgentReady(pid1.pid());
            }
            int port = Integer.parseInt(Files.readString(dir.resolve("port")));

            CompletableFuture<HttpResponse<String>> request =
                    HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/work"))
                                    .timeout(STOP)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            Await.until(
                    "the request's child started",
                    START,
                    () -> Files.exists(dir.resolve("child.started")) || request.isDone());
            assertThat(request.isDone()).as("the request still in flight (%s)", request).isFalse();

            long signalled = System.nanoTime();
            pid1.signal("TERM");
            assertThat(dir.resolve("child.slept"))
                    .as("the child still running when PID 1 was signalled (a machine too slow?)")
                    .doesNotExist();
            int status = pid1.awaitExit(STOP);
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);

            boolean daemonGotTerm = Files.exists(dir.resolve("daemon.term"));
            try {
                HttpResponse<String> response = request.get(STOP.toSeconds(), TimeUnit.SECONDS);
                return new Outcome(
                        true,
                        response.statusCode(),
                        response.body().strip(),
                        null,
                        daemonGotTerm,
                        status,
                        stopMillis);
            } catch (ExecutionException e) {
                return new Outcome(
                        true, -1, null, e.getCause().toString(), daemonGotTerm, status, stopMillis);
            }
        }
    }

    /** The application's classes and its runtime dependencies, as the build wrote them. */
    private static String classPath() throws IOException {
        Path classes = Path.of(System.getProperty("app.classes", "target/classes"));
        Path dependencies = Path.of(System.getProperty("app.classpath", "target/app.classpath"));
        return classes.toAbsolutePath() + ":" + Files.readString(dependencies).strip();
    }

    /** What the application printed, for a failure's message. */
    private String logs() throws IOException {
        return "--- stdout\n" + read("stdout") + "--- stderr\n" + read("stderr") + "---";
    }

    private String read(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
