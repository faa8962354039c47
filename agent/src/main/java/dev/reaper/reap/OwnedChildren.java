package dev.reaper.reap;

import dev.reaper.linux.Kernel;
import dev.reaper.proc.ProcessId;
import dev.reaper.proc.Stat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The owned set: the JVM's own children that may end up on the leader thread's list, beside the
 * orphans, and must not be taken for them.
 *
 * <p>When a thread ends, the kernel moves its children to the leader thread (forget_original_parent
 * in do_exit), where nothing tells them from adopted orphans any more. So they are recorded before:
 * as each Java thread ends ({@link ThreadEndWatch}), and whenever the reaper's look at every
 * thread's list finds a child there (the children of purely native threads, which post no
 * ThreadEnd). An entry goes once its process is gone, reaped by whoever started it, or its pid
 * names another process ({@link #prune}).
 */
public final class OwnedChildren implements Predicate<ProcessId> {
    private final long self;

    /** By pid: each pid names one recorded process at a time. */
    private final Map<Long, ProcessId> owned = new ConcurrentHashMap<>();

    public OwnedChildren(long self) {
        this.self = self;
    }

    /**
     * Records a child of one of the JVM's threads (not a pid reused meanwhile by another process's
     * child).
     */
    public void record(Stat child) {
        if (child.ppid() == self) {
            owned.put(child.pid(), child.id());
        }
    }

    /**
     * Whether the set holds this very process (where its start time is unknown: whether it holds
     * its pid).
     */
    public boolean owns(ProcessId id) {
        ProcessId recorded = owned.get(id.pid());
        return recorded != null && recorded.sameAs(id);
    }

    /** {@link #owns}, for {@link Ownership#decide}. */
    @Override
    public boolean test(ProcessId id) {
        return owns(id);
    }

    /**
     * Whether the set holds a process with this pid: then its start time must be read to tell
     * which.
     */
    public boolean holdsPid(long pid) {
        return owned.containsKey(pid);
    }

    /**
     * Attached to a running JVM: records the children already on the leader's list that the JVM may
     * have started, from threads that ended before the agent came. Nothing tells them from orphans;
     * those that started after the JVM's first thread (in a later clock tick) are taken for the
     * JVM's own, and so get the grace period; those older than the JVM (an entrypoint script's
     * jobs) are orphans. Read once the ThreadEnd watch runs, so that no thread's end falls between
     * the two.
     */
    public void recordEarlierChildren(Kernel kernel) throws IOException {
        long jvmStarted = Long.MAX_VALUE;
        for (long tid : kernel.threads()) {
            Stat thread = tid == self ? null : dev.reaper.proc.Proc.stat(self, tid);
            if (thread != null) {
                jvmStarted = Math.min(jvmStarted, thread.startTime());
            }
        }
        for (long pid : kernel.leaderChildren()) {
            Stat child = kernel.stat(pid);
            if (child != null && child.startTime() > jvmStarted) {
                record(child);
            }
        }
    }

    /** Drops the entries whose process is gone, or whose pid now names another process. */
    public void prune(Kernel kernel) throws IOException {
        List<ProcessId> stale = new ArrayList<>();
        for (ProcessId recorded : owned.values()) {
            Stat now = kernel.stat(recorded.pid());
            if (now == null || now.startTime() != recorded.startTime() || now.ppid() != self) {
                stale.add(recorded);
            }
        }
        for (ProcessId gone : stale) {
            // this very entry only: a thread that ended meanwhile may have recorded a new process
            // on the pid
            owned.remove(gone.pid(), gone);
        }
    }
}
