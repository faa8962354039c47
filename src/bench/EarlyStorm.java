import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The orphan storm that starts with the JVM: the JVM's first child, started from main's first line
 * (Role drive-now), double-forks ORPHANS orphans, while the agent is still starting; the peers run
 * the same shell as PID 1 from their start. Prints the storm time and its ratio to tini's, the peak
 * zombies during the storm, storm end to zero zombies, zombies left after 5 s. Until the agent
 * reaps, the orphans stay zombies: the peak says how soon it does. Settings: orphans (5000), runs
 * (3).
 */
final class EarlyStorm {
    private EarlyStorm() {}

    static void run() throws Exception {
        int orphans = Harness.setting("orphans", 5000);
        int runs = Harness.setting("runs", 3);
        List<Harness.Subject> subjects =
                Harness.subjects(
                        StormMeasure.peers(),
                        Map.of(),
                        (jdk, options) -> Harness.roleJvm(jdk, options, "drive-now"));
        Harness.title(
                "Orphan storm that starts with the JVM: its first child, from main, double-forks "
                        + orphans
                        + " orphans; PID 1 of a new pid namespace (median of "
                        + runs
                        + " runs)");
        Harness.header(
                "PID 1",
                "storm time",
                "× tini",
                "peak zombies during the storm",
                "storm end to zero zombies",
                "zombies left after 5 s");
        Map<Harness.Subject, StormMeasure.Run> medians =
                StormMeasure.medians(subjects, orphans, runs);
        StormMeasure.Run tini = StormMeasure.row(medians, "tini");
        medians.forEach(
                (s, m) ->
                        System.out.printf(
                                "| %s | %.0f ms | %s | %d | %s | %d |%n",
                                s.name(),
                                m.stormMs(),
                                StormMeasure.timesTini(m, tini),
                                m.peak(),
                                StormMeasure.drain(m),
                                m.left()));
        System.out.println();
        for (Harness.Jdk jdk : Harness.jdks()) {
            StormMeasure.Run reaper = StormMeasure.row(medians, Harness.reaperRow(jdk));
            if (reaper == null || tini == null) {
                continue;
            }
            List<Goals.Goal> goals = new ArrayList<>();
            goals.add(
                    Goals.goal(
                            "storm with the JVM: peak zombies ≤ 3 × tini's + 5 = "
                                    + (3 * tini.peak() + 5),
                            "" + reaper.peak(),
                            reaper.peak() <= 3 * tini.peak() + 5));
            goals.add(
                    Goals.goal(
                            "storm with the JVM: time ≤ 1.05 × tini's",
                            StormMeasure.timesTini(reaper, tini),
                            reaper.stormMs() <= 1.05 * tini.stormMs()));
            Goals.print(jdk.label(), goals);
        }
        System.out.println();
    }
}
