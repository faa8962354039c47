import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The orphan storm, PID 1 ready first: each PID 1 of a new pid namespace runs the same shell, which
 * double-forks ORPHANS orphans (a JVM starts it once its agent is ready). Prints the storm time and
 * its ratio to tini's, the peak zombies during the storm, storm end to zero zombies, zombies left
 * after 5 s, and the CPU per orphan of PID 1 as a whole and of the agent's threads (schedstat).
 * Settings: orphans (5000), runs (3), extra (any value: two more rows, the agent under -Xrs with a
 * 10 ms sweep, and the agent unable to load JNA).
 */
final class Storm {
    private Storm() {}

    static void run() throws Exception {
        int orphans = Harness.setting("orphans", 5000);
        int runs = Harness.setting("runs", 3);
        Map<String, List<String>> variants = new LinkedHashMap<>();
        if (Harness.setting("extra", (String) null) != null) {
            variants.put(
                    " + reaper, -Xrs sweep 10ms",
                    List.of("-Xrs", "-javaagent:" + Harness.AGENT + "=sweep=10ms"));
            // JNA unable to load (no writable exec directory): the reaper through the JDK's waitpid
            // and /proc
            variants.put(
                    " + reaper without JNA",
                    List.of("-Djna.tmpdir=/proc/no-such-dir", "-javaagent:" + Harness.AGENT));
        }
        List<Harness.Subject> subjects =
                Harness.subjects(
                        StormMeasure.peers(),
                        variants,
                        (jdk, options) -> Harness.roleJvm(jdk, options, "drive"));
        Harness.title(
                "Orphan storm: "
                        + orphans
                        + " double-forked orphans, PID 1 of a new pid namespace, a JVM's agent ready first (median of "
                        + runs
                        + " runs)");
        Harness.header(
                "PID 1",
                "storm time",
                "× tini",
                "peak zombies during the storm",
                "storm end to zero zombies",
                "zombies left after 5 s",
                "PID 1's CPU per orphan",
                "of which the agent's threads");
        Map<Harness.Subject, StormMeasure.Run> medians =
                StormMeasure.medians(subjects, orphans, runs);
        StormMeasure.Run tini = StormMeasure.row(medians, "tini");
        medians.forEach(
                (s, m) ->
                        System.out.printf(
                                "| %s | %.0f ms | %s | %d | %s | %d | %.0f µs | %s |%n",
                                s.name(),
                                m.stormMs(),
                                StormMeasure.timesTini(m, tini),
                                m.peak(),
                                StormMeasure.drain(m),
                                m.left(),
                                m.pid1CpuUs(),
                                Double.isNaN(m.agentCpuUs())
                                        ? "-"
                                        : String.format("%.1f µs", m.agentCpuUs())));
        System.out.println();
        for (Harness.Jdk jdk : Harness.jdks()) {
            StormMeasure.Run reaper = StormMeasure.row(medians, Harness.reaperRow(jdk));
            if (reaper == null) {
                continue;
            }
            List<Goals.Goal> goals = new java.util.ArrayList<>();
            goals.add(
                    Goals.goal(
                            "storm: agent's threads ≤ 30 µs per orphan",
                            String.format("%.1f µs", reaper.agentCpuUs()),
                            reaper.agentCpuUs() <= 30));
            if (tini != null) {
                goals.add(
                        Goals.goal(
                                "storm: peak zombies ≤ 3 × tini's + 5 = " + (3 * tini.peak() + 5),
                                "" + reaper.peak(),
                                reaper.peak() <= 3 * tini.peak() + 5));
                goals.add(
                        Goals.goal(
                                "storm: time ≤ 1.05 × tini's",
                                StormMeasure.timesTini(reaper, tini),
                                reaper.stormMs() <= 1.05 * tini.stormMs()));
            }
            goals.add(
                    Goals.goal(
                            "storm: drain ≤ 1 ms",
                            StormMeasure.drain(reaper),
                            reaper.left() == 0 && reaper.drainMs() >= 0 && reaper.drainMs() <= 1));
            Goals.print(jdk.label(), goals);
        }
        System.out.println();
    }
}
