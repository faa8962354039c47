package dev.reaper.kit;

import java.io.IOException;
import java.time.Duration;
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

    /** Waits until {@code condition} holds; past the deadline, an IllegalStateException saying {@code what} did not happen. */
    public static void until(String what, Duration within, Condition condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.met()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + ": not within " + within.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Reads {@code probe} until {@code done} accepts its value or the deadline passes; the last value read. */
    public static <T> T value(Duration within, Probe<T> probe, Predicate<T> done) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        T value = probe.read();
        while (!done.test(value) && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
            value = probe.read();
        }
        return value;
    }
}
