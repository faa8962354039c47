import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the agent adds to a platform thread's start and end (its JVMTI ThreadEnd watch), in a JVM
 * that has a child process (the case where the watch has something to look at): COUNT threads
 * started and joined one after another, after as many to warm up; CPU of the whole JVM per thread,
 * with and without the agent, on each JDK. Settings: threads (20000), runs (3).
 */
final class Threads {
    private Threads() {}

    static void run() throws Exception {
        int count = Harness.setting("threads", 20_000);
        int runs = Harness.setting("runs", 3);
        List<Harness.Subject> subjects =
                Harness.subjects(
                        Map.of(),
                        Map.of(),
                        (jdk, options) -> Harness.roleJvm(jdk, options, "threads", "" + count));
        Map<Harness.Subject, double[]> cpu = new LinkedHashMap<>();
        subjects.forEach(s -> cpu.put(s, new double[runs]));
        for (int r = 0; r < runs; r++) { // interleaved
            for (Harness.Subject subject : subjects) {
                String said = Harness.output(subject.command()).strip();
                try {
                    cpu.get(subject)[r] = Double.parseDouble(said);
                } catch (NumberFormatException e) {
                    throw new IllegalStateException(
                            subject.name() + " printed no figure: \"" + said + "\"");
                }
            }
        }
        Harness.title(
                "Threads that end: "
                        + count
                        + " platform threads started and joined one after another by a JVM that has a child process"
                        + " (CPU of the whole JVM per thread, median of "
                        + runs
                        + " runs)");
        Harness.header("", "CPU per thread", "added by the agent");
        for (Harness.Subject s : subjects) {
            double plain = plain(cpu, s.jdk());
            double mine = Harness.median(cpu.get(s));
            System.out.printf(
                    "| %s | %.1f µs | %s |%n",
                    s.name(),
                    mine,
                    s.agent() == null || Double.isNaN(plain)
                            ? ""
                            : String.format("%.1f µs", mine - plain));
        }
        System.out.println();
        for (Harness.Jdk jdk : Harness.jdks()) {
            Harness.Subject reaper =
                    subjects.stream()
                            .filter(s -> s.name().equals(Harness.reaperRow(jdk)))
                            .findFirst()
                            .orElse(null);
            double plain = plain(cpu, jdk);
            if (reaper != null && !Double.isNaN(plain)) {
                double added = Harness.median(cpu.get(reaper)) - plain;
                Goals.print(
                        jdk.label(),
                        List.of(
                                Goals.goal(
                                        "a thread's start and end ≤ +10 µs",
                                        String.format("%+.1f µs", added),
                                        added <= 10)));
            }
        }
        System.out.println();
    }

    /** The median of the row without the agent on that JDK; NaN if that row is not run. */
    private static double plain(Map<Harness.Subject, double[]> cpu, Harness.Jdk jdk) {
        return cpu.entrySet().stream()
                .filter(e -> jdk.equals(e.getKey().jdk()) && e.getKey().agent() == null)
                .findFirst()
                .map(e -> Harness.median(e.getValue()))
                .orElse(Double.NaN);
    }
}
