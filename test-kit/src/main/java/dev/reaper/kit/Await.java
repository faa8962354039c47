package dev.reaper.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Waiting for a condition, with a deadline. A deadline is generous (seconds to tens of seconds):
 * the wait ends as soon as the condition holds, so a slow machine costs time, not a failure.
 */
public final class Await {
    private static final long POLL_MILLIS = 10;

    /** A condition on processes or files. */
    public interface Condition {
        boolean met() throws IOException, InterruptedException;
    }

    /** A reading of processes or files. */
    public interface Probe<T> {
        T read() throws IOException, InterruptedException;
    }

    private Await() {}

    /**
     * Waits until {@code condition} holds; past the deadline, an IllegalStateException saying
     * {@code what} did not happen.
     */
    public static void until(String what, Duration within, Condition condition)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.met()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + ": not within " + within.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits until {@code file} exists (a marker a process under test writes); past the deadline, an
     * IllegalStateException.
     */
    public static void file(Path file, Duration within) throws IOException, InterruptedException {
        until(file + " appeared", within, () -> Files.exists(file));
    }

    /**
     * Waits until process {@code parent} has a child (the process a launcher such as unshare or
     * nsenter starts); its pid.
     */
    public static long child(long parent, Duration within)
            throws IOException, InterruptedException {
        List<Long> children = value(within, () -> ProcessTable.children(parent), c -> !c.isEmpty());
        if (children.isEmpty()) {
            throw new IllegalStateException(
                    "process " + parent + " started no child within " + within.toSeconds() + " s");
        }
        return children.get(0);
    }

    /**
     * Reads {@code probe} until {@code done} accepts its value or the deadline passes; the last
     * value read.
     */
    public static <T> T value(Duration within, Probe<T> probe, Predicate<T> done)
            throws IOException, InterruptedException {
        return value(within, Duration.ofMillis(POLL_MILLIS), probe, done);
    }

    /**
     * The same, reading {@code probe} every {@code every} only: for a probe that costs (a look at
     * the whole process table).
     */
    public static <T> T value(Duration within, Duration every, Probe<T> probe, Predicate<T> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        T value = probe.read();
        while (!done.test(value) && System.nanoTime() - deadline < 0) {
            Thread.sleep(every.toMillis());
            value = probe.read();
        }
        return value;
    }
}
