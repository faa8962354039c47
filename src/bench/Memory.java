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
 * Memory of a hello world that lives 3 s (long enough for the agent to be up), on each JDK, without
 * an agent, with an empty agent (what any -javaagent costs) and with reaper: peak RSS (VmHWM of
 * /proc/PID/status, read until the JVM ends) and its anonymous and file-backed parts at the end;
 * and beside it, from other runs (tracking costs memory itself), the JVM's Native Memory Tracking
 * summary at exit (-XX:NativeMemoryTracking=summary -XX:+PrintNMTStatistics): memory committed by
 * category, the categories that differ. NMT counts the Java heap as committed, not as used: the
 * heap used at exit comes from G1's log (-Xlog:gc*). Settings: rss (5: runs of each kind, for RSS
 * and for NMT).
 */
final class Memory {
    /**
     * A category line of NMT's summary, in JDK 17's and 25's format: "- Class (reserved=...,
     * committed=123...)".
     */
    private static final Pattern CATEGORY =
            Pattern.compile(
                    "^-\\s+(.+?) \\(reserved=\\d+(KB)?, committed=(\\d+)(KB)?", Pattern.MULTILINE);

    /**
     * The heap at exit, as -Xlog:gc* prints it on JDK 17 and 25: "garbage-first heap total ...,
     * used 4675K [...".
     */
    private static final Pattern HEAP_USED = Pattern.compile("garbage-first heap .*used (\\d+)K");

    private static final Pattern TOTAL =
            Pattern.compile("^Total: reserved=\\d+(KB)?, committed=(\\d+)(KB)?", Pattern.MULTILINE);
    private static final double MIB = 1024 * 1024;
    private static final String PEAK = "peak RSS (VmHWM)";

    /**
     * Not NMT's: NMT counts the heap as committed, not as used; the GC's log at exit says how much
     * start-up left in it.
     */
    private static final String HEAP_USED_ROW = "Java heap used at exit (G1's log)";

    private Memory() {}

