import dev.reaper.kit.ProcessFigures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory of a hello world that lives 3 s (long enough for the agent to be up), on each JDK, with and
 * without the agent: peak RSS (VmHWM of /proc/PID/status, read until the JVM ends), and beside it the
 * JVM's Native Memory Tracking summary at exit (-XX:NativeMemoryTracking=summary
 * -XX:+PrintNMTStatistics), memory committed by category, from separate runs since tracking costs
 * memory itself. NMT counts the Java heap as committed, not as touched: the heap's row says little
 * about RSS; the others (classes, threads, code, symbols...) say where the rest goes. Settings:
 * rss (5: runs of each kind, each for RSS and for NMT).
 */
final class Memory {
    /** A category line of NMT's summary, in JDK 17's and 25's format: "-    Class (reserved=..., committed=123...)". */
    private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+(KB)?, committed=(\\d+)(KB)?", Pattern.MULTILINE);
    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=\\d+(KB)?, committed=(\\d+)(KB)?", Pattern.MULTILINE);
    private static final double MIB = 1024 * 1024;

    private Memory() {}

    static void run() throws Exception {
        int runs = Harness.setting("rss", 5);
        Path dir = Harness.helloWorld();
        Map<String, Path> agents = Harness.agents();
        Harness.title("Memory of a hello world that lives 3 s (peak RSS: median of " + runs + "; Native Memory Tracking, committed at exit: median of "
                + runs + ", other runs)");
        List<String> columns = new ArrayList<>(List.of("", "no agent"));
        agents.keySet().forEach(suffix -> columns.addAll(List.of("with" + suffix.substring(2), "added")));
        Harness.header(columns.toArray(String[]::new));
        Map<Harness.Jdk, Double> added = new LinkedHashMap<>();
        for (Harness.Jdk jdk : Harness.jdks()) {
            Map<String, List<Double>> rss = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> nmt = new LinkedHashMap<>();
            List<String> kinds = new ArrayList<>(List.of("no agent"));
            kinds.addAll(agents.keySet());
            kinds.forEach(k -> {
                rss.put(k, new ArrayList<>());
                nmt.put(k, new ArrayList<>());
            });
            for (int i = 0; i < runs; i++) { // interleaved
                for (String kind : kinds) {
                    List<String> options = kind.equals("no agent") ? List.of() : List.of("-javaagent:" + agents.get(kind));
                    rss.get(kind).add(peakRssMib(hello(jdk, dir, options)));
                    List<String> tracked = new ArrayList<>(List.of("-XX:NativeMemoryTracking=summary", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintNMTStatistics"));
                    tracked.addAll(options);
                    nmt.get(kind).add(nmt(Harness.output(hello(jdk, dir, tracked))));
                }
            }
            double plainRss = Harness.median(rss.get("no agent"));
            StringBuilder row = new StringBuilder(String.format("| %s: peak RSS (VmHWM) | %.1f MiB |", jdk.label(), plainRss));
            for (String a : agents.keySet()) {
                double m = Harness.median(rss.get(a));
                row.append(String.format(" %.1f MiB | %+.1f MiB |", m, m - plainRss));
            }
            System.out.println(row);
            Map<String, Double> plainNmt = medians(nmt.get("no agent"));
            Map<String, Map<String, Double>> agentNmt = new LinkedHashMap<>();
            agents.keySet().forEach(a -> agentNmt.put(a, medians(nmt.get(a))));
            List<String> categories = new ArrayList<>(plainNmt.keySet());
            agentNmt.values().forEach(m -> m.keySet().stream().filter(c -> !categories.contains(c)).forEach(categories::add));
            for (String category : categories) {
                double plain = plainNmt.getOrDefault(category, 0.0);
                boolean differs = agentNmt.values().stream().anyMatch(m -> Math.abs(m.getOrDefault(category, 0.0) - plain) >= 0.01 * MIB);
                if (!differs && !category.equals("Total")) {
                    continue; // the same with and without the agent: not part of what it adds
                }
                row = new StringBuilder(String.format("| %s: NMT %s | %.2f MiB |", jdk.label(), category, plain / MIB));
                for (String a : agents.keySet()) {
                    double m = agentNmt.get(a).getOrDefault(category, 0.0);
                    row.append(String.format(" %.2f MiB | %+.2f MiB |", m / MIB, (m - plain) / MIB));
                }
                System.out.println(row);
            }
            added.put(jdk, Harness.median(rss.get(" + reaper")) - plainRss);
        }
        System.out.println();
        added.forEach((jdk, a) -> Goals.print(jdk.label(), List.of(Goals.goal("peak RSS added ≤ 8 MiB", String.format("%+.1f MiB", a), a <= 8))));
        System.out.println();
    }

    private static List<String> hello(Harness.Jdk jdk, Path dir, List<String> options) {
        List<String> command = new ArrayList<>(List.of(jdk.java()));
        command.addAll(options);
        command.addAll(List.of("-cp", dir.toString(), "Hello", "3000"));
        return command;
    }

    /** VmHWM of the command's process, read every 20 ms until it ends (the last reading: the peak grows only). */
    static double peakRssMib(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long kib = 0;
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            kib = Math.max(kib, ProcessFigures.statusFigure(p.pid(), "VmHWM"));
        }
        return kib / 1024.0;
    }

    /** NMT's summary: committed bytes by category, and "Total". */
    static Map<String, Double> nmt(String summary) {
        Map<String, Double> committed = new LinkedHashMap<>();
        Matcher total = TOTAL.matcher(summary);
        if (!total.find()) {
            throw new IllegalStateException("no Native Memory Tracking summary in the JVM's output: " + summary.lines().limit(5).toList());
        }
        committed.put("Total", bytes(total.group(2), total.group(3)));
        Matcher m = CATEGORY.matcher(summary);
        while (m.find()) {
            committed.put(m.group(1).strip(), bytes(m.group(3), m.group(4)));
        }
        return committed;
    }

    private static double bytes(String number, String unit) {
        return Double.parseDouble(number) * (unit == null ? 1 : 1024);
    }

    private static Map<String, Double> medians(List<Map<String, Double>> runs) {
        Map<String, Double> medians = new LinkedHashMap<>();
        runs.forEach(run -> run.keySet().forEach(category -> medians.put(category,
                Harness.median(runs.stream().map(r -> r.getOrDefault(category, 0.0)).toList()))));
        return medians;
    }
}
