package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.FleetApp;
import dev.reaper.kit.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * src/observability/jmx-exporter.yaml with the Prometheus JMX exporter's java agent (Maven
 * Central), both agents in one JVM as PID 1, in either order: /metrics scraped over loopback while
 * the JVM runs and again after a relayed stop, each figure exact.
 */
@ExtendWith(Jvm.Cleanup.class)
class PrometheusIT {
    static final Path EXPORTER =
            Path.of(
                            System.getProperty(
                                    "reaper.jmxExporter", "target/it/jmx_prometheus_javaagent.jar"))
                    .toAbsolutePath();
    static final Path SRC = Path.of(System.getProperty("reaper.src", "../src")).toAbsolutePath();
    private static final int EXITING = 30;
    private static final int RUNNING = 4;
    private static final int STUBBORN = 2;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}, reaper first: {1}")
    @CsvSource({"JDK17, true", "JDK17, false", "JDK25, false"})
    void theExporterReportsTheReapersFiguresExactly(Jdk jdk, boolean reaperFirst) throws Exception {
        int port = freePort();
        String exporter =
                "-javaagent:"
                        + EXPORTER
                        + "=127.0.0.1:"
                        + port
                        + ":"
                        + SRC.resolve("observability/jmx-exporter.yaml");
        String reaper = "-javaagent:" + Jvm.AGENT + "=stop-timeout=500ms";
        Running jvm =
                Jvm.on(jdk)
                        .option(reaperFirst ? reaper : exporter)
                        .option(reaperFirst ? exporter : reaper)
                        .asPid1()
                        .start(
                                FleetApp.class,
                                dir.toString(),
                                "" + EXITING,
                                "" + RUNNING,
                                "" + STUBBORN,
                                "true");
        awaitFile(dir.resolve("ready"));

        // jmx=auto: the MBean is registered within a second or so of the exporter's MBean server
        Map<String, String> running =
                scrapeUntil(port, m -> m.containsKey("reaper_zombies_reaped_total"));
        assertThat(running)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "reaper_zombies_reaped_total",
                                "" + EXITING,
                                "reaper_children_adopted",
                                "" + (RUNNING + STUBBORN),
                                "reaper_signals_relayed_total",
                                "0",
                                "reaper_processes_signalled_total",
                                "0",
                                "reaper_processes_killed_total",
                                "0",
                                info(),
                                "1"));

        jvm.signal("TERM");
        // the relay is over, the shutdown hooks run: the exporter still serves
        awaitFile(dir.resolve("stopping"));
        Map<String, String> stopped =
                scrapeUntil(port, m -> !"0".equals(m.get("reaper_signals_relayed_total")));
        Files.writeString(dir.resolve("scraped"), "");
        assertThat(stopped)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "reaper_zombies_reaped_total",
                                "" + (EXITING + RUNNING + STUBBORN),
                                "reaper_children_adopted",
                                "0",
                                "reaper_signals_relayed_total",
                                "1",
                                "reaper_processes_signalled_total",
                                "" + (RUNNING + STUBBORN),
                                "reaper_processes_killed_total",
                                "" + STUBBORN,
                                info(),
                                "1"));

        Result result = jvm.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(result.values()).containsEntry("children_exact", "true");
    }

    /**
     * reaper_info's series. The exporter 1.x drops the suffix _info from a gauge's name
     * (prometheus/jmx_exporter#982), so it is named reaper there.
     */
    private static String info() throws IOException {
        String version =
                Files.readString(Path.of("target/classes/dev/reaper/report/version.txt")).strip();
        return "reaper{role=\"PID 1\",version=\"" + version + "\"}";
    }

    /**
     * The reaper's samples (name with labels, value as an integer) once {@code ready} holds for
     * them.
     */
    private static Map<String, String> scrapeUntil(int port, Predicate<Map<String, String>> ready)
            throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        String[] body = {""};
        Map<String, String> samples =
                Await.value(
                        Duration.ofSeconds(30),
                        () -> {
                            try {
                                body[0] =
                                        client.send(request, HttpResponse.BodyHandlers.ofString())
                                                .body();
                                return reaperSamples(body[0]);
                            } catch (IOException notYet) {
                                return Map
                                        .<String, String>
                                                of(); // the exporter's server is not up yet
                            }
                        },
                        ready);
        if (!ready.test(samples)) {
            throw new AssertionError(
                    "within 30 s /metrics never showed what was awaited; last: "
                            + samples
                            + "\n"
                            + body[0]);
        }
        return samples;
    }

    /**
     * Lines {@code NAME{LABELS} VALUE} of the text format whose name starts with reaper; 36.0
     * becomes 36.
     */
    static Map<String, String> reaperSamples(String body) {
        Map<String, String> samples = new LinkedHashMap<>();
        for (String line : body.split("\n", -1)) {
            if (line.startsWith("reaper")) {
                int space = line.lastIndexOf(' ');
                samples.put(
                        line.substring(0, space),
                        line.substring(space + 1).replaceAll("\\.0$", ""));
            }
        }
        return samples;
    }

    static void awaitFile(Path file) throws IOException, InterruptedException {
        Await.file(file, Duration.ofSeconds(60));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
