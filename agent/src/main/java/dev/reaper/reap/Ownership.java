package dev.reaper.reap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Whose a zombie is, and so whether the agent reaps it now, later, or never: the rule of the README's
 * "What is reaped", as one pure function of what the reaper saw. No system call, no clock, no state:
 * the {@link Reaper} gathers the facts, calls {@link #decide}, and acts on the {@link Decision}.
 *
 * <ol>
 * <li>The JDK waits for it ({@code ProcessHandleImpl.completions} holds its pid): never the agent's.</li>
 * <li>On the leader thread's list, and not a child the JVM started itself ({@code owned}, recorded as
 * each thread ended, before the kernel moved its children to the leader): an adopted orphan, reaped at
 * once.</li>
 * <li>Anything else is the JVM's own (a live thread's child, or a dead thread's recorded one): its
 * starter may still wait for it, so it is reaped only once it has stayed a zombie for the grace
 * period, counted from the first time it was seen, by pid and start time.</li>
 * </ol>
 */
public final class Ownership {
    /** The start time of a zombie whose start time was not read: only an orphan needs none. */
    public static final long UNKNOWN = -1;

    private Ownership() {}

    /**
     * A zombie child of the JVM, as one look saw it.
     *
     * @param startTime clock ticks after boot (/proc/PID/stat field 22); {@link #UNKNOWN} only for a
     *                  zombie on the leader's list whose pid is not in the owned set
     * @param onLeader  listed under the leader thread (tid == pid), where the kernel puts orphans
     */
    public record Zombie(long pid, long startTime, boolean onLeader) {}

    /** A process, told apart from a later one with the same pid by its start time. */
    public record Key(long pid, long startTime) {}

    /** Since when (System.nanoTime) a zombie of the JVM's own has been seen unclaimed, and on which list. */
    public record Sighting(long since, boolean onLeader) {}

    /**
     * What to do.
     *
     * @param orphans    reap now (rule 2); start times may be unknown
     * @param expired    reap now, if still the same process (rule 3, grace over)
     * @param sightings  the zombies still waiting out their grace: give them to the next call
     * @param jdkPending a zombie the JDK is about to reap: look again soon
     * @param graceUntil when the first grace period ends (System.nanoTime); Long.MAX_VALUE if none runs
     */
    public record Decision(List<Zombie> orphans, List<Zombie> expired, Map<Key, Sighting> sightings, boolean jdkPending, long graceUntil) {
        public boolean reapsAny() {
            return !orphans.isEmpty() || !expired.isEmpty();
        }
    }

    /**
     * @param zombies       what this look found
     * @param fullLook      whether it read every thread's list; a look at the leader's alone leaves the
     *                      other threads' sightings as they were
     * @param jdkWaitsFor   the JDK's table of its own children
     * @param owned         the JVM's own children that moved to the leader's list: pid to start time
     * @param sightings     the previous decision's sightings
     * @param orphansAtOnce false when the leader thread runs Java code itself: then its list gets the grace too
     */
    public static Decision decide(List<Zombie> zombies, boolean fullLook, LongPredicate jdkWaitsFor, Map<Long, Long> owned,
            Map<Key, Sighting> sightings, long now, long graceNanos, boolean orphansAtOnce) {
        List<Zombie> orphans = new ArrayList<>();
        List<Zombie> expired = new ArrayList<>();
        Map<Key, Sighting> waiting = new HashMap<>();
        boolean jdkPending = false;
        long graceUntil = Long.MAX_VALUE;
        for (Zombie zombie : zombies) {
            if (jdkWaitsFor.test(zombie.pid())) {
                jdkPending = true;
            } else if (zombie.onLeader() && orphansAtOnce && !owns(owned, zombie)) {
                orphans.add(zombie);
            } else {
                Key key = new Key(zombie.pid(), zombie.startTime());
                Sighting seen = sightings.get(key);
                long since = seen == null ? now : seen.since();
                if (now - since >= graceNanos) {
                    expired.add(zombie);
                } else {
                    waiting.put(key, new Sighting(since, zombie.onLeader()));
                    graceUntil = Math.min(graceUntil, since + graceNanos);
                }
            }
        }
        if (!fullLook) {
            for (Map.Entry<Key, Sighting> seen : sightings.entrySet()) {
                if (!seen.getValue().onLeader() && !waiting.containsKey(seen.getKey())) {
                    waiting.put(seen.getKey(), seen.getValue()); // not looked at this time: still there, as far as we know
                    graceUntil = Math.min(graceUntil, seen.getValue().since() + graceNanos);
                }
            }
        }
        return new Decision(orphans, expired, waiting, jdkPending, graceUntil);
    }

    /** Whether the owned set holds this very process: same pid, and the same start time where it is known. */
    static boolean owns(Map<Long, Long> owned, Zombie zombie) {
        Long startTime = owned.get(zombie.pid());
        return startTime != null && (zombie.startTime() == UNKNOWN || startTime == zombie.startTime());
    }
}
