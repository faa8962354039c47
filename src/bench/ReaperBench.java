import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Measures reaper side by side with its peers, in one run, and prints Markdown tables.
 *
 * <pre>
 *   mvn -q package -DskipTests && java -cp test-kit/target/classes src/bench/ReaperBench.java [PART] [ORPHANS] [RUNS] [IDLE_SECONDS]
 * </pre>
 *
 * PART is all (the default), storm, threads, idle, startup or shutdown; soak [DURATION] is a part of its own (see Soak). Needs root (pid namespaces), unshare,
 * tini, dumb-init and catatonit (Debian packages). The parts:
 * <ol>
 * <li>storm: the same shell double-forks ORPHANS (5000) orphans under each PID 1 of a new pid
 * namespace. From outside, this program samples the zombies among PID 1's children as fast as it
 * can, and prints storm time, peak zombies during the storm, time from the storm's end to zero
 * zombies, and zombies left after 5 s. Median of RUNS (3) runs.</li>
 * <li>threads: CPU per thread started and ended in a JVM that has a child, with and without the
 * agent (its JVMTI ThreadEnd watch). Median of RUNS runs.</li>
 * <li>idle: CPU time of an idle JVM with and without the agent over IDLE_SECONDS (60), from
 * /proc/PID/task/TID/schedstat (nanoseconds), and the agent thread's own share.</li>
 * <li>startup: wall time of a hello-world JVM with and without the agent; the time the agent's
 * premain takes on the main thread, measured by a stopwatch agent loaded before and after it; the
 * time from premain's return until the agent is ready (its thread named "reaper"), seen from the
 * application's main thread; peak RSS (VmHWM) of an idle JVM.</li>
 * <li>shutdown: the tests' worker tree (ten plain children, ten setsid'd, ten double-forked orphans,
 * each recording a graceful exit on SIGTERM), with TERM handlers made of shell builtins and with
 * handlers that run external commands; and Apache Tomcat serving CGI scripts that leave orphans and
 * background jobs (the tests' TomcatCgiApp); each under each PID 1, stopped with SIGTERM: what ended
 * gracefully, time from SIGTERM to the end of PID 1, and from the last graceful exit (the ctime of
 * the file a worker writes as its last act) to the end of PID 1.</li>
 * </ol>
 * The JVM side of the storm, idle and startup parts runs this same file ({@code role-...}); that of
 * the shutdown part is the tests' ShutdownApp and TomcatCgiApp. PID 1 under unshare and the zombie
 * count come from the tests' kit (test-kit: {@link Pid1}, {@link ProcessTable}).
 */
public class ReaperBench {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path AGENT = ROOT.resolve("agent/target/reaper.jar");
    static final Path TEST_CLASSES = ROOT.resolve("agent/target/test-classes");
    static final Path SCRIPTS = TEST_CLASSES.resolve("dev/reaper/it/apps");
    static final Path SELF = ROOT.resolve("src/bench/ReaperBench.java");
    /** The kit's classes: this file needs them to compile, in each JVM that runs it. */
    static final String KIT = Pid1.kitClasses().toString();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin/java").toString();

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("soak")) { // its own part, never in "all": see Soak
            Soak.main(args);
            return;
        }
        if (args.length > 0 && args[0].startsWith("role-")) {
            role(args);
            return;
        }
        String part = args.length > 0 ? args[0] : "all";
        int orphans = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int idleSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        if (!Files.exists(AGENT) || !Files.exists(SCRIPTS.resolve("tree.sh"))) { // (the kit's classes are there: this file compiled)
            throw new IllegalStateException("build first: mvn -q package -DskipTests (no " + AGENT + " or test classes)");
        }
        System.out.println("Machine: " + machine());
        System.out.println();
        boolean all = part.equals("all");
        if (all || part.equals("storm")) {
            storm(orphans, runs);
        }
        if (all || part.equals("idle")) {
            idle(idleSeconds);
        }
        if (all || part.equals("threads")) {
            threads(20_000, runs);
        }
        if (all || part.equals("startup")) {
            startup(20);
        }
        if (all || part.equals("shutdown")) {
            shutdown(runs);
        }
    }

    private static String roleClassPath;

    /**
     * The class path of the JVMs that play a role: the kit's classes and this file, compiled once.
     * Run from source, each of them would compile this file first, and its JIT would still be busy
     * with javac when the measurement starts.
     */
    static synchronized String roleClassPath() {
        if (roleClassPath == null) {
            try {
                Path classes = Files.createTempDirectory("reaper-bench-roles");
                int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-d", classes.toString(), "-cp", KIT,
                        SELF.toString());
                if (rc != 0) {
                    throw new IllegalStateException("javac " + SELF + ": " + rc);
                }
                roleClassPath = KIT + ":" + classes;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return roleClassPath;
    }

    /** The command line of a JVM that plays {@code role}, with {@code options} (an agent, flags) before the class path. */
    static List<String> roleJvm(List<String> options, String... role) {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(options);
        command.addAll(List.of("-cp", roleClassPath(), "ReaperBench"));
        command.addAll(List.of(role));
        return command;
    }

    /** The JVM's side of each measurement. */
    static void role(String[] args) throws Exception {
        if (args[0].equals("role-drive") || args[0].equals("role-threads")) {
            awaitOwnAgent();
        }
        switch (args[0]) {
            case "role-drive" -> System.exit(new ProcessBuilder("sh", "-c", args[1]).inheritIO().start().waitFor());
            case "role-idle" -> Thread.sleep(Long.parseLong(args[1]));
            case "role-hello" -> System.out.print("");
            case "role-threads" -> threadsRole(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** In a JVM started with -javaagent: waits until the agent's thread says it is ready (it is then named "reaper"). */
    static void awaitOwnAgent() throws InterruptedException {
        if (ProcessHandle.current().info().arguments().stream().flatMap(Arrays::stream).noneMatch(a -> a.startsWith("-javaagent"))) {
            return;
        }
        for (int i = 0; i < 3000; i++) {
            if (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("reaper"))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the agent was not ready within 30 s");
    }

    // ---------------------------------------------------------------- orphan storm

    /**
     * One storm: its time, the peak zombies during it, storm end to zero zombies, zombies left after
     * 5 s; and the CPU that PID 1 spent from the storm's start to zero zombies, per orphan, in
     * microseconds: all its threads (utime + stime, which count threads that have ended too), and
     * the agent's own thread (its schedstat).
     */
    record StormRun(double stormMs, int peak, double drainMs, int left, double pid1CpuUs, double agentCpuUs) {}

    static void storm(int orphans, int runs) throws Exception {
        Map<String, List<String>> subjects = new java.util.LinkedHashMap<>();
        subjects.put("java + reaper", roleJvm(List.of("-javaagent:" + AGENT), "role-drive"));
        if (System.getenv("BENCH_EXTRA") != null) {
            subjects.put("java + reaper, -Xrs sweep 10ms", roleJvm(List.of("-Xrs", "-javaagent:" + AGENT + "=sweep=10ms"), "role-drive"));
            // JNA unable to load (no writable exec directory): the reaper through the JDK's waitpid and /proc
            subjects.put("java + reaper without JNA", roleJvm(List.of("-Djna.tmpdir=/proc/no-such-dir", "-javaagent:" + AGENT), "role-drive"));
        }
        if (System.getenv("BENCH_COMPARE") != null) { // another build of the agent, e.g. main's, measured beside this one
            subjects.put("java + other reaper.jar", roleJvm(List.of("-javaagent:" + System.getenv("BENCH_COMPARE")), "role-drive"));
        }
        subjects.put("tini", List.of("tini", "-s", "--", "sh", "-c"));
        subjects.put("dumb-init", List.of("dumb-init", "sh", "-c"));
        subjects.put("catatonit", List.of("catatonit", "--", "sh", "-c"));
        subjects.put("java, no agent", roleJvm(List.of(), "role-drive"));
        if (System.getenv("BENCH_SUBJECTS") != null) { // e.g. "java + reaper,tini", while working on one of them
            subjects.keySet().retainAll(List.of(System.getenv("BENCH_SUBJECTS").split(",")));
        }
        System.out.println("### Orphan storm: " + orphans + " double-forked orphans, PID 1 of a new pid namespace (median of " + runs + " runs)");
        System.out.println();
        System.out.println("| PID 1 | storm time | × tini | peak zombies during the storm | storm end to zero zombies | zombies left after 5 s"
                + " | PID 1's CPU per orphan | of which the agent's thread |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        Map<String, List<StormRun>> all = new java.util.LinkedHashMap<>();
        subjects.keySet().forEach(name -> all.put(name, new ArrayList<>()));
        for (int r = 0; r < runs; r++) { // interleaved, so that drift in the machine hits each alike
            for (Map.Entry<String, List<String>> subject : subjects.entrySet()) {
                all.get(subject.getKey()).add(stormOnce(subject.getValue(), orphans));
            }
        }
        Map<String, StormRun> medians = new java.util.LinkedHashMap<>();
        all.forEach((name, results) -> medians.put(name, new StormRun(median(results.stream().mapToDouble(StormRun::stormMs).toArray()),
                (int) median(results.stream().mapToDouble(StormRun::peak).toArray()),
                median(results.stream().mapToDouble(StormRun::drainMs).toArray()),
                (int) median(results.stream().mapToDouble(StormRun::left).toArray()),
                median(results.stream().mapToDouble(StormRun::pid1CpuUs).toArray()),
                median(results.stream().mapToDouble(StormRun::agentCpuUs).toArray()))));
        StormRun tini = medians.get("tini");
        medians.forEach((name, m) -> System.out.printf("| %s | %.0f ms | %.2f | %d | %s | %d | %.0f µs | %s |%n", name, m.stormMs, m.stormMs / tini.stormMs,
                m.peak, m.left > 0 ? "never" : String.format("%.1f ms", m.drainMs), m.left, m.pid1CpuUs,
                Double.isNaN(m.agentCpuUs) ? "-" : String.format("%.1f µs", m.agentCpuUs)));
        StormRun reaper = medians.get("java + reaper");
        System.out.println();
        System.out.printf("Goals: agent's thread ≤ 30 µs per orphan: %.1f µs; peak zombies ≤ 3 × tini's + 5 = %d: %d; storm time ≤ 1.05 × tini's: %.2f;"
                + " drain ≤ 1 ms: %.1f ms%n", reaper.agentCpuUs, 3 * tini.peak + 5, reaper.peak, reaper.stormMs / tini.stormMs, reaper.drainMs);
        System.out.println();
    }

    static StormRun stormOnce(List<String> pid1, int orphans) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench");
        String script = ": > " + dir + "/start; i=0; while [ $i -lt " + orphans + " ]; do (true &); i=$((i+1)); done; : > " + dir
                + "/end; while [ ! -e " + dir + "/done ]; do sleep 0.05; done";
        List<String> command = new ArrayList<>(pid1);
        command.add(script);
        try (Pid1 unshared = Pid1.unshare(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD))) {
            long init = unshared.pid();
            Await.until("the storm started", Duration.ofSeconds(60), () -> Files.exists(dir.resolve("start")));
            long start = System.nanoTime();
            long pid1Cpu = processCpuNanos(init);
            long agentCpu = cpu(init, "reaper");
            int peak = 0;
            Path end = dir.resolve("end");
            while (!Files.exists(end)) {
                peak = Math.max(peak, leaderZombies(init));
            }
            long ended = System.nanoTime();
            peak = Math.max(peak, leaderZombies(init));
            long zero = -1;
            long deadline = ended + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) { // no pause between looks: the time to zero is measured
                if (leaderZombies(init) == 0) {
                    zero = System.nanoTime();
                    break;
                }
            }
            int left = ProcessTable.zombieChildren(init); // every thread's, this time
            pid1Cpu = processCpuNanos(init) - pid1Cpu;
            agentCpu = cpu(init, "reaper") - agentCpu;
            boolean jvm = pid1.get(0).equals(JAVA) && pid1.stream().anyMatch(a -> a.startsWith("-javaagent"));
            Files.writeString(dir.resolve("done"), "");
            unshared.awaitExit(Duration.ofSeconds(20));
            return new StormRun((ended - start) / 1e6, peak, zero < 0 ? -1 : (zero - ended) / 1e6, left, pid1Cpu / 1e3 / orphans,
                    jvm ? agentCpu / 1e3 / orphans : Double.NaN);
        } finally {
            for (String f : new String[] {"start", "end", "done"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.delete(dir);
        }
    }

    /**
     * The zombies among the children of PID 1's first thread, where the kernel puts the orphans it
     * adopts. The sampler reads that thread's list only: each thread's list it reads holds the
     * kernel's tasklist lock, which every fork and exit of the storm needs too, so reading all of a
     * JVM's twenty-odd threads' lists, as fast as it can, would slow the storm in proportion to PID 1's
     * thread count (seen: 1.3 to 1.8 times tini's storm time, against 1.1 from CPU alone).
     */
    static int leaderZombies(long pid) {
        return ProcessTable.zombiesAmong(Arrays.stream(children(pid)).boxed().toList());
    }

    static long[] children(long pid) {
        try {
            String text = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).strip();
            return text.isEmpty() ? new long[0] : Arrays.stream(text.split(" ")).mapToLong(Long::parseLong).toArray();
        } catch (IOException gone) {
            return new long[0];
        }
    }

    static long awaitChild(long pid) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            long[] c = children(pid);
            if (c.length > 0) {
                return c[0];
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("unshare started no PID 1");
    }

    // ---------------------------------------------------------------- threads that end

    /**
     * What the agent adds to each thread's end (the JVMTI ThreadEnd watch, issue 9), in a JVM that has
     * a child process (the case where the watch has something to look at): COUNT threads started and
     * joined one after another, CPU time of the whole JVM per thread, with and without the agent.
     */
    static void threads(int count, int runs) throws Exception {
        Map<String, List<String>> subjects = new java.util.LinkedHashMap<>();
        subjects.put("java + reaper", roleJvm(List.of("-javaagent:" + AGENT), "role-threads", "" + count));
        if (System.getenv("BENCH_COMPARE") != null) {
            subjects.put("java + other reaper.jar", roleJvm(List.of("-javaagent:" + System.getenv("BENCH_COMPARE")), "role-threads", "" + count));
        }
        subjects.put("java, no agent", roleJvm(List.of(), "role-threads", "" + count));
        Map<String, double[]> cpu = new java.util.LinkedHashMap<>();
        subjects.keySet().forEach(name -> cpu.put(name, new double[runs]));
        for (int r = 0; r < runs; r++) { // interleaved
            for (Map.Entry<String, List<String>> subject : subjects.entrySet()) {
                cpu.get(subject.getKey())[r] = Double.parseDouble(output(subject.getValue()).strip());
            }
        }
        double plain = median(cpu.get("java, no agent"));
        System.out.println("### Threads that end: " + count + " threads started and joined one after another by a JVM that has a child process"
                + " (CPU of the whole JVM per thread, median of " + runs + " runs)");
        System.out.println();
        System.out.println("| | CPU per thread | added by the agent |");
        System.out.println("|---|---|---|");
        cpu.forEach((name, values) -> System.out.printf("| %s | %.1f µs | %s |%n", name, median(values),
                name.equals("java, no agent") ? "" : String.format("%.1f µs", median(values) - plain)));
        System.out.println();
    }

    /** Prints the JVM's CPU microseconds per thread started and joined, after as many again to warm up. */
    static void threadsRole(int count) throws Exception {
        Process child = new ProcessBuilder("sleep", "600").start();
        try {
            Thread.sleep(2000); // the agent is ready (the source launcher's compiling is over, too)
            for (int i = 0; i < count; i++) {
                Thread t = new Thread(() -> { });
                t.start();
                t.join();
            }
            long before = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            for (int i = 0; i < count; i++) {
                Thread t = new Thread(() -> { });
                t.start();
                t.join();
            }
            long after = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            System.out.println((after - before) / 1e3 / count);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    // ---------------------------------------------------------------- idle CPU

    static void idle(int seconds) throws Exception {
        System.out.println("### Idle JVM over " + seconds + " s (CPU time from /proc/PID/task/*/schedstat)");
        System.out.println();
        long stay = (seconds + 10) * 1000L;
        Process without = new ProcessBuilder(roleJvm(List.of(), "role-idle", "" + stay)).inheritIO().start();
        Process with = new ProcessBuilder(roleJvm(List.of("-javaagent:" + AGENT), "role-idle", "" + stay)).inheritIO().start();
        Thread.sleep(5000); // past start-up and the source launcher's compilation
        long[] before = {cpu(without.pid(), null), cpu(with.pid(), null), cpu(with.pid(), "reaper")};
        Thread.sleep(seconds * 1000L);
        long[] after = {cpu(without.pid(), null), cpu(with.pid(), null), cpu(with.pid(), "reaper")};
        without.destroy();
        with.destroy();
        double perMinute = 60.0 / seconds / 1e6;
        System.out.println("| | CPU per minute |");
        System.out.println("|---|---|");
        System.out.printf("| idle JVM, no agent | %.1f ms |%n", (after[0] - before[0]) * perMinute);
        System.out.printf("| idle JVM with reaper | %.1f ms |%n", (after[1] - before[1]) * perMinute);
        System.out.printf("| of which the agent's threads (reaper, reaper-jmx) | %.1f ms |%n", (after[2] - before[2]) * perMinute);
        System.out.println();
    }

    /** CPU nanoseconds of a process, threads that ended included (utime + stime of /proc/PID/stat: clock ticks, 10 ms). */
    static long processCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L; // fields 14 and 15, counted from 1 before the command
    }

    /** CPU nanoseconds of a process's threads, or of its threads whose names start with {@code thread} only. */
    static long cpu(long pid, String thread) throws IOException {
        long total = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    if (thread != null && !Files.readString(task.resolve("comm")).strip().startsWith(thread)) {
                        continue;
                    }
                    total += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                } catch (IOException gone) {
                    // the thread ended
                }
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- start-up and memory

    static void startup(int runs) throws Exception {
        Path classes = Files.createTempDirectory("reaper-bench-classes");
        Path hello = writeHello(classes);
        Path stopwatch = writeStopwatchAgent(classes);
        List<String> plain = List.of(JAVA, "-cp", classes.toString(), "Hello");
        List<String> agent = List.of(JAVA, "-javaagent:" + AGENT, "-cp", classes.toString(), "Hello");
        List<String> timed = List.of(JAVA, "-javaagent:" + stopwatch, "-javaagent:" + AGENT, "-javaagent:" + stopwatch, "-cp", classes.toString(), "Hello", "ready");
        double[] wallPlain = new double[runs];
        double[] wallAgent = new double[runs];
        double[] premain = new double[runs];
        double[] readiness = new double[runs];
        for (int i = 0; i < runs; i++) { // interleaved, so that drift in the machine hits both alike
            wallPlain[i] = wall(plain);
            wallAgent[i] = wall(agent);
            String[] micros = output(timed).strip().split("\\s+"); // premain, then ready
            premain[i] = Double.parseDouble(micros[0]) / 1000.0;
            readiness[i] = Double.parseDouble(micros[1]) / 1000.0;
        }
        double[] rssPlain = new double[5];
        double[] rssAgent = new double[5];
        for (int i = 0; i < rssPlain.length; i++) {
            rssPlain[i] = peakRss(List.of(JAVA, "-cp", classes.toString(), "Hello", "3000"));
            rssAgent[i] = peakRss(List.of(JAVA, "-javaagent:" + AGENT, "-cp", classes.toString(), "Hello", "3000"));
        }
        System.out.println("### Start-up and memory (median of " + runs + " hello-world JVMs; RSS: median of 5, after 3 s)");
        System.out.println();
        System.out.println("| | no agent | with reaper | added |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| hello-world wall time | %.0f ms | %.0f ms | %.0f ms (of which the JVM's own -javaagent machinery, any agent: ~30 ms) |%n",
                median(wallPlain), median(wallAgent), median(wallAgent) - median(wallPlain));
        System.out.printf("| premain on the main thread | | %.2f ms | %.2f ms |%n", median(premain), median(premain));
        System.out.printf("| ready (reaping and relay armed), from premain's return | | %.0f ms | |%n", median(readiness));
        System.out.printf("| peak RSS (VmHWM) | %.1f MiB | %.1f MiB | %.1f MiB |%n", median(rssPlain), median(rssAgent), median(rssAgent) - median(rssPlain));
        System.out.println();
        System.out.printf("Goals: peak RSS added ≤ 8 MiB: %.1f MiB; ready ≤ 50 ms after premain: %.0f ms; premain ≤ 20 ms: %.2f ms%n",
                median(rssAgent) - median(rssPlain), median(readiness), median(premain));
        System.out.println();
    }

    static double wall(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }

    static String output(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    static double peakRss(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(2500);
        double kib = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                kib = Double.parseDouble(line.replaceAll("[^0-9]", ""));
            }
        }
        p.waitFor();
        return kib / 1024;
    }

    /**
     * Hello.class: prints nothing; sleeps MILLIS if given. With "ready" (after the stopwatch agent),
     * waits until a thread is named "reaper" (the agent is ready) and prints the microseconds since
     * the stopwatch's second premain, that is since reaper's premain returned; -1 if not within 10 s.
     */
    static Path writeHello(Path dir) throws Exception {
        compile(dir, "Hello", "public class Hello { public static void main(String[] a) throws Exception {"
                + " if (a.length > 0 && a[0].equals(\"ready\")) { long after = Long.getLong(\"stopwatch.after\");"
                + "  ThreadGroup root = Thread.currentThread().getThreadGroup(); while (root.getParent() != null) root = root.getParent();"
                + "  long ready = -1; for (long deadline = System.nanoTime() + 10_000_000_000L; ready < 0 && System.nanoTime() < deadline; ) {"
                + "   Thread[] all = new Thread[root.activeCount() + 10]; int n = root.enumerate(all, true);"
                + "   for (int i = 0; i < n; i++) if (all[i].getName().equals(\"reaper\")) ready = System.nanoTime();"
                + "   if (ready < 0) Thread.sleep(1); }"
                + "  System.out.println(ready < 0 ? -1 : (ready - after) / 1000); }"
                + " else if (a.length > 0) Thread.sleep(Long.parseLong(a[0])); } }");
        return dir.resolve("Hello.class");
    }

    /**
     * An agent that, loaded before and after reaper, prints the microseconds between its two premains,
     * and leaves the time of the second in the system property stopwatch.after (for Hello's "ready").
     */
    static Path writeStopwatchAgent(Path dir) throws Exception {
        compile(dir, "Stopwatch", "public class Stopwatch { static long first;"
                + " public static void premain(String a, java.lang.instrument.Instrumentation i) {"
                + " long now = System.nanoTime(); if (first == 0) first = now;"
                + " else { System.setProperty(\"stopwatch.after\", \"\" + now); System.out.println((now - first) / 1000); } } }");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "Stopwatch");
        Path jar = dir.resolve("stopwatch.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("Stopwatch.class"));
            out.write(Files.readAllBytes(dir.resolve("Stopwatch.class")));
        }
        return jar;
    }

    static void compile(Path dir, String name, String source) throws Exception {
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), file.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac " + name + ": " + rc);
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * One stop: how many ended gracefully (each kind for a tree; the jobs for Tomcat), the zombies
     * before it (Tomcat), SIGTERM to the end of PID 1, the last graceful end to the end of PID 1
     * (NaN if none ended gracefully), and PID 1's exit status.
     */
    record StopRun(Map<String, Integer> graceful, int zombies, double millis, double afterLastMillis, int status) {}

    static void shutdown(int runs) throws Exception {
        Map<String, List<String>> pid1s = new java.util.LinkedHashMap<>();
        pid1s.put("java + reaper", List.of(JAVA, "-javaagent:" + AGENT));
        pid1s.put("tini", List.of("tini", "--"));
        pid1s.put("tini -g", List.of("tini", "-g", "--"));
        pid1s.put("dumb-init", List.of("dumb-init"));
        pid1s.put("catatonit", List.of("catatonit", "--"));
        pid1s.put("java, no agent", List.of(JAVA));
        for (String handler : List.of("builtin", "fork")) {
            System.out.println("### Shutdown: SIGTERM to PID 1 of a pid namespace running 10 plain children, 10 setsid'd, 10 double-forked"
                    + " orphans and their shell, whose TERM handlers " + (handler.equals("fork") ? "run external commands for 0.3 s (sleep, then touch)"
                    : "use shell builtins only") + " (median of " + runs + " runs)");
            System.out.println();
            System.out.println("| PID 1 | plain | setsid'd | orphans | shell | SIGTERM to end of PID 1 | last graceful exit to end of PID 1 | exit status |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (Map.Entry<String, List<String>> pid1 : pid1s.entrySet()) {
                StopRun m = median(runs, () -> stopTree(pid1.getValue(), handler));
                System.out.printf("| %s | %d/10 | %d/10 | %d/10 | %d/1 | %.0f ms | %s | %d |%n", pid1.getKey(), m.graceful.getOrDefault("plain", 0),
                        m.graceful.getOrDefault("setsid", 0), m.graceful.getOrDefault("orphan", 0), m.graceful.getOrDefault("shell", 0),
                        m.millis, after(m), m.status);
            }
            System.out.println();
        }
        System.out.println("### Shutdown: Apache Tomcat " + tomcatVersion() + " (embedded, its CGIServlet) in a pid namespace, after " + TOMCAT_ORPHANS
                + " requests whose bash script leaves an orphan and " + TOMCAT_JOBS + " that start a background job (setsid) whose TERM handler"
                + " cleans up with external commands (sleep 0.3, mv); then SIGTERM to PID 1 (median of " + runs + " runs)");
        System.out.println();
        System.out.println("| PID 1 | zombies before the stop | jobs that cleaned up | SIGTERM to end of PID 1 | last cleanup to end of PID 1 | exit status |");
        System.out.println("|---|---|---|---|---|---|");
        Map<String, List<String>> servers = new java.util.LinkedHashMap<>(pid1s);
        servers.put("java + reaper, Tomcat stopped by a shutdown hook", List.of(JAVA, "-javaagent:" + AGENT, "stop-hook"));
        for (Map.Entry<String, List<String>> pid1 : servers.entrySet()) {
            StopRun m = median(runs, () -> stopTomcat(pid1.getValue()));
            System.out.printf("| %s | %d | %d/%d | %.0f ms | %s | %d |%n", pid1.getKey(), m.zombies, m.graceful.getOrDefault("job", 0), TOMCAT_JOBS,
                    m.millis, after(m), m.status);
        }
        System.out.println();
    }

    static final int TOMCAT_ORPHANS = 20;
    static final int TOMCAT_JOBS = 3;
    static final String TOMCAT_JARS = ROOT.resolve("agent/target/it/tomcat-embed-core.jar") + ":" + ROOT.resolve("agent/target/it/tomcat-annotations-api.jar");

    interface Run {
        StopRun once() throws Exception;
    }

    /** The run with the median time from SIGTERM to the end of PID 1. */
    static StopRun median(int runs, Run run) throws Exception {
        List<StopRun> results = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            results.add(run.once());
        }
        results.sort((a, b) -> Double.compare(a.millis, b.millis));
        return results.get(results.size() / 2);
    }

    static String after(StopRun m) {
        return Double.isNaN(m.afterLastMillis) ? "-" : String.format("%.0f ms", m.afterLastMillis);
    }

    static StopRun stopTree(List<String> pid1, String handler) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench-stop");
        boolean jvm = pid1.get(0).equals(JAVA);
        List<String> command = new ArrayList<>(pid1);
        if (jvm) {
            command.addAll(List.of("-XX:-UsePerfData", "-cp", TEST_CLASSES.toString(), "dev.reaper.it.apps.ShutdownApp", dir.toString(), "handler=" + handler));
        } else {
            for (String script : new String[] {"tree.sh", "worker.sh"}) { // ShutdownApp copies its own
                Files.copy(SCRIPTS.resolve(script), dir.resolve(script));
            }
            command.addAll(List.of("sh", dir.resolve("tree.sh").toString(), dir.toString(), "-", handler));
        }
        Stopped stopped = stop(command, dir, () -> count(dir, ".started") >= 31, pid1.size() > 1 && pid1.get(1).startsWith("-javaagent"));
        double afterLast = stopped.afterLastMillis(dir, ".graceful");
        return new StopRun(graceful(dir, ".graceful"), 0, stopped.millis, afterLast, stopped.status);
    }

    static StopRun stopTomcat(List<String> pid1) throws Exception {
        Path dir = Files.createTempDirectory("reaper-bench-tomcat");
        boolean stopHook = pid1.contains("stop-hook");
        List<String> command = new ArrayList<>(pid1);
        command.remove("stop-hook");
        if (!pid1.get(0).equals(JAVA)) {
            command.add(JAVA);
        }
        command.addAll(List.of("-XX:-UsePerfData", "-cp", TEST_CLASSES + ":" + TOMCAT_JARS, "dev.reaper.it.apps.TomcatCgiApp", dir.toString()));
        if (stopHook) {
            command.add("stop-hook");
        }
        int[] zombies = new int[1];
        Stopped stopped = stop(command, dir, () -> {
            if (!Files.exists(dir.resolve("port")) || Files.size(dir.resolve("port")) == 0) {
                return false;
            }
            int port = Integer.parseInt(Files.readString(dir.resolve("port")));
            for (int i = 0; i < TOMCAT_ORPHANS + TOMCAT_JOBS; i++) {
                java.net.HttpURLConnection http = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + port + "/cgi-bin/"
                        + (i < TOMCAT_ORPHANS ? "orphan.sh" : "job.sh")).toURL().openConnection();
                http.getInputStream().readAllBytes();
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while ((count(dir, ".done") < TOMCAT_ORPHANS || count(dir, ".part") < TOMCAT_JOBS) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(500); // the orphans exit right after their .done
            return true;
        }, pid1.size() > 1 && pid1.get(1).startsWith("-javaagent"), zombies);
        double afterLast = stopped.afterLastMillis(dir, ".cleaned");
        return new StopRun(graceful(dir, ".cleaned"), zombies[0], stopped.millis, afterLast, stopped.status);
    }

    interface Ready {
        boolean check() throws Exception;
    }

    /** How a stop went: SIGTERM to the end of PID 1 (ms), the wall-clock moment PID 1 ended, its status. */
    record Stopped(double millis, java.time.Instant ended, int status) {
        /** From the last file with SUFFIX changed (its ctime: a worker's last act before it exits) to the end of PID 1. */
        double afterLastMillis(Path dir, String suffix) throws IOException {
            java.time.Instant last = null;
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.getFileName().toString().endsWith(suffix)) {
                        java.time.Instant changed = ((java.nio.file.attribute.FileTime) Files.getAttribute(f, "unix:ctime")).toInstant();
                        last = last == null || changed.isAfter(last) ? changed : last;
                    }
                }
            }
            return last == null ? Double.NaN : java.time.Duration.between(last, ended).toNanos() / 1e6;
        }
    }

    static Stopped stop(List<String> command, Path dir, Ready ready, boolean agent, int... zombies) throws Exception {
        List<String> full = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        full.addAll(command);
        Process unshare = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long init = awaitChild(unshare.pid());
        long deadline = System.currentTimeMillis() + 60_000;
        while (!ready.check() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        if (agent) {
            awaitAgentReady(init, deadline);
        }
        if (zombies.length > 0) {
            for (long child : children(init)) {
                String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
                zombies[0] += stat.charAt(stat.lastIndexOf(')') + 2) == 'Z' ? 1 : 0;
            }
        }
        long sent = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", "" + init).start().waitFor();
        unshare.waitFor(60, TimeUnit.SECONDS);
        java.time.Instant ended = java.time.Instant.now();
        double millis = (System.nanoTime() - sent) / 1e6;
        return new Stopped(millis, ended, unshare.exitValue());
    }

    /** How many files of each kind (the name up to its first - or .) end with SUFFIX; then the directory is removed. */
    static Map<String, Integer> graceful(Path dir, String suffix) throws Exception {
        Map<String, Integer> graceful = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(suffix)) {
                    graceful.merge(name.replaceAll("[-.].*", ""), 1, Integer::sum);
                }
            }
        }
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        return graceful;
    }

    static long count(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }

    static String tomcatVersion() {
        String jar = ROOT.resolve("agent/pom.xml").toString();
        try {
            String pom = Files.readString(Path.of(jar));
            int at = pom.indexOf("<tomcat.version>");
            return pom.substring(at + 16, pom.indexOf('<', at + 16));
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the agent's thread is named "reaper" (it is "reaper-starting" until the agent is up). */
    static void awaitAgentReady(long pid, long deadline) throws Exception {
        while (System.currentTimeMillis() < deadline) {
            try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks) {
                    if (Files.readString(task.resolve("comm")).strip().equals("reaper")) {
                        return;
                    }
                }
            } catch (IOException threadEnded) {
                // look again
            }
            Thread.sleep(5);
        }
    }

    // ---------------------------------------------------------------- helpers

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static String machine() throws Exception {
        String dumbInit = new String(new ProcessBuilder("dumb-init", "--version").redirectErrorStream(true).start().getInputStream().readAllBytes()).strip();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), kernel " + System.getProperty("os.version")
                + ", " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", " + output(List.of("tini", "--version")).strip() + ", " + dumbInit
                + ", " + output(List.of("catatonit", "--version")).strip();
    }

    // ---------------------------------------------------------------- soak (its own part: not in "all")

    /**
     * {@code java src/bench/ReaperBench.java soak [DURATION]}: a JVM with the agent runs as PID 1 of a
     * new pid namespace for DURATION (10m by default; 2m, 1h, ...) under a steady mix, round after
     * round: JDK children with random exit statuses from threads that die first and an orphan storm
     * beside them (the tests' StormApp), native children through NuProcess and posix_spawnp on the
     * application's own JNA, from threads that end at once, later or never, beside another storm
     * (NativeSpawnApp), and JDK children that get SIGTERM (exit status 143). The storms are SIGCHLD
     * storms. From outside, every 5 s, it samples the JVM's RSS, threads, file descriptors and the
     * agent threads' CPU, prints them, and says whether they stayed flat; the JVM counts every exit
     * status its starter got wrong, which must stay 0. Needs mvn verify -DskipTests first (the test
     * applications and their JNA and NuProcess jars in agent/target).
     */
    static final class Soak {
        static final Path IT = ROOT.resolve("agent/target/it");
        static final long SAMPLE_MILLIS = 5000;

        record Sample(long millis, long rssKib, long threads, long fds, long agentCpuNanos) {}

        static void main(String[] args) throws Exception {
            if (args[0].equals("soak-server")) {
                server(Path.of(args[1]), Long.parseLong(args[2]));
                return;
            }
            long seconds = args.length > 1 ? seconds(args[1]) : 600;
            for (Path needed : List.of(AGENT, TEST_CLASSES.resolve("dev/reaper/it/apps/StormApp.class"), IT.resolve("app-jna.jar"), IT.resolve("nuprocess.jar"))) {
                if (!Files.exists(needed)) {
                    throw new IllegalStateException("build first: mvn -q verify -DskipTests (no " + needed + ")");
                }
            }
            Path dir = Files.createTempDirectory("reaper-soak");
            String classPath = TEST_CLASSES + ":" + IT.resolve("app-jna.jar") + ":" + IT.resolve("nuprocess.jar");
            // the heap fixed and touched from the start: RSS then shows what grows beside it (metaspace, threads, native memory)
            List<String> command = List.of("unshare", "--pid", "--fork", "--mount-proc", JAVA, "-XX:-UsePerfData", "-Xms128m", "-Xmx128m",
                    "-XX:+AlwaysPreTouch", "-javaagent:" + AGENT,
                    "-cp", classPath, SELF.toString(), "soak-server", dir.toString(), "" + seconds);
            System.out.println("Machine: " + machine());
            System.out.println();
            Process unshare = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            long jvm = awaitChild(unshare.pid());
            List<Sample> samples = new ArrayList<>();
            long begun = System.currentTimeMillis();
            System.out.println("### Soak: " + seconds + " s, a JVM with reaper as PID 1 under a steady mix (samples every " + SAMPLE_MILLIS / 1000 + " s)");
            System.out.println();
            System.out.println("| time | RSS | threads | fds | agent CPU (total) | rounds | children checked | wrong exit statuses |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            while (unshare.isAlive()) {
                Thread.sleep(SAMPLE_MILLIS);
                Sample sample = sample(jvm, System.currentTimeMillis() - begun);
                if (sample == null) {
                    break;
                }
                samples.add(sample);
                Map<String, String> progress = progress(dir);
                if (samples.size() % 6 == 1) { // a row every 30 s; all samples count for the verdict
                    System.out.printf("| %d s | %d MiB | %d | %d | %d ms | %s | %s | %s |%n", sample.millis / 1000, sample.rssKib / 1024, sample.threads,
                            sample.fds, sample.agentCpuNanos / 1_000_000, progress.get("rounds"), progress.get("checked"), progress.get("wrong"));
                }
            }
            int status = unshare.waitFor();
            Map<String, String> end = progress(dir);
            System.out.println();
            verdict(samples, end, status, dir);
        }

        static long seconds(String duration) {
            long n = Long.parseLong(duration.replaceAll("[a-z]+$", ""));
            return duration.endsWith("h") ? n * 3600 : duration.endsWith("m") ? n * 60 : n;
        }

        /** Flat: after the first sixth (warm-up: JIT, first storms), the second half's peak is within a margin of the first half's. */
        static void verdict(List<Sample> samples, Map<String, String> end, int status, Path dir) throws IOException {
            if (samples.size() < 6) {
                System.out.println("too few samples (" + samples.size() + "); the server's log: " + dir.resolve("server.log"));
                return;
            }
            List<Sample> steady = samples.subList(samples.size() / 6, samples.size());
            List<Sample> first = steady.subList(0, steady.size() / 2);
            List<Sample> second = steady.subList(steady.size() / 2, steady.size());
            long rss1 = first.stream().mapToLong(Sample::rssKib).max().orElse(0);
            long rss2 = second.stream().mapToLong(Sample::rssKib).max().orElse(0);
            long threads1 = first.stream().mapToLong(Sample::threads).max().orElse(0);
            long threads2 = second.stream().mapToLong(Sample::threads).max().orElse(0);
            long fds1 = first.stream().mapToLong(Sample::fds).max().orElse(0);
            long fds2 = second.stream().mapToLong(Sample::fds).max().orElse(0);
            double cpu1 = cpuPerMinute(first);
            double cpu2 = cpuPerMinute(second);
            boolean flat = rss2 <= rss1 * 1.1 + 8 * 1024 && threads2 <= threads1 + 4 && fds2 <= fds1 + 4 && cpu2 <= cpu1 * 1.5 + 50;
            System.out.println("| after warm-up | first half | second half |");
            System.out.println("|---|---|---|");
            System.out.printf("| peak RSS | %d MiB | %d MiB |%n", rss1 / 1024, rss2 / 1024);
            System.out.printf("| peak threads | %d | %d |%n", threads1, threads2);
            System.out.printf("| peak file descriptors | %d | %d |%n", fds1, fds2);
            System.out.printf("| agent CPU per minute | %.0f ms | %.0f ms |%n", cpu1, cpu2);
            System.out.println();
            System.out.println("Flat (RSS within 10 % + 8 MiB, threads and fds within 4, agent CPU within 1.5x + 50 ms/min): " + (flat ? "yes" : "NO"));
            System.out.println("Rounds " + end.get("rounds") + ", children checked " + end.get("checked") + ", wrong exit statuses "
                    + end.get("wrong") + ", zombies left after a round (most) " + end.get("zombies_left_max") + ", PID 1's exit status " + status);
        }

        static double cpuPerMinute(List<Sample> samples) {
            Sample a = samples.get(0);
            Sample b = samples.get(samples.size() - 1);
            return b.millis == a.millis ? 0 : (b.agentCpuNanos - a.agentCpuNanos) / 1e6 * 60_000.0 / (b.millis - a.millis);
        }

        static Sample sample(long pid, long millis) {
            try {
                long rss = 0;
                long threads = 0;
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
                long fds;
                try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    fds = list.count();
                }
                return new Sample(millis, rss, threads, fds, cpu(pid, "reaper"));
            } catch (IOException | RuntimeException gone) {
                return null;
            }
        }

        static Map<String, String> progress(Path dir) {
            try {
                return parse(Files.readString(dir.resolve("progress")));
            } catch (IOException none) {
                return Map.of("rounds", "0", "checked", "0", "wrong", "0", "zombies_left_max", "0");
            }
        }

        static Map<String, String> parse(String text) {
            Map<String, String> values = new java.util.HashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1).strip());
                }
            }
            return values;
        }

        /**
         * The JVM's side, as PID 1: rounds of the tests' StormApp and NativeSpawnApp (each counts the
         * exit statuses its starters got wrong, cumulatively) and of children that get SIGTERM, until
         * the time is up. After each round it writes DIR/progress.
         */
        static void server(Path dir, long seconds) throws Exception {
            java.lang.reflect.Method storm = Class.forName("dev.reaper.it.apps.StormApp").getMethod("main", String[].class);
            java.lang.reflect.Method nativeSpawn = Class.forName("dev.reaper.it.apps.NativeSpawnApp").getMethod("main", String[].class);
            java.io.PrintStream out = System.out;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long rounds = 0;
            long termed = 0;
            long termWrong = 0;
            long zombiesLeftMax = 0;
            Map<String, String> stormSays = Map.of();
            Map<String, String> nativeSays = Map.of();
            while (System.nanoTime() - deadline < 0) {
                long t0 = System.nanoTime();
                stormSays = run(storm, out, "300", "2", "2", "10", "10000");
                long t1 = System.nanoTime();
                nativeSays = run(nativeSpawn, out, "100", "6");
                System.err.println("round " + rounds + ": storm " + (t1 - t0) / 1_000_000 + " ms, native " + (System.nanoTime() - t1) / 1_000_000 + " ms");
                List<Process> sleepers = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    sleepers.add(new ProcessBuilder("sleep", "30").start());
                }
                for (Process sleeper : sleepers) {
                    sleeper.destroy(); // SIGTERM
                    termed++;
                    if (sleeper.waitFor() != 143) {
                        termWrong++;
                    }
                }
                rounds++;
                zombiesLeftMax = Math.max(zombiesLeftMax, Math.max(number(stormSays, "zombies_left"), number(nativeSays, "zombies_left")));
                long checked = number(stormSays, "checked") + number(nativeSays, "checked") + termed;
                long wrong = number(stormSays, "mismatches") + number(nativeSays, "mismatches") + termWrong;
                Files.writeString(dir.resolve("progress.tmp"), "rounds=" + rounds + "\nchecked=" + checked + "\nwrong=" + wrong
                        + "\nzombies_left_max=" + zombiesLeftMax + "\n");
                Files.move(dir.resolve("progress.tmp"), dir.resolve("progress"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }

        /** Runs a test application's main in this JVM, its key=value lines captured (the counts in them are cumulative). */
        static Map<String, String> run(java.lang.reflect.Method main, java.io.PrintStream out, String... args) throws Exception {
            java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
            System.setOut(new java.io.PrintStream(said, true));
            try {
                main.invoke(null, (Object) args);
            } finally {
                System.setOut(out);
            }
            return parse(said.toString());
        }

        static long number(Map<String, String> values, String key) {
            String value = values.get(key);
            return value == null ? 0 : Long.parseLong(value);
        }
    }
}
