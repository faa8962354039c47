package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.FleetApp;
import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * src/observability/otel-jmx.yaml with the OpenTelemetry Java agent (Maven Central) and its logging
 * exporter, both agents in one JVM as PID 1, in either order: the figures exact while the JVM runs
 * and in the agent's last export after a relayed stop; the JVM's own children keep their exit
 * codes, and the JVM its exit status.
 */
@ExtendWith(Jvm.Cleanup.class)
class OpenTelemetryIT {
    static final Path OTEL =
            Path.of(System.getProperty("reaper.otelAgent", "target/it/opentelemetry-javaagent.jar"))
                    .toAbsolutePath();
    private static final int EXITING = 30;
    private static final int RUNNING = 4;
    private static final int STUBBORN = 2;

    /** One metric of the logging exporter's output: name, unit, type, attributes, value. */
    private static final Pattern METRIC =
            Pattern.compile(
                    "name=(reaper\\.[a-z.]+), description=.*?, unit=(\\S+), type=(\\w+), data=.*?attributes=\\{([^}]*)}, value=(\\d+)");

    @TempDir Path dir;

    @ParameterizedTest(name = "reaper first: {0}")
    @ValueSource(booleans = {true, false})
    void theOpenTelemetryAgentExportsTheReapersFiguresExactly(boolean reaperFirst)
            throws Exception {
        Path log = dir.resolve("stderr.log");
        String otel = "-javaagent:" + OTEL;
        // all-at-once: the relay's figures in the OTel agent's last export, which it makes in its
        // own shutdown hook; with hooks-first the relay comes after every hook, and its figures
        // only in the agent's log line
        String reaper = "-javaagent:" + Jvm.AGENT + "=stop-timeout=500ms,stop-order=all-at-once";
        Jvm jvm =
                Jvm.on(Jdk.JDK17)
                        .option(reaperFirst ? reaper : otel)
                        .option(reaperFirst ? otel : reaper)
                        .option(
                                "-Dotel.jmx.config="
                                        + PrometheusIT.SRC.resolve("observability/otel-jmx.yaml"))
                        .option("-Dotel.metrics.exporter=logging")
                        .option("-Dotel.traces.exporter=none")
                        .option("-Dotel.logs.exporter=none")
                        .option("-Dotel.metric.export.interval=300")
                        .option("-Dotel.jmx.discovery.delay=100")
                        .afterShell(
                                "exec 2>" + log) // the agent's exports, readable while the JVM runs
                        .asPid1();
        if (!reaperFirst) {
            // the OTel agent's instrumentations take half its start-up (10 s on a busy CI machine)
            // and touch neither reaper nor the JMX rules: the run with reaper first keeps them
            jvm.option("-Dotel.instrumentation.common.default-enabled=false")
                    .option("-Dotel.instrumentation.jmx-metrics.enabled=true");
        }
        Running running =
                jvm.start(
                        FleetApp.class,
                        dir.toString(),
                        "" + EXITING,
                        "" + RUNNING,
                        "" + STUBBORN,
                        "false");
        PrometheusIT.awaitFile(dir.resolve("ready"));

        String attributes =
                "reaper.role=\"PID 1\", reaper.version=\""
                        + Files.readString(Path.of("target/classes/dev/reaper/report/version.txt"))
                                .strip()
                        + "\"";
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("reaper.zombies.reaped", "{process} LONG_SUM " + attributes + " " + EXITING);
        expected.put(
                "reaper.children.adopted",
                "{process} LONG_SUM " + attributes + " " + (RUNNING + STUBBORN));
        expected.put("reaper.signals.relayed", "{signal} LONG_SUM " + attributes + " 0");
        expected.put("reaper.processes.signalled", "{process} LONG_SUM " + attributes + " 0");
        expected.put("reaper.processes.killed", "{process} LONG_SUM " + attributes + " 0");
        assertThat(Await.value(Duration.ofSeconds(60), () -> lastExport(log), expected::equals))
                .as("the export while the JVM runs")
                .isEqualTo(expected);

        running.signal("TERM");
        Result result = running.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(result.values()).containsEntry("children_exact", "true");
        expected.put(
                "reaper.zombies.reaped",
                "{process} LONG_SUM " + attributes + " " + (EXITING + RUNNING + STUBBORN));
        expected.put("reaper.children.adopted", "{process} LONG_SUM " + attributes + " 0");
        expected.put("reaper.signals.relayed", "{signal} LONG_SUM " + attributes + " 1");
        expected.put(
                "reaper.processes.signalled",
                "{process} LONG_SUM " + attributes + " " + (RUNNING + STUBBORN));
        expected.put(
                "reaper.processes.killed", "{process} LONG_SUM " + attributes + " " + STUBBORN);
        assertThat(lastExport(log))
                .as("the last export, at the JVM's shutdown")
                .isEqualTo(expected);
    }

    /** Each reaper metric as last exported: "UNIT TYPE ATTRIBUTES VALUE". */
    private static Map<String, String> lastExport(Path log) throws java.io.IOException {
        Map<String, String> metrics = new LinkedHashMap<>();
        if (Files.exists(log)) {
            Matcher m = METRIC.matcher(Files.readString(log));
            while (m.find()) {
                metrics.remove(m.group(1));
                metrics.put(
                        m.group(1),
                        m.group(2) + " " + m.group(3) + " " + m.group(4) + " " + m.group(5));
            }
        }
        return sorted(metrics);
    }

    private static Map<String, String> sorted(Map<String, String> metrics) {
        Map<String, String> inOrder = new LinkedHashMap<>();
        for (String name :
                new String[] {
                    "reaper.zombies.reaped",
                    "reaper.children.adopted",
                    "reaper.signals.relayed",
                    "reaper.processes.signalled",
                    "reaper.processes.killed"
                }) {
            if (metrics.containsKey(name)) {
                inOrder.put(name, metrics.get(name));
            }
        }
        inOrder.putAll(metrics);
        return inOrder;
    }
}
