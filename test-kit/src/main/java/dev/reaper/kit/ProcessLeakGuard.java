package dev.reaper.kit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test class which leaves a process or a zombie behind (use it
 * through {@link LeavesNoProcesses}, {@code @ExtendWith}, or JUnit's extension auto-detection).
 *
 * <p>Left behind is what did not exist when the class started and still exists when it has ended
 * (after its {@code @AfterAll} methods), and is one of:
 *
 * <ul>
 *   <li>a descendant of the test JVM, running or a zombie;
 *   <li>a process that was seen as a descendant while the class ran, wherever it is now: an orphan
 *       re-parented to PID 1 or to a subreaper, a setsid'd daemon, a container whose runtime died;
 *   <li>a child of this JVM's reaper (the process its orphans go to, PID 1 or the nearest
 *       subreaper) in the session of the test JVM or of a process seen below it: an orphan that
 *       left the tree before it could be seen, such as a double fork's (the survivors of a pid
 *       namespace whose PID 1 died are children of the reaper, too);
 *   <li>and whatever runs below any of those.
 * </ul>
 *
 * The session is what tells this test's orphans from the other processes that PID 1 starts on a
 * shared machine. A sampler thread looks at the JVM's descendants every quarter of a second or so
 * (less often while the table is large, to stay under a fifth of one CPU), so a process that is
 * below the JVM for a moment only, and leaves it for another session at once, may be missed.
 *
 * <p>A class's cleanup may still be ending what it started: what is left gets a generous deadline
 * to end ({@value #DEFAULT_DEADLINE_SECONDS} s, or the configuration parameter {@value
 * #DEADLINE_PARAMETER} in seconds), and only then fails the class, with one line per process: pid,
 * state, command line, and its parent's. Then the guard kills them (SIGKILL), so that a leak does
 * not outlive the test run. Linux only: where there is no /proc, it checks nothing.
 */
public final class ProcessLeakGuard implements BeforeAllCallback, AfterAllCallback {
    /**
     * The configuration parameter (junit-platform.properties, or the build's) that sets the
     * deadline, in seconds.
     */
    public static final String DEADLINE_PARAMETER = "dev.reaper.kit.leak-deadline-seconds";

    public static final long DEFAULT_DEADLINE_SECONDS = 30;
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ProcessLeakGuard.class);
    private static final long SELF = ProcessHandle.current().pid();
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);

    /**
     * How often to look again at what is left, while waiting for it to end: each look reads the
     * whole table.
     */
    private static final Duration LOOK_EVERY = Duration.ofMillis(100);

    private static final int MAX_COMMAND = 160;

    /**
     * How many times the sampler has looked: for the guard's own tests, which must know that it
     * has.
     */
    static final AtomicLong SAMPLES = new AtomicLong();

    /** This JVM's reaper; found once, the first time a class starts. */
    private static volatile long reaper;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return;
        }
        if (reaper == 0) {
            reaper = ProcessTable.reaperOfThisProcess();
        }
        context.getStore(NAMESPACE).put(Watch.class, new Watch(reaper));
    }

    @Override
    public void afterAll(ExtensionContext context)
            throws InterruptedException, java.io.IOException {
        Watch watch = context.getStore(NAMESPACE).remove(Watch.class, Watch.class);
        if (watch == null) {
            return;
        }
        watch.close();
        Duration deadline =
                Duration.ofSeconds(
                        context.getConfigurationParameter(DEADLINE_PARAMETER)
                                .map(Long::parseLong)
                                .orElse(DEFAULT_DEADLINE_SECONDS));
        List<Left> left = Await.value(deadline, LOOK_EVERY, watch::leftovers, List::isEmpty);
        if (left.isEmpty()) {
            return;
        }
        for (Left l : left) {
            l.kill();
        }
        throw new AssertionError(
                context.getDisplayName()
                        + " left "
                        + left.size()
                        + " process"
                        + (left.size() == 1 ? "" : "es")
                        + " behind, still there "
                        + deadline.toSeconds()
                        + " s after it ended (killed now):\n"
                        + left.stream().map(Left::toString).collect(Collectors.joining("\n")));
    }

    /** A process left behind, and its parent's command line, as they were when last looked at. */
    private record Left(ProcessTable.Entry process, String commandLine, String parent) {
        void kill() {
            // the start time must still match: the pid may be another process's by now
            if (!process.zombie()
                    && ProcessTable.stat(process.pid())
                            .map(ProcessTable.Entry::id)
                            .filter(process.id()::equals)
                            .isPresent()) {
                ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }

        @Override
        public String toString() {
            return "  pid "
                    + process.pid()
                    + (process.zombie() ? " (a zombie)" : " (state " + process.state() + ")")
                    + ": "
                    + (commandLine.isEmpty() ? "[" + process.command() + "]" : shorten(commandLine))
                    + "; parent "
                    + process.ppid()
                    + ": "
                    + parent;
        }
    }

    /** One class's watch: what existed before it, and what was seen below the JVM meanwhile. */
    private static final class Watch implements ExtensionContext.Store.CloseableResource {
        private final long reaper;
        private final Set<ProcessTable.Id> before;
        private final Set<ProcessTable.Id> seen = ConcurrentHashMap.newKeySet();
        private final Set<Long> sessions = ConcurrentHashMap.newKeySet();
        private final Thread sampler;
        private volatile boolean closed;

        Watch(long reaper) {
            this.reaper = reaper;
            List<ProcessTable.Entry> table = ProcessTable.all();
            before = table.stream().map(ProcessTable.Entry::id).collect(Collectors.toSet());
            table.stream()
                    .filter(p -> p.pid() == SELF)
                    .forEach(self -> sessions.add(self.session()));
            sampler = new Thread(this::sample, "process-leak-guard");
            sampler.setDaemon(true);
            sampler.start();
        }

        private void sample() {
            while (!closed) {
                long started = System.nanoTime();
                see(ProcessTable.all());
                SAMPLES.incrementAndGet();
                long took = (System.nanoTime() - started) / 1_000_000;
                try {
                    Thread.sleep(Math.max(SAMPLE_EVERY.toMillis(), 4 * took));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Records the JVM's new descendants, and their sessions. */
        private void see(List<ProcessTable.Entry> table) {
            for (ProcessTable.Entry p : ProcessTable.descendants(table, List.of(SELF))) {
                if (!before.contains(p.id())) {
                    seen.add(p.id());
                    sessions.add(p.session());
                }
            }
        }

        /** What is left now, with whatever runs below it. */
        List<Left> leftovers() {
            List<ProcessTable.Entry> table = ProcessTable.all();
            see(table);
            Map<Long, ProcessTable.Entry> left = new LinkedHashMap<>();
            for (ProcessTable.Entry p : table) {
                if (!before.contains(p.id())
                        && (seen.contains(p.id())
                                || (p.ppid() == reaper && sessions.contains(p.session())))) {
                    left.put(p.pid(), p);
                }
            }
            for (ProcessTable.Entry below :
                    ProcessTable.descendants(table, List.copyOf(left.keySet()))) {
                if (!before.contains(below.id())) {
                    left.put(below.pid(), below);
                }
            }
            Map<Long, ProcessTable.Entry> byPid = new HashMap<>();
            table.forEach(p -> byPid.put(p.pid(), p));
            List<Left> found = new ArrayList<>();
            for (ProcessTable.Entry p : left.values()) {
                ProcessTable.Entry parent = byPid.get(p.ppid());
                String parentLine = parent == null ? "?" : ProcessTable.commandLine(parent.pid());
                found.add(
                        new Left(
                                p,
                                ProcessTable.commandLine(p.pid()),
                                shorten(
                                        parentLine.isEmpty() && parent != null
                                                ? "[" + parent.command() + "]"
                                                : parentLine)));
            }
            found.sort(Comparator.comparingLong(l -> l.process().pid()));
            return found;
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            sampler.interrupt();
            sampler.join();
        }
    }

    private static String shorten(String commandLine) {
        return commandLine.length() <= MAX_COMMAND
                ? commandLine
                : commandLine.substring(0, MAX_COMMAND) + "...";
    }
}
