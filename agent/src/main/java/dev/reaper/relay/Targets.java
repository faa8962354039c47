package dev.reaper.relay;

import dev.reaper.proc.Stat;
import dev.reaper.reap.Ownership.Whose;

/**
 * The relay's rule for one process found below the JVM, as a pure function (README: the shutdown
 * sequence, src/docs/shutdown.md): signal what existed when the stop began; leave alone what the
 * stop itself starts, while the process that started it runs.
 */
public final class Targets {
    private Targets() {}

    /** What the relay does with a process. */
    public enum Target {
        /**
         * Out of this stop's scope, with everything below it: detached from a JVM that is not a
         * main process.
         */
        OUT_OF_SCOPE,
        /** Gone (a zombie): nothing to signal or wait for, and nothing below it. */
        ENDED,
        /** Send it the stop's signal. */
        SIGNAL,
        /** Running: wait for it to end (it has had the signal, or is the stop's own). */
        WAIT
    }

    /**
     * What the relay does with one process.
     *
     * @param process what /proc says of it
     * @param whose for a child of the JVM, whose it is (Ownership#whose); null for a deeper
     *     descendant
     * @param beganTicks when the stop began, in clock ticks since boot
     * @param session the JVM's session, for a JVM that stops only what is still attached to it; -1:
     *     the whole tree
     * @param signalled whether this very process has had the signal already
     */
    public static Target choose(
            Stat process, Whose whose, long beganTicks, long session, boolean signalled) {
        boolean adopted = whose == Whose.ADOPTED;
        if (session >= 0 && (adopted || process.session() != session)) {
            return Target.OUT_OF_SCOPE;
        }
        if (process.zombie()) {
            return Target.ENDED;
        }
        // An orphan gets the signal whenever it started: nothing else is left to stop it.
        return (process.startTime() < beganTicks || adopted) && !signalled
                ? Target.SIGNAL
                : Target.WAIT;
    }
}
