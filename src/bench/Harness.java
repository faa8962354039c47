import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * What every scenario shares: where the builds are, the settings, the JDKs, the rows of a table
 * (the JVM with and without the agent on each JDK, and the peers), and small helpers for running
 * commands and taking medians. The kit (test-kit: Pid1, ProcessTable, ProcessFigures, Await) does
 * the process work; {@link AgentView} is the one place that knows how the agent shows itself.
 */
final class Harness {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path AGENT = ROOT.resolve("agent/target/reaper.jar");
    static final Path TEST_CLASSES = ROOT.resolve("agent/target/test-classes");
    static final Path SCRIPTS = TEST_CLASSES.resolve("dev/reaper/it/apps");

    /**
     * The class path of a JVM that runs one of the tests' applications: they use the kit (Await,
     * ProcessTable), which is on this bench's own class path.
     */
    static final String APPS_CLASS_PATH =
            TEST_CLASSES + ":" + System.getProperty("java.class.path");

    static final Path IT = ROOT.resolve("agent/target/it");

    /**
     * The JDKs that "17" and "25" name in the jdks setting; any other entry is a JDK's home
     * directory.
     */
    static final Map<String, Path> KNOWN_JDKS =
            Map.of(
                    "17",
                    Path.of("/usr/lib/jvm/java-17-openjdk-amd64"),
                    "25",
                    Path.of(
                            System.getProperty(
                                    "reaper.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64")));

    private static final Map<String, String> SETTINGS = new HashMap<>();

    private Harness() {}

    // ---------------------------------------------------------------- settings

    /**
     * NAME=VALUE arguments; a setting not given there comes from the environment, as BENCH_NAME.
     */
    static void settings(Map<String, String> given) {
        SETTINGS.putAll(given);
    }

    static String setting(String name, String otherwise) {
        String value = SETTINGS.get(name);
        if (value == null) {
            value = System.getenv("BENCH_" + name.toUpperCase().replace('-', '_'));
        }
        return value == null || value.isEmpty() ? otherwise : value;
    }

