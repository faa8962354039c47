package dev.reaper.proc;

/**
 * One process, for good: its pid and its start time (clock ticks after boot, field 22 of
 * /proc/PID/stat). Pids are reused; a pid with its start time is not. Every process the agent
 * remembers (the owned set, zombies waiting out their grace, processes a stop has signalled) is
 * remembered as one of these.
 *
 * @param startTime {@link #UNKNOWN} where it was not read (an adopted orphan, reaped at once, needs
 *     none)
 */
public record ProcessId(long pid, long startTime) {
    /** A start time that was not read. */
    public static final long UNKNOWN = -1;

    /** A process whose start time was not read. */
    public static ProcessId of(long pid) {
        return new ProcessId(pid, UNKNOWN);
    }

    // equals and hashCode written out: a record's generated ones go through invokedynamic, whose
    // first use costs a JVM milliseconds (at a stop, or in the middle of a storm)
    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessId id && id.pid == pid && id.startTime == startTime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid) * 31 + Long.hashCode(startTime);
    }

    /**
     * Whether both name the same process: the same pid, and the same start time where both are
     * known.
     */
    public boolean sameAs(ProcessId other) {
        return pid == other.pid
                && (startTime == UNKNOWN
                        || other.startTime == UNKNOWN
                        || startTime == other.startTime);
    }
}
