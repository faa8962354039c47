package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JVM for an end-to-end test: which JDK, with the agent or not, as PID 1 of a pid namespace or
 * not. Public, with the other helpers of this package, for the demo module's tests (the agent's
 * test-jar).
 */
public final class Jvm {
    public static final Path AGENT =
            Path.of(System.getProperty("reaper.jar", "target/reaper.jar")).toAbsolutePath();
    public static final Path TEST_CLASSES =
            Path.of(System.getProperty("reaper.testClasses", "target/test-classes"))
                    .toAbsolutePath();
    public static final Path APP_JNA =
            Path.of(System.getProperty("reaper.appJna", "target/it/app-jna.jar")).toAbsolutePath();

    /**
     * NuProcess, a native process library from Maven Central, for test applications (with {@link
     * #APP_JNA}).
     */
    public static final Path NUPROCESS =
            Path.of(System.getProperty("reaper.nuprocess", "target/it/nuprocess.jar"))
                    .toAbsolutePath();

    /** The JDKs every end-to-end test runs on. */
    public enum Jdk {
        JDK17,
        JDK25;

        public Path java() {
            return this == JDK17
                    ? Path.of(System.getProperty("java.home"), "bin/java")
                    : Tools.jdk25().resolve("bin/java");
        }
    }

    private final Jdk jdk;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();

    /** The test classes, and the kit's, which some test applications use (their zombie count). */
    private String classPath = TEST_CLASSES + ":" + Pid1.kitClasses();

    private Path jar;
    private boolean pid1;
    private String shellFirst;

    private Jvm(Jdk jdk) {
        this.jdk = jdk;
    }

    public static Jvm on(Jdk jdk) {
        return new Jvm(jdk);
    }

    /** -javaagent:reaper.jar, with OPTIONS if not null. */
    public Jvm withAgent(String options) {
        jvmOptions.add("-javaagent:" + AGENT + (options == null ? "" : "=" + options));
        return this;
    }

    public Jvm option(String jvmOption) {
        jvmOptions.add(jvmOption);
        return this;
    }

    public Jvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Jvm classPath(String extra) {
        classPath = classPath + ":" + extra;
        return this;
    }

    /** Runs {@code java -jar JAR} instead of a main class from the test classes. */
    public Jvm jar(Path executableJar) {
        jar = executableJar;
        return this;
    }

    /** Runs the JVM as PID 1 of a new pid namespace, as in a container. */
    public Jvm asPid1() {
        Tools.requirePidNamespaces();
        pid1 = true;
        // Every PID 1 JVM would use /tmp/hsperfdata_USER/1; a second one at the same time prints a
        // warning on stdout.
        jvmOptions.add("-XX:-UsePerfData");
        return this;
    }

    /**
     * Runs a shell script first, which then execs the JVM in its own process (as a container's
     * entrypoint script does).
     */
    public Jvm afterShell(String script) {
        shellFirst = script;
        return this;
    }

    public Result run(Class<?> main, Duration timeout, String... args)
            throws IOException, InterruptedException {
        return start(main, args).await(timeout);
    }

    /**
     * Starts the JVM with {@code main} (null: the jar given to {@link #jar}); {@link Running#await}
     * ends it.
     */
    public Running start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (shellFirst != null) {
            command.addAll(List.of("sh", "-c", shellFirst + "; exec \"$@\"", "sh"));
        }
        command.add(jdk.java().toString());
        command.addAll(jvmOptions);
        command.addAll(
                main != null
                        ? List.of("-cp", classPath, main.getName())
                        : List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("reaper-it", ".out");
        Path err = Files.createTempFile("reaper-it", ".err");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("REAPER_OPTIONS");
        builder.environment().putAll(env);
        if (!pid1) {
            return new Running(String.join(" ", command), builder.start(), null, out, err);
        }
        Pid1 unshared = Pid1.unshare(builder);
        return new Running(
                String.join(" ", builder.command()), unshared.process(), unshared, out, err);
    }

    /**
     * Waits until the agent in JVM {@code pid} has started, as /proc/PID/task/TID/comm shows: it
     * reaps (a thread named "reaper") and has its native calls (its thread "reaper-starting" is
     * gone).
     */
    public static void awaitAgentReady(long pid) throws IOException, InterruptedException {
        Await.until(
                "the agent in JVM " + pid + " started",
                Duration.ofSeconds(30),
                () ->
                        ProcessTable.hasThread(pid, "reaper")
                                && !ProcessTable.hasThread(pid, "reaper-starting"));
    }

    /** Every JVM started and not yet awaited, for {@link Cleanup}. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * Kills what a failed test left running (add with @ExtendWith to each test class that starts
     * JVMs).
     */
    public static final class Cleanup implements AfterEachCallback {
        @Override
        public void afterEach(ExtensionContext context) {
            for (Process process : RUNNING) {
                ProcessTable.killTree(process.toHandle());
            }
            RUNNING.clear();
        }
    }

    /** A JVM under test, running. */
    public static final class Running {
        private final String command;
        private final Process process;
        private final Pid1 pid1;
        private final Path out;
        private final Path err;

        Running(String command, Process process, Pid1 pid1, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.pid1 = pid1;
            this.out = out;
            this.err = err;
            RUNNING.add(process);
        }

        /** The JVM's pid as this test sees it (under unshare, the one child of unshare). */
        public long pid() throws InterruptedException {
            try {
                return pid1 == null ? process.pid() : pid1.pid();
            } catch (IOException e) {
                throw new AssertionError("no JVM under " + command, e);
            }
        }

        /**
         * Waits until the agent is ready (see {@link Jvm#awaitAgentReady(long)}); it handles the
         * shutdown signals from then on.
         */
        public Running awaitAgentReady() throws IOException, InterruptedException {
            Jvm.awaitAgentReady(pid());
            return this;
        }

        public void signal(String name) throws IOException, InterruptedException {
            assertThat(
                            new ProcessBuilder("kill", "-" + name, "" + pid())
                                    .inheritIO()
                                    .start()
                                    .waitFor())
                    .isZero();
        }

        public Process process() {
            return process;
        }

        /**
         * The kit's handle on the JVM as PID 1 (signal, wait), for code that takes one; null if not
         * run as PID 1.
         */
        public Pid1 pid1() {
            return pid1;
        }

        public Result await(Duration timeout) throws IOException, InterruptedException {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                ProcessTable.killTree(process.toHandle());
                process.waitFor();
            }
            RUNNING.remove(process);
            Result result =
                    new Result(
                            command,
                            ended ? process.exitValue() : -1,
                            Files.readString(out, StandardCharsets.UTF_8),
                            Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            assertThat(ended)
                    .as("%s ended within %s%n%s", result.command, timeout, result)
                    .isTrue();
            return result;
        }
    }

    /** The key=value lines of {@code text}, in order; other lines are left out. */
    public static Map<String, String> keyValues(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** What the JVM printed; test apps print their findings as key=value lines on stdout. */
    public record Result(String command, int status, String stdout, String stderr) {
        public Map<String, String> values() {
            return keyValues(stdout);
        }

        public long number(String key) {
            String value = values().get(key);
            assertThat(value).as("%s in the output of %s%n%s", key, command, this).isNotNull();
            return Long.parseLong(value);
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "---";
        }
    }
}
