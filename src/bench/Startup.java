import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Start-up, on each JDK, RUNS hello-world JVMs of each kind, interleaved:
 *
 * <ul>
 *   <li>wall time of a hello world (Hello), with and without the agent;
 *   <li>premain on the main thread: the {@link Stopwatch} agent, loaded just before and just after
 *       reaper, times reaper's premain;
 *   <li>ready: from the moment reaper's premain begins (the stopwatch's first premain, on the
 *       machine-wide monotonic clock) to the moment the bench, looking at the JVM from outside
 *       every 0.5 ms, sees {@link AgentView#ready}: reaping and the shutdown signals armed. From
 *       outside, so that the JVM under test runs nothing of the bench's, and so that a readiness
 *       reached inside premain counts as well as one reached later.
 * </ul>
 *
 * Settings: starts (20).
 */
final class Startup {
    private static final long LOOK_NANOS = 500_000;

    private Startup() {}

    static void run() throws Exception {
        int runs = Harness.setting("starts", 20);
        Path dir = Harness.helloWorld();
        Map<String, Path> agents = Harness.agents();
        Harness.title("Start-up (median of " + runs + " hello-world JVMs of each kind)");
        List<String> columns = new ArrayList<>(List.of("", "no agent", "empty agent", "added"));
        agents.keySet()
                .forEach(suffix -> columns.addAll(List.of("with" + suffix.substring(2), "added")));
        Harness.header(columns.toArray(String[]::new));
        Map<Harness.Jdk, List<Goals.Goal>> goals = new LinkedHashMap<>();
        for (Harness.Jdk jdk : Harness.jdks()) {
            List<String> plain = List.of(jdk.java(), "-cp", dir.toString(), "Hello");
            // what any -javaagent costs: the stopwatch, whose premain does nothing when loaded once
            List<String> empty =
                    List.of(
                            jdk.java(),
                            "-javaagent:" + dir.resolve("stopwatch.jar"),
                            "-cp",
                            dir.toString(),
                            "Hello");
            double[] wallPlain = new double[runs];
            double[] wallEmpty = new double[runs];
            Map<String, double[]> wall = new LinkedHashMap<>();
            Map<String, double[]> premain = new LinkedHashMap<>();
            Map<String, double[]> ready = new LinkedHashMap<>();
            agents.keySet()
                    .forEach(
                            a -> {
                                wall.put(a, new double[runs]);
                                premain.put(a, new double[runs]);
                                ready.put(a, new double[runs]);
                            });
            // interleaved, so that drift in the machine hits each alike
            for (int i = 0; i < runs; i++) {
                wallPlain[i] = Harness.wall(plain);
                wallEmpty[i] = Harness.wall(empty);
                for (Map.Entry<String, Path> agent : agents.entrySet()) {
                    wall.get(agent.getKey())[i] =
                            Harness.wall(
                                    List.of(
                                            jdk.java(),
                                            "-javaagent:" + agent.getValue(),
                                            "-cp",
                                            dir.toString(),
                                            "Hello"));
                    double[] timed = timed(jdk, agent.getValue(), dir);
                    premain.get(agent.getKey())[i] = timed[0];
                    ready.get(agent.getKey())[i] = timed[1];
                }
            }
            StringBuilder wallRow =
                    new StringBuilder(
                            String.format(
                                    "| %s: hello-world wall time | %.0f ms | %.0f ms | %+.0f ms |",
                                    jdk.label(),
                                    Harness.median(wallPlain),
                                    Harness.median(wallEmpty),
                                    Harness.median(wallEmpty) - Harness.median(wallPlain)));
            StringBuilder premainRow =
                    new StringBuilder("| " + jdk.label() + ": premain on the main thread | | | |");
            StringBuilder readyRow =
                    new StringBuilder(
                            "| "
                                    + jdk.label()
                                    + ": ready (reaping and signals armed), from premain's start | | | |");
            for (String a : agents.keySet()) {
                double w = Harness.median(wall.get(a));
                wallRow.append(
                        String.format(" %.0f ms | %+.0f ms |", w, w - Harness.median(wallPlain)));
                premainRow.append(String.format(" %.1f ms | |", Harness.median(premain.get(a))));
                readyRow.append(" ").append(millis(Harness.median(ready.get(a)))).append(" | |");
            }
            System.out.println(wallRow);
            System.out.println(premainRow);
            System.out.println(readyRow);
            double r = Harness.median(ready.get(" + reaper"));
            double p = Harness.median(premain.get(" + reaper"));
            goals.put(
                    jdk,
                    List.of(
                            Goals.goal("ready ≤ 50 ms after premain begins", millis(r), r <= 50),
                            Goals.goal("premain ≤ 20 ms", String.format("%.1f ms", p), p <= 20)));
        }
        System.out.println();
        goals.forEach((jdk, g) -> Goals.print(jdk.label(), g));
        System.out.println();
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "not seen within 10 s" : String.format("%.0f ms", ms);
    }

    /**
     * One hello world with the stopwatch around the agent: {premain on the main thread, ready after
     * premain begins}, in milliseconds; ready is NaN if not seen within 10 s.
     */
    static double[] timed(Harness.Jdk jdk, Path agent, Path dir) throws Exception {
        String stopwatch = "-javaagent:" + dir.resolve("stopwatch.jar");
        Path out = dir.resolve("stopwatch.out");
        Process jvm =
                new ProcessBuilder(
                                jdk.java(),
                                stopwatch,
                                "-javaagent:" + agent,
                                stopwatch,
                                "-cp",
                                dir.toString(),
                                "Hello",
                                "20000")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectOutput(out.toFile())
                        .start();
        long seen = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // a measurement: a look every 0.5 ms
        while (jvm.isAlive() && System.nanoTime() - deadline < 0) {
            if (AgentView.ready(jvm.pid())) {
                seen = System.nanoTime();
                break;
            }
            LockSupport.parkNanos(LOOK_NANOS);
        }
        jvm.destroy();
        jvm.waitFor();
        String[] said = Files.readString(out).strip().split("\\s+");
        if (said.length < 2) {
            throw new IllegalStateException(
                    jdk.label() + " with " + agent + ": the stopwatch printed nothing");
        }
        long begun = Long.parseLong(said[0]);
        return new double[] {
            Long.parseLong(said[1]) / 1000.0, seen < 0 ? Double.NaN : (seen - begun) / 1e6
        };
    }
}
