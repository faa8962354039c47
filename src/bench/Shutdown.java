import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shutdown of the tests' worker tree: ten plain children, ten setsid'd, ten double-forked orphans
 * and their shell (tree.sh and worker.sh), each recording a graceful exit on SIGTERM; under each
 * PID 1 of a new pid namespace (a JVM runs it through the tests' ShutdownApp), stopped with
 * SIGTERM. Twice: with TERM handlers made of shell builtins, and with handlers that run external
 * commands for 0.3 s. Prints what ended gracefully, SIGTERM to the end of PID 1, the last graceful
 * exit to the end of PID 1, and PID 1's exit status. Settings: runs (3).
 */
final class Shutdown {
    private static final int WORKERS = 3 * 10 + 1; // and the shell

    private Shutdown() {}

    static void run() throws Exception {
        int runs = Harness.setting("runs", 3);
        List<Harness.Subject> subjects =
                Harness.subjects(
                        StopMeasure.peers("", List.of()),
                        Map.of(),
                        (jdk, options) -> {
                            List<String> command = new ArrayList<>(List.of(jdk.java()));
                            command.addAll(options);
                            return command;
                        });
        for (String handler : List.of("builtin", "fork")) {
            Harness.title(
                    "Shutdown: SIGTERM to PID 1 of a pid namespace running 10 plain children, 10 setsid'd, 10 double-forked"
                            + " orphans and their shell, whose TERM handlers "
                            + (handler.equals("fork")
                                    ? "run external commands for 0.3 s (sleep, then touch)"
                                    : "use shell builtins only")
                            + " (median of "
                            + runs
                            + " runs)");
            Harness.header(
                    "PID 1",
                    "plain",
                    "setsid'd",
                    "orphans",
                    "shell",
                    "SIGTERM to end of PID 1",
                    "last graceful exit to end of PID 1",
                    "exit status");
            for (Harness.Subject s : subjects) {
                StopMeasure.Run m = StopMeasure.median(runs, () -> once(s, handler));
                System.out.printf(
                        "| %s | %d/10 | %d/10 | %d/10 | %d/1 | %.0f ms | %s | %d |%n",
                        s.name(),
                        m.graceful().getOrDefault("plain", 0),
                        m.graceful().getOrDefault("setsid", 0),
                        m.graceful().getOrDefault("orphan", 0),
                        m.graceful().getOrDefault("shell", 0),
                        m.millis(),
                        StopMeasure.afterLast(m),
                        m.status());
            }
            System.out.println();
        }
    }

    static StopMeasure.Run once(Harness.Subject subject, String handler) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench-stop");
        List<String> command = new ArrayList<>(subject.command());
        if (subject.jvm()) {
            command.addAll(
                    List.of(
                            "-XX:-UsePerfData",
                            "-cp",
                            Harness.APPS_CLASS_PATH,
                            "dev.reaper.it.apps.ShutdownApp",
                            dir.toString(),
                            "handler=" + handler));
        } else {
            // ShutdownApp copies its own
            for (String script : new String[] {"tree.sh", "worker.sh"}) {
                Files.copy(Harness.SCRIPTS.resolve(script), dir.resolve(script));
            }
            command.addAll(
                    List.of("sh", dir.resolve("tree.sh").toString(), dir.toString(), "-", handler));
        }
        return StopMeasure.stop(
                command,
                subject.agent() != null,
                dir,
                ".graceful",
                init ->
                        Await.until(
                                "the tree started",
                                Duration.ofSeconds(60),
                                () -> StopMeasure.count(dir, ".started") >= WORKERS));
    }
}
