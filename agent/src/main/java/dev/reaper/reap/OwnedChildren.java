package dev.reaper.reap;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.P_ALL;
import static dev.reaper.linux.LibC.SIGINFO_INTS;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;
import static dev.reaper.linux.LibC.WNOTHREAD;
import static dev.reaper.linux.LibC.WNOWAIT;

import com.sun.jna.Pointer;
import dev.reaper.linux.Jvmti;
import dev.reaper.linux.LibC;
import dev.reaper.log.Log;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM's own children that may end up on the leader thread's list, beside the orphans, and must
 * not be taken for them: pid to start time.
 *
 * <p>When a thread ends, the kernel moves its children to the leader thread (forget_original_parent
 * in do_exit), where nothing tells them from adopted orphans any more. So they are recorded before:
 * HotSpot posts JVMTI ThreadEnd on the ending thread, after Thread.exit() and before do_exit, and
 * {@link #ended} reads that thread's own children list there. Every Java thread runs that path,
 * whatever started its children (the JDK, NuProcess, JNA, JNI). A purely native thread does not; its
 * children are recorded when the reaper's look at every thread's list finds them ({@link #record}).
 *
 * <p>An entry goes once its process is gone, reaped by whoever started it, or its pid names another
 * process ({@link #prune}).
 */
public final class OwnedChildren implements Jvmti.ThreadEnd {
    private final long self;
    private final Map<Long, Long> owned = new ConcurrentHashMap<>();
    private volatile boolean failed;

    public OwnedChildren(long self) {
        this.self = self;
    }

    /** JVMTI ThreadEnd, on the ending thread: records its children. Never throws into the thread's exit. */
    @Override
    public void ended(Pointer jvmti, Pointer jni, Pointer thread) {
        try {
            if (threadHasChild()) {
                for (long pid : Proc.childrenOfThisThread()) {
                    Stat stat = Proc.stat(pid);
                    if (stat != null) {
                        record(stat);
                    }
                }
            }
        } catch (Throwable e) { // even an OutOfMemoryError: a thread's end must go on
            if (!failed) {
                failed = true;
                Log.warn("could not record the children of an ending thread (" + e + "); they may be taken for orphans");
            }
        }
    }

    /**
     * Once ThreadEnd is watched: records the children already on the leader's list that the JVM may
     * have started, from threads that ended before the watch began. Nothing tells them from orphans;
     * those that started after the JVM's first thread (in a later clock tick) are taken for the JVM's
     * own, and so get the grace period; those older than the JVM (an entrypoint script's jobs) are
     * orphans. Read after the watch began, so that no thread's end falls between the two.
     */
    public void recordEarlierChildren() throws IOException {
        long jvmStarted = Long.MAX_VALUE;
        for (long tid : Proc.tasks(self)) {
            Stat thread = tid == self ? null : Proc.stat(self, tid);
            if (thread != null) {
                jvmStarted = Math.min(jvmStarted, thread.startTime());
            }
        }
        for (long pid : Proc.children(self, self)) {
            Stat child = Proc.stat(pid);
            if (child != null && child.startTime() > jvmStarted) {
                record(child);
            }
        }
    }

    /** Records a child of one of the JVM's threads (not a pid reused meanwhile by another process's child). */
    public void record(Stat child) {
        if (child.ppid() == self) {
            owned.put(child.pid(), child.startTime());
        }
    }

    /** Pid to start time, read-only and live. */
    public Map<Long, Long> asMap() {
        return Collections.unmodifiableMap(owned);
    }

    public boolean owns(long pid, long startTime) {
        Long recorded = owned.get(pid);
        return recorded != null && recorded == startTime;
    }

    public boolean contains(long pid) {
        return owned.containsKey(pid);
    }

    /** The processes this JVM adopted that are still there: on the leader's list, neither the JDK's nor its own; -1 if unknown. */
    public int adoptedNow(JdkChildren jdk) {
        int adopted = 0;
        try {
            for (long pid : Proc.children(self, self)) {
                if (!jdk.waitsFor(pid) && !owned.containsKey(pid)) {
                    adopted++;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return adopted;
    }

    /** Drops the entries whose process is gone, or whose pid now names another process. */
    public void prune() throws IOException {
        for (Map.Entry<Long, Long> entry : owned.entrySet()) {
            Stat now = Proc.stat(entry.getKey());
            if (now == null || now.startTime() != entry.getValue() || now.ppid() != self) {
                owned.remove(entry.getKey(), entry.getValue());
            }
        }
    }

    /**
     * Whether the calling thread has any child, running or not: one system call (ECHILD if none),
     * and most threads end with none, even in a JVM that has children on other threads.
     */
    private static boolean threadHasChild() {
        int[] siginfo = new int[SIGINFO_INTS];
        if (LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT | WNOTHREAD) == 0) {
            return true;
        }
        // ECHILD: none. Anything else (EINVAL: waitid takes __WNOTHREAD since Linux 4.7): whether the process has any
        return LibC.errno() != ECHILD && LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0;
    }
}
