import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessFigures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The soak, never part of "all": on each JDK, a JVM with the agent runs as PID 1 of a new pid
 * namespace for DURATION under a steady mix, round after round: JDK children with random exit
 * statuses from threads that die first and an orphan storm beside them (the tests' StormApp),
 * native children through NuProcess and posix_spawnp on the application's own JNA, from threads
 * that end at once, later or never, beside another storm (NativeSpawnApp), and JDK children that
 * get SIGTERM (exit status 143). The storms are SIGCHLD storms. From outside, every 5 s, it samples
 * the JVM's RSS, threads, file descriptors and the agent threads' CPU, prints them, and says
 * whether they stayed flat; the JVM counts every exit status its starter got wrong, which must stay
 * 0. Needs {@code mvn -o -pl agent -am verify -DskipTests} first (the test applications' JNA and
 * NuProcess jars in agent/target/it). Settings: soak (10m; also 2m, 1h, 90s).
 *
 * <p>{@code Soak server DIR SECONDS} is the JVM's side, as PID 1.
 */
public final class Soak {
    static final long SAMPLE_MILLIS = 5000;

    record Sample(long millis, long rssKib, long threads, long fds, long agentCpuNanos) {}

    private Soak() {}

    static void run() throws Exception {
        long seconds = seconds(Harness.setting("soak", "10m"));
        for (Path needed :
                List.of(
                        Harness.AGENT,
                        Harness.TEST_CLASSES.resolve("dev/reaper/it/apps/StormApp.class"),
                        Harness.IT.resolve("app-jna.jar"),
                        Harness.IT.resolve("nuprocess.jar"))) {
            if (!Files.exists(needed)) {
                throw new IllegalStateException(
                        "build first: mvn -o -pl agent -am verify -DskipTests (no " + needed + ")");
            }
        }
        for (Harness.Jdk jdk : Harness.jdks()) {
            once(jdk, seconds);
        }
    }

    static void once(Harness.Jdk jdk, long seconds) throws Exception {
        Path dir = Files.createTempDirectory("reaper-soak");
        String classPath =
                Harness.APPS_CLASS_PATH
                        + ":"
                        + Harness.IT.resolve("app-jna.jar")
                        + ":"
                        + Harness.IT.resolve("nuprocess.jar");
        // the heap fixed and touched from the start: RSS then shows what grows beside it
        // (metaspace, threads, native memory)
        List<String> command =
                List.of(
                        jdk.java(),
                        "-XX:-UsePerfData",
                        "-Xms128m",
                        "-Xmx128m",
                        "-XX:+AlwaysPreTouch",
                        "-javaagent:" + Harness.AGENT,
                        "-cp",
                        classPath,
                        "Soak",
                        "server",
                        dir.toString(),
                        "" + seconds);
        try (Pid1 pid1 =
                Pid1.unshare(
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(dir.resolve("server.log").toFile()))) {
            long jvm = pid1.pid();
            List<Sample> samples = new ArrayList<>();
            long begun = System.currentTimeMillis();
            Harness.title(
                    "Soak: "
                            + seconds
                            + " s, "
                            + jdk.label()
                            + " with reaper as PID 1 under a steady mix (samples every "
                            + SAMPLE_MILLIS / 1000
                            + " s)");
            Harness.header(
                    "time",
                    "RSS",
                    "threads",
                    "fds",
                    "agent CPU (total)",
                    "rounds",
                    "children checked",
                    "wrong exit statuses");
            while (pid1.process().isAlive()) {
                Thread.sleep(SAMPLE_MILLIS); // the sampling period
                Sample sample = sample(jvm, System.currentTimeMillis() - begun);
                if (sample == null) {
                    break;
                }
                samples.add(sample);
                Map<String, String> progress = progress(dir);
                // a row every 30 s; all samples count for the verdict
                if (samples.size() % 6 == 1) {
                    System.out.printf(
                            "| %d s | %d MiB | %d | %d | %d ms | %s | %s | %s |%n",
                            sample.millis / 1000,
                            sample.rssKib / 1024,
                            sample.threads,
                            sample.fds,
                            sample.agentCpuNanos / 1_000_000,
                            progress.get("rounds"),
                            progress.get("checked"),
                            progress.get("wrong"));
                }
            }
            int status = pid1.awaitExit(Duration.ofSeconds(60));
            System.out.println();
            verdict(samples, progress(dir), status, dir);
            System.out.println();
        }
    }

    static long seconds(String duration) {
        try {
            long n = Long.parseLong(duration.replaceAll("[a-z]+$", ""));
            return duration.endsWith("h") ? n * 3600 : duration.endsWith("m") ? n * 60 : n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "soak=" + duration + ": a duration such as 90s, 10m or 1h is accepted");
        }
    }

    /**
     * Flat: after the first sixth (warm-up: JIT, first storms), the second half's peak is within a
     * margin of the first half's.
     */
    static void verdict(List<Sample> samples, Map<String, String> end, int status, Path dir) {
        if (samples.size() < 6) {
            System.out.println(
                    "too few samples ("
                            + samples.size()
                            + "); the server's log: "
                            + dir.resolve("server.log"));
            return;
        }
        List<Sample> steady = samples.subList(samples.size() / 6, samples.size());
        List<Sample> first = steady.subList(0, steady.size() / 2);
        List<Sample> second = steady.subList(steady.size() / 2, steady.size());
        long rss1 = first.stream().mapToLong(Sample::rssKib).max().orElse(0);
        long rss2 = second.stream().mapToLong(Sample::rssKib).max().orElse(0);
        long threads1 = first.stream().mapToLong(Sample::threads).max().orElse(0);
        long threads2 = second.stream().mapToLong(Sample::threads).max().orElse(0);
        long fds1 = first.stream().mapToLong(Sample::fds).max().orElse(0);
        long fds2 = second.stream().mapToLong(Sample::fds).max().orElse(0);
        double cpu1 = cpuPerMinute(first);
        double cpu2 = cpuPerMinute(second);
        boolean flat =
                rss2 <= rss1 * 1.1 + 8 * 1024
                        && threads2 <= threads1 + 4
                        && fds2 <= fds1 + 4
                        && cpu2 <= cpu1 * 1.5 + 50;
        Harness.header("after warm-up", "first half", "second half");
        System.out.printf("| peak RSS | %d MiB | %d MiB |%n", rss1 / 1024, rss2 / 1024);
        System.out.printf("| peak threads | %d | %d |%n", threads1, threads2);
        System.out.printf("| peak file descriptors | %d | %d |%n", fds1, fds2);
        System.out.printf("| agent CPU per minute | %.0f ms | %.0f ms |%n", cpu1, cpu2);
        System.out.println();
        System.out.println(
                "Flat (RSS within 10 % + 8 MiB, threads and fds within 4, agent CPU within 1.5x + 50 ms/min): "
                        + (flat ? "yes" : "NO"));
        System.out.println(
                "Rounds "
                        + end.get("rounds")
                        + ", children checked "
                        + end.get("checked")
                        + ", wrong exit statuses "
                        + end.get("wrong")
                        + ", zombies left after a round (most) "
                        + end.get("zombies_left_max")
                        + ", PID 1's exit status "
                        + status);
    }

    static double cpuPerMinute(List<Sample> samples) {
        Sample a = samples.get(0);
        Sample b = samples.get(samples.size() - 1);
        return b.millis == a.millis
                ? 0
                : (b.agentCpuNanos - a.agentCpuNanos) / 1e6 * 60_000.0 / (b.millis - a.millis);
    }

    static Sample sample(long pid, long millis) {
        long rss = ProcessFigures.statusFigure(pid, "VmRSS");
        if (rss == 0) {
            return null; // ended
        }
        long fds;
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = list.count();
        } catch (IOException gone) {
            return null;
        }
        return new Sample(
                millis,
                rss,
                ProcessFigures.statusFigure(pid, "Threads"),
                fds,
                ProcessFigures.threadsCpuNanos(pid, AgentView::agentThread));
    }

    static Map<String, String> progress(Path dir) {
        try {
            return parse(Files.readString(dir.resolve("progress")));
        } catch (IOException none) {
            return Map.of("rounds", "0", "checked", "0", "wrong", "0", "zombies_left_max", "0");
        }
    }

    static Map<String, String> parse(String text) {
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    /**
     * The JVM's side, as PID 1 ({@code Soak server DIR SECONDS}): rounds of the tests' StormApp and
     * NativeSpawnApp (each counts the exit statuses its starters got wrong, cumulatively) and of
     * children that get SIGTERM, until the time is up. After each round it writes DIR/progress.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[0].equals("server")) {
            throw new IllegalArgumentException(
                    "Soak server DIR SECONDS is accepted (the bench runs it; run the soak with: src/bench/run soak)");
        }
        Path dir = Path.of(args[1]);
        long seconds = Long.parseLong(args[2]);
        Method storm =
                Class.forName("dev.reaper.it.apps.StormApp").getMethod("main", String[].class);
        Method nativeSpawn =
                Class.forName("dev.reaper.it.apps.NativeSpawnApp")
                        .getMethod("main", String[].class);
        PrintStream out = System.out;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long rounds = 0;
        long termed = 0;
        long termWrong = 0;
        long zombiesLeftMax = 0;
        while (System.nanoTime() - deadline < 0) {
            long t0 = System.nanoTime();
            Map<String, String> stormSays = run(storm, out, "300", "2", "2", "10", "10000");
            long t1 = System.nanoTime();
            Map<String, String> nativeSays = run(nativeSpawn, out, "100", "6");
            System.err.println(
                    "round "
                            + rounds
                            + ": storm "
                            + (t1 - t0) / 1_000_000
                            + " ms, native "
                            + (System.nanoTime() - t1) / 1_000_000
                            + " ms");
            List<Process> sleepers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sleepers.add(new ProcessBuilder("sleep", "30").start());
            }
            for (Process sleeper : sleepers) {
                sleeper.destroy(); // SIGTERM
                termed++;
                if (sleeper.waitFor() != 143) {
                    termWrong++;
                }
            }
            rounds++;
            zombiesLeftMax =
                    Math.max(
                            zombiesLeftMax,
                            Math.max(
                                    number(stormSays, "zombies_left"),
                                    number(nativeSays, "zombies_left")));
            long checked = number(stormSays, "checked") + number(nativeSays, "checked") + termed;
            long wrong =
                    number(stormSays, "mismatches") + number(nativeSays, "mismatches") + termWrong;
            Files.writeString(
                    dir.resolve("progress.tmp"),
                    "rounds="
                            + rounds
                            + "\nchecked="
                            + checked
                            + "\nwrong="
                            + wrong
                            + "\nzombies_left_max="
                            + zombiesLeftMax
                            + "\n");
            Files.move(
                    dir.resolve("progress.tmp"),
                    dir.resolve("progress"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs a test application's main in this JVM, its key=value lines captured (the counts in them
     * are cumulative).
     */
    static Map<String, String> run(Method main, PrintStream out, String... args) throws Exception {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setOut(new PrintStream(said, true));
        try {
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(out);
        }
        return parse(said.toString());
    }

    static long number(Map<String, String> values, String key) {
        String value = values.get(key);
        return value == null ? 0 : Long.parseLong(value);
    }
}