    static int setting(String name, int otherwise) {
        String value = setting(name, (String) null);
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "setting " + name + "=" + value + ": a whole number is accepted");
        }
    }

    // ---------------------------------------------------------------- JDKs and rows

    /** A JDK the JVMs under test run on; its label ("java 17") names its rows. */
    record Jdk(String name, Path home) {
        String java() {
            return home.resolve("bin/java").toString();
        }

        String label() {
            return "java " + name;
        }
    }

    /** The jdks setting: "17,25" by default; each entry 17, 25 or a JDK's home directory. */
    static List<Jdk> jdks() {
        List<Jdk> jdks = new ArrayList<>();
        for (String entry : setting("jdks", "17,25").split(",")) {
            Path home = KNOWN_JDKS.containsKey(entry) ? KNOWN_JDKS.get(entry) : Path.of(entry);
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new IllegalArgumentException(
                        "jdks: no "
                                + home.resolve("bin/java")
                                + " (accepted: 17, 25 or a JDK's home directory)");
            }
            jdks.add(new Jdk(KNOWN_JDKS.containsKey(entry) ? entry : feature(home), home));
        }
        return jdks;
    }

    /** The feature version of the JDK at {@code home} (25 for 25.0.3), from its release file. */
    private static String feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return line.replaceAll("JAVA_VERSION=\"?([0-9]+).*", "$1");
                }
            }
        } catch (IOException e) {
            // named by its directory then
        }
        return home.getFileName().toString();
    }

    /**
     * One row of a table: a PID 1 or a JVM. {@code jdk} is null for a peer (tini...); {@code agent}
     * is the agent jar the JVM runs with, null for none.
     */
    record Subject(String name, Jdk jdk, Path agent, List<String> command) {
        boolean jvm() {
            return jdk != null;
        }
    }

    /** How a scenario runs a JVM of its own with these options (-javaagent:..., flags). */
    interface JvmCommand {
        List<String> command(Jdk jdk, List<String> options);
    }

    /**
     * The agent builds a JVM row runs with, by the suffix of the row's name: this build (" +
     * reaper"), and the compare setting's jar (" + other reaper.jar"), to measure two builds in one
     * run.
     */
    static Map<String, Path> agents() {
        Map<String, Path> agents = new LinkedHashMap<>();
        agents.put(" + reaper", AGENT);
        String other = setting("compare", (String) null);
        if (other != null) {
            agents.put(" + other reaper.jar", Path.of(other).toAbsolutePath());
        }
        return agents;
    }

    /**
     * A table's rows: on each JDK the JVM with each agent build (and {@code variants}, more options
     * with this build), then the peers, then on each JDK the JVM without an agent; narrowed to the
     * subjects setting (row names, comma-separated) if given.
     */
    static List<Subject> subjects(
            Map<String, List<String>> peers, Map<String, List<String>> variants, JvmCommand jvm) {
        List<Subject> rows = new ArrayList<>();
        for (Jdk jdk : jdks()) {
            agents().forEach(
                            (suffix, jar) ->
                                    rows.add(
                                            new Subject(
                                                    jdk.label() + suffix,
                                                    jdk,
                                                    jar,
                                                    jvm.command(
                                                            jdk, List.of("-javaagent:" + jar)))));
            variants.forEach(
                    (suffix, options) ->
                            rows.add(
                                    new Subject(
                                            jdk.label() + suffix,
                                            jdk,
                                            AGENT,
                                            jvm.command(jdk, options))));
        }
        peers.forEach((name, command) -> rows.add(new Subject(name, null, null, command)));
        for (Jdk jdk : jdks()) {
            rows.add(
                    new Subject(
                            jdk.label() + ", no agent", jdk, null, jvm.command(jdk, List.of())));
        }
        String only = setting("subjects", (String) null);
        if (only != null) {
            List<String> names = Arrays.asList(only.split(","));
            List<String> all = rows.stream().map(Subject::name).toList();
            rows.removeIf(row -> !names.contains(row.name()));
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(
                        "subjects="
                                + only
                                + " names no row of this scenario; its rows: "
                                + String.join(",", all));
            }
        }
        return rows;
    }

    /** The row named "java N + reaper" for {@code jdk}: this build of the agent. */
    static String reaperRow(Jdk jdk) {
        return jdk.label() + " + reaper";
    }

    /**
     * The command line of a JVM that plays a {@link Role}, with {@code options} before the class
     * path.
     */
    static List<String> roleJvm(Jdk jdk, List<String> options, String... role) {
        List<String> command = new ArrayList<>(List.of(jdk.java()));
        command.addAll(options);
        // this bench's own class path: the kit's classes and the bench compiled once (not from
        // source, which would leave the role's JIT busy with javac when the measurement starts)
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "Role"));
        command.addAll(List.of(role));
        return command;
    }

    // ---------------------------------------------------------------- the hello world

    private static Path hello;

    /**
     * A directory with Hello.class alone (the hello world of the start-up and memory scenarios) and
     * stopwatch.jar (the {@link Stopwatch} agent), so that their JVMs load nothing else of the
     * bench.
     */
    static synchronized Path helloWorld() throws IOException {
        if (hello == null) {
            Path dir = Files.createTempDirectory("reaper-bench-hello");
            Files.write(dir.resolve("Hello.class"), classBytes("Hello"));
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue("Premain-Class", "Stopwatch");
            try (JarOutputStream out =
                    new JarOutputStream(
                            Files.newOutputStream(dir.resolve("stopwatch.jar")), manifest)) {
                out.putNextEntry(new JarEntry("Stopwatch.class"));
                out.write(classBytes("Stopwatch"));
            }
            hello = dir;
        }
        return hello;
    }

    /** Removes the hello world's directory, if made. */
    static synchronized void deleteHelloWorld() throws IOException, InterruptedException {
        if (hello != null) {
            new ProcessBuilder("rm", "-rf", hello.toString()).start().waitFor();
            hello = null;
        }
    }

    private static byte[] classBytes(String name) throws IOException {
        try (InputStream in = Harness.class.getResourceAsStream("/" + name + ".class")) {
            return in.readAllBytes();
        }
    }

    // ---------------------------------------------------------------- commands and figures

    /** Runs {@code command}; its standard output (standard error discarded). */
    static String output(List<String> command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Wall-clock milliseconds from starting {@code command} to its end. */
    static double wall(List<String> command) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Prints a Markdown table's header line and the line under it. */
    static void header(String... columns) {
        System.out.println("| " + String.join(" | ", columns) + " |");
        System.out.println("|" + "---|".repeat(columns.length));
    }

    static void title(String title) {
        System.out.println("### " + title);
        System.out.println();
    }

    /** The machine, the JDKs and the peers, for the top of a run's output. */
    static String machine() throws IOException, InterruptedException {
        String cpu =
                Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 2))
                        .orElse("?");
        StringBuilder jvms = new StringBuilder();
        for (Jdk jdk : jdks()) {
            Process version =
                    new ProcessBuilder(jdk.java(), "-version").redirectErrorStream(true).start();
            String vm =
                    new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> l.contains("VM"))
                            .findFirst()
                            .orElse("?");
            version.waitFor();
            jvms.append(", ").append(jdk.label()).append(": ").append(vm.strip());
        }
        return Runtime.getRuntime().availableProcessors()
                + " cores ("
                + cpu
                + "), kernel "
                + System.getProperty("os.version")
                + jvms
                + ", "
                + version("tini", "--version")
                + ", "
                + version("dumb-init", "--version")
                + ", "
                + version("catatonit", "--version");
    }

    private static String version(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out.isEmpty() ? command[0] + " ?" : out.lines().findFirst().orElse("");
    }
}
