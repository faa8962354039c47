import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The goals the figures are held to (issue 18 part 2, and issue 12's that still hold), per JDK:
 * each scenario prints its own under its table, and the run ends with every goal on one line per
 * JDK.
 */
final class Goals {
    /**
     * One goal and the figure measured against it, e.g. "ready ≤ 50 ms after premain begins", "163
     * ms".
     */
    record Goal(String goal, String figure, boolean met) {
        @Override
        public String toString() {
            return goal + ": " + figure + (met ? "" : " (missed)");
        }
    }

    private static final Map<String, List<Goal>> ALL = new LinkedHashMap<>();

    private Goals() {}

    static Goal goal(String goal, String figure, boolean met) {
        return new Goal(goal, figure, met);
    }

    /**
     * Prints a scenario's goals for one JDK (its row label, "java 17"), and keeps them for the
     * summary.
     */
    static void print(String jdk, List<Goal> goals) {
        if (goals.isEmpty()) {
            return;
        }
        ALL.computeIfAbsent(jdk, k -> new ArrayList<>()).addAll(goals);
        System.out.println("Goals, " + jdk + ": " + join(goals));
    }

    /** The last lines of a run: every goal measured, one line per JDK. */
    static void summary() {
        if (ALL.isEmpty()) {
            return;
        }
        System.out.println("### Goals");
        System.out.println();
        ALL.forEach(
                (jdk, goals) -> {
                    long missed = goals.stream().filter(g -> !g.met()).count();
                    System.out.println(
                            "Goals: "
                                    + jdk
                                    + ": "
                                    + join(goals)
                                    + " ("
                                    + (goals.size() - missed)
                                    + " of "
                                    + goals.size()
                                    + " met)");
                    System.out.println();
                });
    }

    private static String join(List<Goal> goals) {
        return String.join("; ", goals.stream().map(Goal::toString).toList());
    }
}
