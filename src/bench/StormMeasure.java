import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessFigures;
import dev.reaper.kit.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * One orphan storm under one PID 1 of a new pid namespace, measured from outside: what the storm
 * scenarios ({@link Storm}, {@link EarlyStorm}) share. The same shell script double-forks ORPHANS
 * orphans (each {@code (true &)} leaves one to PID 1) between two marker files, then waits for the
 * bench to say it is done.
 */
final class StormMeasure {
    /**
     * One storm: its time (start marker to end marker), the peak zombies during it, storm end to
     * zero zombies (-1: not within 5 s), zombies left after 5 s; and the CPU that PID 1 spent from
     * the storm's start to zero zombies, per orphan, in microseconds: all its threads (utime +
     * stime, which count threads that have ended too), and the agent's own threads (their
     * schedstat; NaN for a PID 1 without the agent).
     */
    record Run(
            double stormMs,
            int peak,
            double drainMs,
            int left,
            double pid1CpuUs,
            double agentCpuUs) {}

    private StormMeasure() {}

    /** The script the PID 1 under test runs (through {@code sh -c}, or its JVM's first child). */
    static String script(Path dir, int orphans) {
        return ": > "
                + dir
                + "/start; i=0; while [ $i -lt "
                + orphans
                + " ]; do (true &); i=$((i+1)); done; : > "
                + dir
                + "/end; while [ ! -e "
                + dir
                + "/done ]; do sleep 0.05; done";
    }

    /**
     * Each subject's runs, interleaved (so that drift in the machine hits each alike), then each
     * one's medians.
     */
    static Map<Harness.Subject, Run> medians(List<Harness.Subject> subjects, int orphans, int runs)
            throws Exception {
        Map<Harness.Subject, List<Run>> all = new LinkedHashMap<>();
        subjects.forEach(s -> all.put(s, new ArrayList<>()));
        for (int r = 0; r < runs; r++) {
            for (Harness.Subject subject : subjects) {
                all.get(subject).add(once(subject, orphans));
            }
        }
        Map<Harness.Subject, Run> medians = new LinkedHashMap<>();
        all.forEach(
                (s, results) ->
                        medians.put(
                                s,
                                new Run(
                                        median(results, Run::stormMs),
                                        (int) median(results, Run::peak),
                                        median(results, Run::drainMs),
                                        (int) median(results, Run::left),
                                        median(results, Run::pid1CpuUs),
                                        median(results, Run::agentCpuUs))));
        return medians;
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        return Harness.median(runs.stream().mapToDouble(figure).toArray());
    }

    /** One storm under {@code subject}'s command (the script is its last argument). */
    static Run once(Harness.Subject subject, int orphans) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench-storm");
        List<String> command = new ArrayList<>(subject.command());
        command.add(script(dir, orphans));
        Path start = dir.resolve("start");
        Path end = dir.resolve("end");
        try (Pid1 pid1 =
                Pid1.unshare(
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD))) {
            long init = pid1.pid();
            // Until the storm's first line, a look every 0.5 ms: not a busy loop, which would take
            // a core from a JVM still starting (the storm that starts with the JVM), but close
            // enough to its start.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(start)) {
                if (System.nanoTime() - deadline > 0 || !pid1.process().isAlive()) {
                    throw new IllegalStateException(
                            subject.name() + ": the storm did not start within 60 s");
                }
                LockSupport.parkNanos(500_000);
            }
            long started = System.nanoTime();
            long pid1Cpu = ProcessFigures.cpuNanos(init);
            long agentCpu = ProcessFigures.threadsCpuNanos(init, AgentView::agentThread);
            int peak = 0;
            while (!Files.exists(end)) { // as fast as it can: the peak is measured
                peak = Math.max(peak, leaderZombies(init));
            }
            long ended = System.nanoTime();
            peak = Math.max(peak, leaderZombies(init));
            long zero = -1;
            deadline = ended + TimeUnit.SECONDS.toNanos(5);
            // no pause between looks: the time to zero is measured
            while (System.nanoTime() - deadline < 0) {
                if (leaderZombies(init) == 0) {
                    zero = System.nanoTime();
                    break;
                }
            }
            int left = ProcessTable.zombieChildren(init); // every thread's children, this time
            pid1Cpu = ProcessFigures.cpuNanos(init) - pid1Cpu;
            agentCpu = ProcessFigures.threadsCpuNanos(init, AgentView::agentThread) - agentCpu;
            Files.writeString(dir.resolve("done"), "");
            pid1.awaitExit(Duration.ofSeconds(20));
            return new Run(
                    (ended - started) / 1e6,
                    peak,
                    zero < 0 ? -1 : (zero - ended) / 1e6,
                    left,
                    pid1Cpu / 1e3 / orphans,
                    subject.agent() != null ? agentCpu / 1e3 / orphans : Double.NaN);
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    /**
     * The zombies among the children of PID 1's first thread, where the kernel puts the orphans it
     * adopts. The sampler reads that thread's list only: each thread's list it reads holds the
     * kernel's tasklist lock, which every fork and exit of the storm needs too, so reading all of a
     * JVM's twenty-odd threads' lists, as fast as it can, would slow the storm in proportion to PID
     * 1's thread count (seen: 1.3 to 1.8 times tini's storm time, against 1.1 from CPU alone).
     */
    static int leaderZombies(long pid) {
        return ProcessTable.zombiesAmong(ProcessFigures.threadChildren(pid, pid));
    }

    /** A row's storm time against tini's ("-" without a tini row). */
    static String timesTini(Run run, Run tini) {
        return tini == null ? "-" : String.format("%.2f", run.stormMs / tini.stormMs);
    }

    static String drain(Run run) {
        return run.left > 0 || run.drainMs < 0 ? "never" : String.format("%.1f ms", run.drainMs);
    }

    /** The peers that run the storm's script as PID 1. */
    static Map<String, List<String>> peers() {
        Map<String, List<String>> peers = new LinkedHashMap<>();
        peers.put("tini", List.of("tini", "-s", "--", "sh", "-c"));
        peers.put("dumb-init", List.of("dumb-init", "sh", "-c"));
        peers.put("catatonit", List.of("catatonit", "--", "sh", "-c"));
        return peers;
    }

    /** The medians of the row named {@code name}, or null. */
    static Run row(Map<Harness.Subject, Run> medians, String name) {
        return medians.entrySet().stream()
                .filter(e -> e.getKey().name().equals(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }
}
