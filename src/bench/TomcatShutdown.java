import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shutdown of Apache Tomcat (embedded, its CGIServlet: the tests' TomcatCgiApp) in a pid namespace,
 * after ORPHANS requests whose bash script leaves an orphan and JOBS that start a background job
 * (setsid) whose TERM handler cleans up with external commands (sleep 0.3, mv); then SIGTERM to PID
 * 1. The peers run the same JVM as their child, on each JDK. Prints the zombies before the stop,
 * the jobs that cleaned up, SIGTERM to the end of PID 1, the last cleanup to the end of PID 1, and
 * PID 1's exit status. Settings: runs (3).
 */
final class TomcatShutdown {
    static final int ORPHANS = 20;
    static final int JOBS = 3;

    /**
     * A JVM option that is none: the row's TomcatCgiApp gets "stop-hook" (Tomcat stopped by a
     * shutdown hook of its own).
     */
    private static final String STOP_HOOK = "stop-hook";

    private TomcatShutdown() {}

    static void run() throws Exception {
        int runs = Harness.setting("runs", 3);
        Map<String, List<String>> peers = new LinkedHashMap<>();
        for (Harness.Jdk jdk : Harness.jdks()) {
            peers.putAll(StopMeasure.peers(" (" + jdk.label() + ")", List.of(jdk.java())));
        }
        Map<String, List<String>> variants =
                Map.of(
                        " + reaper, Tomcat stopped by a shutdown hook",
                        List.of("-javaagent:" + Harness.AGENT, STOP_HOOK));
        List<Harness.Subject> subjects =
                Harness.subjects(
                        peers,
                        variants,
                        (jdk, options) -> {
                            List<String> command = new ArrayList<>(List.of(jdk.java()));
                            command.addAll(options);
                            return command;
                        });
        Harness.title(
                "Shutdown: Apache Tomcat "
                        + version()
                        + " (embedded, its CGIServlet) in a pid namespace, after "
                        + ORPHANS
                        + " requests whose bash script leaves an orphan and "
                        + JOBS
                        + " that start a background job (setsid) whose TERM handler"
                        + " cleans up with external commands (sleep 0.3, mv); then SIGTERM to PID 1 (median of "
                        + runs
                        + " runs)");
        Harness.header(
                "PID 1",
                "zombies before the stop",
                "jobs that cleaned up",
                "SIGTERM to end of PID 1",
                "last cleanup to end of PID 1",
                "exit status");
        for (Harness.Subject s : subjects) {
            StopMeasure.Run m = StopMeasure.median(runs, () -> once(s));
            System.out.printf(
                    "| %s | %d | %d/%d | %.0f ms | %s | %d |%n",
                    s.name(),
                    m.zombies(),
                    m.graceful().getOrDefault("job", 0),
                    JOBS,
                    m.millis(),
                    StopMeasure.afterLast(m),
                    m.status());
        }
        System.out.println();
    }

    static StopMeasure.Run once(Harness.Subject subject) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench-tomcat");
        List<String> command = new ArrayList<>(subject.command());
        boolean stopHook = command.remove(STOP_HOOK);
        String jars =
                Harness.IT.resolve("tomcat-embed-core.jar")
                        + ":"
                        + Harness.IT.resolve("tomcat-annotations-api.jar");
        command.addAll(
                List.of(
                        "-XX:-UsePerfData",
                        "-cp",
                        Harness.APPS_CLASS_PATH + ":" + jars,
                        "dev.reaper.it.apps.TomcatCgiApp",
                        dir.toString()));
        if (stopHook) {
            command.add(STOP_HOOK);
        }
        return StopMeasure.stop(
                command, subject.agent() != null, dir, ".cleaned", init -> load(init, dir));
    }

    /**
     * The requests, then waits until every orphan has written its file and exited, and every job is
     * up.
     */
    private static void load(long init, Path dir) throws Exception {
        Path portFile = dir.resolve("port");
        Await.until(
                "Tomcat listening",
                Duration.ofSeconds(60),
                () -> Files.exists(portFile) && Files.size(portFile) > 0);
        int port = Integer.parseInt(Files.readString(portFile).strip());
        for (int i = 0; i < ORPHANS + JOBS; i++) {
            HttpURLConnection http =
                    (HttpURLConnection)
                            URI.create(
                                            "http://127.0.0.1:"
                                                    + port
                                                    + "/cgi-bin/"
                                                    + (i < ORPHANS ? "orphan.sh" : "job.sh"))
                                    .toURL()
                                    .openConnection();
            http.getInputStream().readAllBytes();
        }
        Await.until(
                "the orphans done and the jobs up",
                Duration.ofSeconds(30),
                () ->
                        StopMeasure.count(dir, ".done") >= ORPHANS
                                && StopMeasure.count(dir, ".part") >= JOBS);
        // an orphan exits right after its .done (its last command, touch, names it "orphan-N.done")
        Await.until(
                "the orphans exited",
                Duration.ofSeconds(30),
                () ->
                        ProcessTable.descendants(init).stream()
                                .noneMatch(
                                        p ->
                                                !p.zombie()
                                                        && ProcessTable.commandLine(p.pid())
                                                                .contains("orphan")));
    }

    static String version() {
        try {
            String pom = Files.readString(Harness.ROOT.resolve("agent/pom.xml"));
            int at = pom.indexOf("<tomcat.version>");
            return pom.substring(at + 16, pom.indexOf('<', at + 16));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
