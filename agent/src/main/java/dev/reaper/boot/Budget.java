package dev.reaper.boot;

import java.time.Duration;

/**
 * The stop's arithmetic, as pure functions of System.nanoTime readings: within stop-budget (the
 * time the outside world gives from its signal to its SIGKILL), the relay keeps {@link #RESERVE}
 * for the SIGKILLed to go and the JVM to exit, and gives the descendants stop-timeout between their
 * signal and SIGKILL. README: the shutdown sequence.
 */
record Budget(Duration budget, Duration timeout) {
    /** What the relay leaves of the budget after its SIGKILL. */
    static final Duration RESERVE = Duration.ofSeconds(1);

    /** Whether stop-timeout fits in the budget beside the reserve. */
    boolean fits() {
        return timeout.plus(RESERVE).compareTo(budget) <= 0;
    }

    /**
     * The latest moment the relay may begin, for a stop that began at {@code began}: while the
     * hooks still run then, it begins anyway, so that the descendants get stop-timeout before the
     * SIGKILL. No later than {@code began}'s moment if stop-timeout does not fit.
     */
    long relayBy(long began) {
        return began + Math.max(0, budget.minus(timeout).minus(RESERVE).toNanos());
    }

    /**
     * When the relay begun at {@code now} SIGKILLs what is left: after stop-timeout, and within the
     * budget, but not before {@code now}.
     */
    long killAt(long began, long now) {
        long last = began + Math.max(0, budget.minus(RESERVE).toNanos());
        return Math.max(now, Math.min(now + timeout.toNanos(), last));
    }
}
