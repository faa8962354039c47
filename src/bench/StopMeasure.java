import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stop of a PID 1 of a new pid namespace, measured from outside: what the shutdown scenarios
 * ({@link Shutdown}, {@link TomcatShutdown}) share. The workers each write a file as their last act
 * before a graceful exit; the bench counts those files by kind and takes the last one's ctime.
 */
final class StopMeasure {
    /**
     * One stop: how many ended gracefully (by kind: the name of their file up to its first - or .),
     * the zombies among PID 1's children before it, SIGTERM to the end of PID 1, the last graceful
     * end to the end of PID 1 (NaN if none ended gracefully), and PID 1's exit status.
     */
    record Run(
            Map<String, Integer> graceful,
            int zombies,
            double millis,
            double afterLastMillis,
            int status) {}

    /** What to do once PID 1 runs and before the stop: start the work, wait for it to be up. */
    interface Prepare {
        void run(long init) throws Exception;
    }

    interface Once {
        Run run() throws Exception;
    }

    private StopMeasure() {}

    /** The peers, as a prefix of the command they run as PID 1. */
    static Map<String, List<String>> peers(String suffix, List<String> after) {
        Map<String, List<String>> peers = new java.util.LinkedHashMap<>();
        peers.put("tini" + suffix, with(List.of("tini", "--"), after));
        peers.put("tini -g" + suffix, with(List.of("tini", "-g", "--"), after));
        peers.put("dumb-init" + suffix, with(List.of("dumb-init"), after));
        peers.put("catatonit" + suffix, with(List.of("catatonit", "--"), after));
        return peers;
    }

    private static List<String> with(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The run with the median time from SIGTERM to the end of PID 1. */
    static Run median(int runs, Once once) throws Exception {
        List<Run> results = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            results.add(once.run());
        }
        results.sort((a, b) -> Double.compare(a.millis, b.millis));
        return results.get(results.size() / 2);
    }

    static String afterLast(Run m) {
        return Double.isNaN(m.afterLastMillis) ? "-" : String.format("%.0f ms", m.afterLastMillis);
    }

    /**
     * Runs {@code command} as PID 1, prepares, waits for the agent to be ready if it has one,
     * counts the zombies among PID 1's children, sends SIGTERM and waits for PID 1 to end; then
     * counts the files with {@code suffix} in {@code dir} (and removes the directory).
     */
    static Run stop(List<String> command, boolean agent, Path dir, String suffix, Prepare prepare)
            throws Exception {
        try (Pid1 pid1 =
                Pid1.unshare(
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD))) {
            long init = pid1.pid();
            prepare.run(init);
            if (agent) {
                Await.until(
                        "the agent in PID 1 ready",
                        Duration.ofSeconds(60),
                        () -> AgentView.ready(init));
            }
            int zombies = ProcessTable.zombieChildren(init);
            long sent = System.nanoTime();
            pid1.signal("TERM");
            int status = pid1.awaitExit(Duration.ofSeconds(60));
            Instant ended = Instant.now();
            double millis = (System.nanoTime() - sent) / 1e6;
            return new Run(
                    graceful(dir, suffix),
                    zombies,
                    millis,
                    afterLastMillis(dir, suffix, ended),
                    status);
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    /**
     * From the last file with SUFFIX changed (its ctime: a worker's last act before it exits) to
     * {@code ended}.
     */
    private static double afterLastMillis(Path dir, String suffix, Instant ended)
            throws IOException {
        Instant last = null;
        for (Path f : files(dir, suffix)) {
            Instant changed = ((FileTime) Files.getAttribute(f, "unix:ctime")).toInstant();
            last = last == null || changed.isAfter(last) ? changed : last;
        }
        return last == null ? Double.NaN : Duration.between(last, ended).toNanos() / 1e6;
    }

    /** How many files of each kind (the name up to its first - or .) end with SUFFIX. */
    private static Map<String, Integer> graceful(Path dir, String suffix) throws IOException {
        Map<String, Integer> graceful = new TreeMap<>();
        for (Path f : files(dir, suffix)) {
            graceful.merge(f.getFileName().toString().replaceAll("[-.].*", ""), 1, Integer::sum);
        }
        return graceful;
    }

    static long count(Path dir, String suffix) throws IOException {
        return files(dir, suffix).size();
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }
}
