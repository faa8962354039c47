package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.apps.FleetApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import dev.reaper.options.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests in src/deploy/kubernetes: read as YAML (no schema validator runs here
 * without a network: kubeconform and kubectl fetch their schemas), the agent options they give
 * parsed by the agent's own parser, and the stop's arithmetic checked. And the case of
 * shared-process-namespace.yaml run for real: a pause process (catatonit -P) as PID 1, the JVM
 * entering its pid namespace as a container runtime does.
 */
@ExtendWith(Jvm.Cleanup.class)
class DeployIT {
    static final Path KUBERNETES = PrometheusIT.SRC.resolve("deploy/kubernetes");

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"deployment.yaml", "shared-process-namespace.yaml"})
    void theStopBudgetIsTheGracePeriod(String manifest) throws Exception {
        Map<String, Object> pod = podSpec(manifest);
        long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        Options options = reaperOptions(pod);

        assertThat(options.stopBudget())
                .as("stop-budget in %s against terminationGracePeriodSeconds", manifest)
                .isEqualTo(Duration.ofSeconds(grace));
        assertThat(options.stopTimeout().plusSeconds(1))
                .as("stop-timeout and the last second fit in the budget, and leave the hooks time")
                .isLessThan(options.stopBudget());
        assertThat(options.subreaper()).isTrue();
    }

    @Test
    void theSharedNamespaceManifestSharesIt() throws Exception {
        assertThat(podSpec("shared-process-namespace.yaml"))
                .containsEntry("shareProcessNamespace", true);
        assertThat(podSpec("deployment.yaml")).doesNotContainKey("shareProcessNamespace");
    }

    @Test
    void inAPidNamespaceWithPauseAsPid1TheJvmIsSubreaperReapsItsOrphansAndStopsThem()
            throws Exception {
        Tools.requirePidNamespaces();
        Tools.require(
                Tools.canRun("catatonit", "-V") && Tools.canRun("nsenter", "--version"),
                "no catatonit or nsenter (Debian packages catatonit, util-linux)");
        try (Pid1 pause = Pid1.unshare(new ProcessBuilder("catatonit", "-P"))) {
            Path err = dir.resolve("stderr");
            // log=debug lines reach stderr only at FINE
            Path logging = dir.resolve("logging.properties");
            Files.writeString(
                    logging,
                    "handlers=java.util.logging.ConsoleHandler\njava.util.logging.ConsoleHandler.level=FINE\ndev.reaper.level=FINE\n");
            Process nsenter =
                    pause.enter(
                            new ProcessBuilder(
                                            Jvm.Jdk.JDK17.java().toString(),
                                            "-javaagent:"
                                                    + Jvm.AGENT
                                                    + "=log=debug,stop-timeout=500ms",
                                            "-XX:-UsePerfData",
                                            "-Djava.util.logging.config.file=" + logging,
                                            "-cp",
                                            Jvm.TEST_CLASSES + ":" + Pid1.kitClasses(),
                                            FleetApp.class.getName(),
                                            dir.toString(),
                                            "5",
                                            "2",
                                            "1",
                                            "false")
                                    .redirectOutput(dir.resolve("stdout").toFile())
                                    .redirectError(err.toFile()));
            long jvm = Await.child(nsenter.pid(), Duration.ofSeconds(10));
            PrometheusIT.awaitFile(dir.resolve("ready"));
            assertThat(new ProcessBuilder("kill", "-TERM", "" + jvm).start().waitFor()).isZero();
            assertThat(nsenter.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(err);

            assertThat(nsenter.exitValue()).as(stderr).isEqualTo(143);
            assertThat(Files.readString(dir.resolve("stdout"))).contains("children_exact=true");
            assertThat(lines(stderr, "reaper: started in "))
                    .singleElement()
                    .asString()
                    .contains(": child subreaper, ");
            // the orphans came back to the JVM, not to pause: it reaped them all, those of the stop
            // too
            assertThat(lines(stderr, "reaper: reaped zombie ")).hasSize(8);
            assertThat(lines(stderr, "reaper: relayed stop "))
                    .singleElement()
                    .asString()
                    .matches(
                            "INFO: reaper: relayed stop signal=SIGTERM processes=3 killed=1 took_ms=\\d+");
            assertThat(ProcessTable.children(pause.pid()))
                    .as("processes the JVM left to pause")
                    .isEmpty();
        }
    }

    @Test
    void theImageBuildTakesTheAgentUnderItsCoordinatesAndTheManifestsFindIt() throws Exception {
        Document agentPom = xml(PrometheusIT.SRC.resolve("../agent/pom.xml"));
        Document example = xml(PrometheusIT.SRC.resolve("deploy/image/pom.xml"));
        Map<String, Element> items = new java.util.HashMap<>();
        NodeList list = example.getElementsByTagName("artifactItem");
        for (int i = 0; i < list.getLength(); i++) {
            Element item = (Element) list.item(i);
            items.put(text(item, "groupId") + ":" + text(item, "artifactId"), item);
        }
        String version =
                Files.readString(Path.of("target/classes/dev/reaper/report/version.txt")).strip();
        Element project = agentPom.getDocumentElement();
        // the group is the parent's
        Element reaper =
                items.get(text(project, "groupId") + ":" + childText(project, "artifactId"));
        assertThat(reaper).as("the agent's coordinates in the example build").isNotNull();
        assertThat(text(reaper, "version")).isEqualTo(version);
        assertThat(text(reaper, "destFileName")).isEqualTo("reaper.jar");
        Element exporter = items.get("io.prometheus.jmx:jmx_prometheus_javaagent");
        assertThat(text(exporter, "version"))
                .as("the exporter version the tests ran")
                .isEqualTo(text(project, "jmx.exporter.version"));
        assertThat(text(example.getDocumentElement(), "outputDirectory"))
                .isEqualTo("${project.build.directory}/reaper");

        String dockerfile = Files.readString(PrometheusIT.SRC.resolve("deploy/image/Dockerfile"));
        assertThat(dockerfile)
                .contains(
                        "COPY target/reaper/reaper.jar target/reaper/jmx_prometheus_javaagent.jar jmx-exporter.yaml /opt/reaper/");
        for (String manifest : List.of("deployment.yaml", "shared-process-namespace.yaml")) {
            assertThat(Files.readString(KUBERNETES.resolve(manifest)))
                    .contains("-javaagent:/opt/reaper/reaper.jar");
        }
        assertThat(Files.readString(KUBERNETES.resolve("deployment.yaml")))
                .contains(
                        "-javaagent:/opt/reaper/jmx_prometheus_javaagent.jar=9404:/opt/reaper/jmx-exporter.yaml");
    }

    private static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    /** The text of the first element named {@code name} under {@code parent}, at any depth. */
    private static String text(Element parent, String name) {
        NodeList found = parent.getElementsByTagName(name);
        assertThat(found.getLength()).as("<%s> in <%s>", name, parent.getTagName()).isPositive();
        return found.item(0).getTextContent().strip();
    }

    /** The text of the child element named {@code name} of {@code parent}. */
    private static String childText(Element parent, String name) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().strip();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }

    /** The pod spec of a Pod, or of a Deployment's pod template. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> podSpec(String manifest) throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(KUBERNETES.resolve(manifest)));
        Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
        return switch ((String) doc.get("kind")) {
            case "Pod" -> spec;
            case "Deployment" ->
                    (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
            default -> throw new AssertionError("kind " + doc.get("kind") + " in " + manifest);
        };
    }

    /**
     * The options of the -javaagent:...reaper.jar in the app container's JAVA_TOOL_OPTIONS, parsed
     * by the agent.
     */
    @SuppressWarnings("unchecked")
    static Options reaperOptions(Map<String, Object> pod) throws Exception {
        Map<String, Object> app = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        String toolOptions =
                ((List<Map<String, Object>>) app.get("env"))
                        .stream()
                                .filter(e -> e.get("name").equals("JAVA_TOOL_OPTIONS"))
                                .map(e -> (String) e.get("value"))
                                .findFirst()
                                .orElseThrow();
        String agent =
                Arrays.stream(toolOptions.split(" "))
                        .filter(o -> o.startsWith("-javaagent:") && o.contains("reaper.jar"))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no reaper in JAVA_TOOL_OPTIONS: " + toolOptions));
        int eq = agent.indexOf('=');
        return Options.parse(null, eq < 0 ? null : agent.substring(eq + 1));
    }

    private static List<String> lines(String text, String part) {
        return AgentLoadingIT.lines(text, part);
    }
}
