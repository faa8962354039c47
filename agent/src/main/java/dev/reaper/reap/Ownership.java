package dev.reaper.reap;

import dev.reaper.proc.ProcessId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * Whose a child of the JVM is, and so whether the agent reaps it now, later, or never: the rules of
 * the README's "What is reaped" (src/docs/reaping.md), as pure functions of what was seen. No
 * system call, no clock, no state: the {@link Reaper} and the relay gather the facts, and act on
 * the answer.
 *
 * <ol>
 *   <li>{@link Whose#JDK}: the JDK waits for it ({@code ProcessHandleImpl.completions} holds its
 *       pid): never the agent's.
 *   <li>{@link Whose#ADOPTED}: on the leader thread's list, and not a child the JVM started itself
 *       (the owned set, recorded as each thread ended, before the kernel moved its children to the
 *       leader): an orphan the JVM adopted, reaped at once.
 *   <li>{@link Whose#OWN}: anything else is the JVM's own (a live thread's child, or a dead
 *       thread's recorded one): its starter may still wait for it, so it is reaped only once it has
 *       stayed a zombie for the grace period, counted from the first time it was seen, by pid and
 *       start time.
 * </ol>
 */
public final class Ownership {
    private Ownership() {}

    /** Whose a child of the JVM is. */
    public enum Whose {
        /** Rule 1: the JDK waits for it. */
        JDK,
        /** Rule 2: an adopted orphan. */
        ADOPTED,
        /** Rule 3: the JVM's own, whoever started it. */
        OWN
    }

    /**
     * Rules 1 to 3 for one child: the one definition of "adopted", for the reaper and the relay.
     *
     * @param jdkWaits the JDK's table holds its pid
     * @param onLeader listed under the leader thread (tid == pid), where the kernel puts orphans
     * @param owned the owned set holds this very process
     * @param orphansAtOnce false when the leader thread may run Java code itself (a JVM embedded by
     *     a custom launcher), or the JDK's table cannot be read: then nothing on the leader's list
     *     can be told from the JVM's own
     */
    public static Whose whose(
            boolean jdkWaits, boolean onLeader, boolean owned, boolean orphansAtOnce) {
        if (jdkWaits) {
            return Whose.JDK;
        }
        return onLeader && !owned && orphansAtOnce ? Whose.ADOPTED : Whose.OWN;
    }

    /**
     * A zombie child of the JVM, as one look saw it.
     *
     * @param id its start time may be unknown for a zombie on the leader's list whose pid is not in
     *     the owned set
     * @param onLeader listed under the leader thread
     */
    public record Zombie(ProcessId id, boolean onLeader) {}

    /**
     * Since when (System.nanoTime) a zombie of the JVM's own has been seen unclaimed, and on which
     * list.
     */
    public record Sighting(long since, boolean onLeader) {}

    /**
     * What to do.
     *
     * @param orphans reap now (rule 2); start times may be unknown
     * @param expired reap now, if still the same process (rule 3, grace over)
     * @param sightings the zombies still waiting out their grace: give them to the next call
     * @param jdkPending a zombie the JDK is about to reap: look again soon
     * @param graceUntil when the first grace period ends (System.nanoTime); Long.MAX_VALUE if none
     *     runs
     */
    public record Decision(
            List<Zombie> orphans,
            List<Zombie> expired,
            Map<ProcessId, Sighting> sightings,
            boolean jdkPending,
            long graceUntil) {
        public boolean reapsAny() {
            return !orphans.isEmpty() || !expired.isEmpty();
        }
    }

    /**
     * The rules for every zombie a look found, with the grace of each of the JVM's own counted.
     *
     * @param zombies what this look found
     * @param fullLook whether it read every thread's list; a look at the leader's alone leaves the
     *     other threads' sightings as they were
     * @param jdkWaitsFor the JDK's table of its own children
     * @param owned whether the owned set holds a process
     * @param sightings the previous decision's sightings
     * @param orphansAtOnce as in {@link #whose}
     */
    public static Decision decide(
            List<Zombie> zombies,
            boolean fullLook,
            LongPredicate jdkWaitsFor,
            Predicate<ProcessId> owned,
            Map<ProcessId, Sighting> sightings,
            long now,
            long graceNanos,
            boolean orphansAtOnce) {
        List<Zombie> orphans = new ArrayList<>();
        List<Zombie> expired = new ArrayList<>();
        Map<ProcessId, Sighting> waiting = new HashMap<>();
        boolean jdkPending = false;
        long graceUntil = Long.MAX_VALUE;
        for (Zombie zombie : zombies) {
            switch (whose(
                    jdkWaitsFor.test(zombie.id().pid()),
                    zombie.onLeader(),
                    owned.test(zombie.id()),
                    orphansAtOnce)) {
                case JDK -> jdkPending = true;
                case ADOPTED -> orphans.add(zombie);
                case OWN -> {
                    Sighting seen = sightings.get(zombie.id());
                    long since = seen == null ? now : seen.since();
                    if (now - since >= graceNanos) {
                        expired.add(zombie);
                    } else {
                        waiting.put(zombie.id(), new Sighting(since, zombie.onLeader()));
                        graceUntil = Math.min(graceUntil, since + graceNanos);
                    }
                }
            }
        }
        if (!fullLook) {
            for (Map.Entry<ProcessId, Sighting> seen : sightings.entrySet()) {
                if (!seen.getValue().onLeader() && !waiting.containsKey(seen.getKey())) {
                    // not looked at this time: still there, as far as we know
                    waiting.put(seen.getKey(), seen.getValue());
                    graceUntil = Math.min(graceUntil, seen.getValue().since() + graceNanos);
                }
            }
        }
        return new Decision(orphans, expired, waiting, jdkPending, graceUntil);
    }
}