    static void run() throws Exception {
        int runs = Harness.setting("rss", 5);
        Path dir = Harness.helloWorld();
        // the columns: no agent, an empty agent (what any -javaagent costs: the stopwatch, whose
        // premain does nothing when loaded once), then each build of reaper
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        kinds.put("no agent", List.of());
        kinds.put("empty agent", List.of("-javaagent:" + dir.resolve("stopwatch.jar")));
        Harness.agents()
                .forEach(
                        (suffix, jar) ->
                                kinds.put(
                                        "with" + suffix.substring(2),
                                        List.of("-javaagent:" + jar)));
        Harness.title(
                "Memory of a hello world that lives 3 s (peak RSS: median of "
                        + runs
                        + "; Native Memory Tracking, committed at exit: median of "
                        + runs
                        + ", other runs; added: against no agent)");
        List<String> columns = new ArrayList<>(List.of("", "no agent"));
        kinds.keySet().stream().skip(1).forEach(kind -> columns.addAll(List.of(kind, "added")));
        Harness.header(columns.toArray(String[]::new));
        Map<Harness.Jdk, Double> added = new LinkedHashMap<>();
        for (Harness.Jdk jdk : Harness.jdks()) {
            Map<String, List<Map<String, Double>>> rss = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> nmt = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) { // interleaved
                for (Map.Entry<String, List<String>> kind : kinds.entrySet()) {
                    rss.computeIfAbsent(kind.getKey(), k -> new ArrayList<>())
                            .add(rss(hello(jdk, dir, kind.getValue())));
                    List<String> tracked =
                            new ArrayList<>(
                                    List.of(
                                            "-XX:NativeMemoryTracking=summary",
                                            "-XX:+UnlockDiagnosticVMOptions",
                                            "-XX:+PrintNMTStatistics",
                                            "-Xlog:gc*=info:stdout"));
                    tracked.addAll(kind.getValue());
                    nmt.computeIfAbsent(kind.getKey(), k -> new ArrayList<>())
                            .add(nmt(Harness.output(hello(jdk, dir, tracked))));
                }
            }
            Map<String, Map<String, Double>> memory = new LinkedHashMap<>(); // by figure, then kind
            rss.forEach(
                    (kind, values) ->
                            medians(values)
                                    .forEach(
                                            (figure, kib) ->
                                                    memory.computeIfAbsent(
                                                                    figure,
                                                                    f -> new LinkedHashMap<>())
                                                            .put(kind, kib)));
            memory.forEach(
                    (figure, byKind) ->
                            System.out.println(
                                    row(
                                            jdk.label() + ": " + figure,
                                            kinds.keySet(),
                                            byKind,
                                            1024,
                                            1)));
            // by category, then kind
            Map<String, Map<String, Double>> committed = new LinkedHashMap<>();
            nmt.forEach(
                    (kind, values) ->
                            medians(values)
                                    .forEach(
                                            (category, bytes) ->
                                                    committed
                                                            .computeIfAbsent(
                                                                    category,
                                                                    c -> new LinkedHashMap<>())
                                                            .put(kind, bytes)));
            committed.forEach(
                    (category, byKind) -> {
                        double plain = byKind.getOrDefault("no agent", 0.0);
                        boolean differs =
                                byKind.values().stream()
                                        .anyMatch(bytes -> Math.abs(bytes - plain) >= 0.01 * MIB);
                        // a category alike with and without an agent is not part of what it adds
                        if (differs || category.equals("Total")) {
                            System.out.println(
                                    row(
                                            jdk.label()
                                                    + ": "
                                                    + (category.equals(HEAP_USED_ROW) ? "" : "NMT ")
                                                    + category,
                                            kinds.keySet(),
                                            byKind,
                                            MIB,
                                            2));
                        }
                    });
            added.put(
                    jdk,
                    (memory.get(PEAK).get("with reaper") - memory.get(PEAK).get("no agent"))
                            / 1024);
        }
        System.out.println();
        added.forEach(
                (jdk, a) ->
                        Goals.print(
                                jdk.label(),
                                List.of(
                                        Goals.goal(
                                                "peak RSS added ≤ 8 MiB",
                                                String.format("%+.1f MiB", a),
                                                a <= 8))));
        System.out.println();
    }

    /**
     * A table row: the figure without an agent, then each other kind's and what it adds, in MiB (a
     * kind without the figure: 0).
     */
    private static String row(
            String name,
            Iterable<String> kinds,
            Map<String, Double> byKind,
            double unit,
            int decimals) {
        double plain = byKind.getOrDefault("no agent", 0.0);
        String mib = "%." + decimals + "f MiB";
        StringBuilder row =
                new StringBuilder("| " + name + " | " + String.format(mib, plain / unit) + " |");
        for (String kind : kinds) {
            if (!kind.equals("no agent")) {
                double value = byKind.getOrDefault(kind, 0.0);
                row.append(
                        String.format(
                                " " + mib + " | %+" + mib.substring(1) + " |",
                                value / unit,
                                (value - plain) / unit));
            }
        }
        return row.toString();
    }

    private static List<String> hello(Harness.Jdk jdk, Path dir, List<String> options) {
        List<String> command = new ArrayList<>(List.of(jdk.java()));
        command.addAll(options);
        command.addAll(List.of("-cp", dir.toString(), "Hello", "3000"));
        return command;
    }

    /**
     * The command's peak RSS (VmHWM), and its anonymous and file-backed RSS just before it ends, in
     * KiB: /proc/PID/status read every 20 ms until it ends (the last reading of each).
     */
    static Map<String, Double> rss(List<String> command) throws Exception {
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        Map<String, Double> last = new LinkedHashMap<>();
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            long peak = ProcessFigures.statusFigure(p.pid(), "VmHWM");
            if (peak > 0) { // 0: it has just ended
                last.put(PEAK, (double) peak);
                last.put(
                        "RSS anonymous, at the end",
                        (double) ProcessFigures.statusFigure(p.pid(), "RssAnon"));
                last.put(
                        "RSS file-backed, at the end",
                        (double) ProcessFigures.statusFigure(p.pid(), "RssFile"));
            }
        }
        return last;
    }

    /**
     * NMT's summary: committed bytes by category, and "Total"; and the heap used at exit, from the
     * GC's log.
     */
    static Map<String, Double> nmt(String summary) {
        Map<String, Double> committed = new LinkedHashMap<>();
        Matcher total = TOTAL.matcher(summary);
        if (!total.find()) {
            throw new IllegalStateException(
                    "no Native Memory Tracking summary in the JVM's output: "
                            + summary.lines().limit(5).toList());
        }
        committed.put("Total", bytes(total.group(2), total.group(3)));
        Matcher heap = HEAP_USED.matcher(summary);
        if (heap.find()) {
            committed.put(HEAP_USED_ROW, bytes(heap.group(1), "KB"));
        }
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
        runs.forEach(
                run ->
                        run.keySet()
                                .forEach(
                                        category ->
                                                medians.put(
                                                        category,
                                                        Harness.median(
                                                                runs.stream()
                                                                        .map(
                                                                                r ->
                                                                                        r
                                                                                                .getOrDefault(
                                                                                                        category,
                                                                                                        0.0))
                                                                        .toList()))));
        return medians;
    }
}
