package dev.reaper.reap;

/**
 * The one retry policy of the agent's loops: waits that double from {@code min} up to {@code max},
 * until {@link #reset}. The reaper uses it to poll while the JDK is about to reap a zombie, and to
 * retry after a failed turn.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private long current;

    Backoff(long minNanos, long maxNanos) {
        this.minNanos = minNanos;
        this.maxNanos = Math.max(minNanos, maxNanos);
    }

    /** The next wait: {@code min} first, then twice the last, at most {@code max}. */
    long next() {
        current = current == 0 ? minNanos : Math.min(2 * current, maxNanos);
        return current;
    }

    void reset() {
        current = 0;
    }
}
