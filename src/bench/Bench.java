import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures reaper side by side with its peers (tini, dumb-init, catatonit) and with the same JVM
 * without it, on JDK 17 and 25, in one run, and prints Markdown tables, each scenario's goals under
 * its table, and every goal per JDK at the end. Run it with {@code src/bench/run [SCENARIO...]
 * [NAME=VALUE...]} (see src/bench/README.md): no scenario named runs all of them but the soak.
 * Needs root (pid namespaces), unshare, tini, dumb-init and catatonit, and the agent and test
 * classes built ({@code mvn -o -q -pl agent -am -DskipTests package}).
 */
public final class Bench {
    /** Each scenario, in the order "all" runs them. */
    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    interface Scenario {
        void run() throws Exception;
    }

    static {
        SCENARIOS.put("storm", Storm::run);
        SCENARIOS.put("early-storm", EarlyStorm::run);
        SCENARIOS.put("idle", Idle::run);
        SCENARIOS.put("threads", Threads::run);
        SCENARIOS.put("startup", Startup::run);
        SCENARIOS.put("memory", Memory::run);
        SCENARIOS.put("shutdown", Shutdown::run);
        SCENARIOS.put("tomcat", TomcatShutdown::run);
    }

    /**
     * The settings a NAME=VALUE argument (or BENCH_NAME in the environment) may give; see
     * src/bench/README.md.
     */
    private static final List<String> SETTINGS =
            List.of(
                    "orphans",
                    "runs",
                    "extra",
                    "threads",
                    "idle",
                    "starts",
                    "rss",
                    "jdks",
                    "subjects",
                    "compare",
                    "soak");

    private Bench() {}

    public static void main(String[] args) throws Exception {
        try {
            run(args);
            // a scenario, a setting or its value: the message says what is accepted
        } catch (IllegalArgumentException badInput) {
            System.err.println("bench: " + badInput.getMessage());
            System.exit(2);
        }
    }

    private static void run(String[] args) throws Exception {
        List<String> chosen = new ArrayList<>();
        Map<String, String> settings = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0 && !SETTINGS.contains(arg.substring(0, eq))) {
                throw new IllegalArgumentException(
                        "no setting "
                                + arg.substring(0, eq)
                                + ": accepted are "
                                + String.join(", ", SETTINGS));
            } else if (eq > 0) {
                settings.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (arg.equals("all")) {
                chosen.addAll(SCENARIOS.keySet());
            } else if (SCENARIOS.containsKey(arg) || arg.equals("soak")) {
                chosen.add(arg);
            } else {
                throw new IllegalArgumentException(
                        "no scenario "
                                + arg
                                + ": accepted are all, "
                                + String.join(", ", SCENARIOS.keySet())
                                + ", soak, and settings as NAME=VALUE (see src/bench/README.md)");
            }
        }
        if (chosen.isEmpty()) {
            chosen.addAll(SCENARIOS.keySet());
        }
        Harness.settings(settings);
        if (!Files.exists(Harness.AGENT) || !Files.exists(Harness.SCRIPTS.resolve("tree.sh"))) {
            throw new IllegalStateException(
                    "build first: mvn -o -q -pl agent -am -DskipTests package (no "
                            + Harness.AGENT
                            + " or test classes)");
        }
        System.out.println("Machine: " + Harness.machine());
        System.out.println();
        try {
            for (String name : chosen) {
                if (name.equals("soak")) {
                    Soak.run();
                } else {
                    SCENARIOS.get(name).run();
                }
            }
        } finally {
            Harness.deleteHelloWorld();
        }
        Goals.summary();
    }
}
