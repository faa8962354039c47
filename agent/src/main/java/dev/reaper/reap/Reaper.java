package dev.reaper.reap;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.EINTR;
import static dev.reaper.linux.LibC.ESRCH;
import static dev.reaper.linux.LibC.P_ALL;
import static dev.reaper.linux.LibC.P_PID;
import static dev.reaper.linux.LibC.P_PIDFD;
import static dev.reaper.linux.LibC.SI_PID;
import static dev.reaper.linux.LibC.SIGINFO_INTS;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;
import static dev.reaper.linux.LibC.WNOWAIT;

import dev.reaper.linux.LibC;
import dev.reaper.log.Log;
import dev.reaper.options.Options.LogLevel;
import dev.reaper.proc.ChildrenFile;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Reaps the zombie children of this JVM that nobody else will wait for. The rule (README, "What is
 * reaped"):
 * <ol>
 * <li>A zombie on the children list of the leader thread (tid == pid) is reaped at once, unless the
 * JDK waits for it. The kernel hands orphans to the leader thread; the JDK's own children are listed
 * under the thread that started them, and reach the leader only when that thread has died, which
 * happens after the JDK registered them ({@link JdkChildren}). The {@code java} launcher runs no Java
 * code on the leader thread, so nothing else can put a child there.</li>
 * <li>A zombie on any other thread's list was started by that thread, through the JDK (which
 * registers it within microseconds) or through native code (which may wait for it itself). It is
 * reaped only if it has stayed a zombie, unclaimed by the JDK, for the whole grace period.</li>
 * </ol>
 * A zombie is pinned with pidfd_open before the last checks, and reaped through that pidfd, so a pid
 * reused in between can never be reaped by mistake.
 */
public final class Reaper implements Runnable {
    private final long self;
    private final JdkChildren jdk;
    private final boolean orphansAtOnce;
    private final boolean pidfds;
    private final long sweepNanos;
    private final long graceNanos;
    private final long threadScanNanos;
    private static final long STUCK_MAX_MILLIS = 100;
    private static final int GONE = -1;
    private static final int UNPINNED = -2;
    private static final long STUCK_MIN_NANOS = 1_000_000;
    private static final long STUCK_MAX_NANOS = STUCK_MAX_MILLIS * 1_000_000;

    private final ChildSignal signal;
    private final ChildrenFile leaderChildren;

    private final int[] siginfo = new int[SIGINFO_INTS];
    private final Map<Long, Sighting> unclaimed = new HashMap<>();
    private long[] candidates = new long[64];
    private int[] pinned = new int[64];
    private volatile Thread thread;
    private boolean armed;

    private final Figures figures;

    /** A zombie under a non-leader thread, first seen at {@code since}; startTime tells a reused pid apart. */
    private record Sighting(long since, long startTime) {}

    /**
     * @param orphansAtOnce false when the leader thread may run Java code (a JVM embedded in its
     *                      process's first thread) or the JDK's own children cannot be told apart:
     *                      then rule 2 applies to the leader's list too
     * @param sweep         how long the reaper waits, while the JVM has no child, before it looks for
     *                      adopted ones without a SIGCHLD to wake it
     * @param useSignal     false when no Java signal handler can run (-Xrs, or no jdk.unsupported)
     */
    public Reaper(long self, JdkChildren jdk, boolean orphansAtOnce, boolean pidfds, Duration sweep, Duration grace, boolean useSignal,
            Figures figures) throws IOException {
        this.self = self;
        this.figures = figures;
        this.leaderChildren = new ChildrenFile(self, self);
        this.jdk = jdk;
        this.orphansAtOnce = orphansAtOnce;
        this.pidfds = pidfds;
        this.sweepNanos = sweep.toNanos();
        this.graceNanos = grace.toNanos();
        this.threadScanNanos = Math.max(sweepNanos, graceNanos / 4); // a zombie is reaped within 1.25 x grace
        this.signal = useSignal ? new ChildSignal(this) : null;
    }

    /** Called by the SIGCHLD handler. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** The processes this JVM adopted that are still there: on the leader's list, not the JDK's. For the MBean. */
    public int adoptedNow() {
        int adopted = 0;
        try {
            for (long pid : Proc.children(self, self)) {
                if (!jdk.waitsFor(pid)) {
                    adopted++;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return adopted;
    }

    /**
     * The reaper's loop: wait for a zombie, reap what is ours. Never returns.
     *
     * <p>It blocks in waitid(P_ALL, WNOWAIT), which returns when any child of the JVM has exited,
     * without reaping it: no cost while nothing happens, and none per exit beyond the sweep. While a
     * zombie is left that is not ours to reap yet, waitid would return at once. If the JDK is about
     * to reap it, the loop polls, from 1 ms up to {@value #STUCK_MAX_MILLIS} ms apart; if it is a
     * native child within its grace period, the loop waits for SIGCHLD, or the next look at it.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        long nextThreadScan = System.nanoTime();
        long stuckNanos = 0;
        boolean waitingOnGrace = false;
        int failures = 0;
        while (true) {
            try {
                if (waitingOnGrace) {
                    awaitSignalUntil(nextThreadScan);
                } else if (stuckNanos > 0) {
                    LockSupport.parkNanos(this, stuckNanos);
                } else {
                    awaitZombie();
                }
                int count = 0;
                if (anyZombie()) { // one system call: a wake-up with nothing to reap costs no more
                    count = reapOrphans();
                    if (System.nanoTime() - nextThreadScan >= 0) {
                        count += reapUnclaimed();
                        nextThreadScan = System.nanoTime() + threadScanNanos;
                    }
                }
                // Stuck: nothing reaped, yet a zombie is there, not ours yet. Having reaped, look again at once.
                boolean stuck = count == 0 && anyZombie();
                waitingOnGrace = stuck && unclaimed.containsKey((long) siginfo[SI_PID]);
                stuckNanos = !stuck || waitingOnGrace ? 0 : stuckNanos == 0 ? STUCK_MIN_NANOS : Math.min(2 * stuckNanos, STUCK_MAX_NANOS);
                failures = 0;
            } catch (Throwable e) { // even an OutOfMemoryError: the reaper must outlive it
                if (failures++ == 0) {
                    Log.warn("a sweep failed, will retry: " + e);
                }
                LockSupport.parkNanos(this, sweepNanos);
            }
        }
    }

    /**
     * Blocks until a child of the JVM is a zombie. With no child at all there is nothing for waitid
     * to wait on, yet an orphan may still be adopted (PID 1 adopts those of processes that entered its
     * namespace from outside, as docker exec's do): then it waits for SIGCHLD, or the sweep period.
     * The SIGCHLD handler stays armed while the JVM has no child, and is taken away once it has one.
     */
    private void awaitZombie() throws IOException {
        if (armed && anyChild()) {
            signal.disarm();
            armed = false;
        }
        if (LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOWAIT) == 0) {
            return;
        }
        int errno = LibC.errno();
        if (errno == EINTR) {
            return;
        }
        if (errno != ECHILD) {
            throw new IOException("waitid(P_ALL) failed: " + LibC.error(errno));
        }
        arm();
        if (!anyChild()) { // checked after arming, so that no exit goes unnoticed
            LockSupport.parkNanos(this, sweepNanos);
        }
    }

    /** While the only zombies wait out their grace: SIGCHLD (an orphan that exits) or the deadline wakes the reaper. */
    private void awaitSignalUntil(long deadline) throws IOException {
        arm();
        if (reapOrphans() == 0) { // an orphan that exited before SIGCHLD was armed
            LockSupport.parkNanos(this, Math.max(0, deadline - System.nanoTime()));
        }
    }

    private void arm() {
        if (signal != null && !armed) {
            signal.arm();
            armed = true;
        }
    }

    /** Whether the JVM has any child, running or not. */
    private boolean anyChild() {
        return LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0;
    }

    /** Rule 1: the zombies on the leader thread's list that the JDK does not wait for. Returns how many it reaped. */
    int reapOrphans() throws IOException {
        if (!orphansAtOnce) {
            return 0;
        }
        int n = 0;
        for (long pid : leaderChildren.read()) {
            if (isZombie(pid)) {
                candidates = grow(candidates, n);
                candidates[n++] = pid;
            }
        }
        if (n == 0) {
            return 0;
        }
        pin(n);
        try {
            // Listed again after pinning: whatever a pinned pid names now is the pinned process, and it is on the leader's list.
            long[] listed = leaderChildren.read();
            Arrays.sort(listed);
            int count = 0;
            for (int i = 0; i < n; i++) {
                long pid = candidates[i];
                if (Arrays.binarySearch(listed, pid) >= 0 && !jdk.waitsFor(pid) && reap(pid, pinned[i])) {
                    count++;
                }
            }
            return count;
        } finally {
            unpin(n);
        }
    }

    /** Rule 2: zombies on other threads' lists that nobody has claimed for the whole grace period. Returns how many it reaped. */
    int reapUnclaimed() throws IOException {
        int count = 0;
        long now = System.nanoTime();
        Map<Long, Sighting> stillThere = new HashMap<>();
        for (long tid : Proc.tasks(self)) {
            if (tid == self && orphansAtOnce) {
                continue;
            }
            for (long pid : Proc.children(self, tid)) {
                if (!isZombie(pid) || jdk.waitsFor(pid)) {
                    continue;
                }
                Stat stat = Proc.stat(pid);
                if (stat == null) {
                    continue;
                }
                Sighting seen = unclaimed.get(pid);
                if (seen == null || seen.startTime() != stat.startTime()) {
                    seen = new Sighting(now, stat.startTime());
                } else if (now - seen.since() >= graceNanos && reapIfSame(pid, seen)) {
                    count++;
                    continue;
                }
                stillThere.put(pid, seen);
            }
        }
        unclaimed.clear();
        unclaimed.putAll(stillThere);
        return count;
    }

    private boolean reapIfSame(long pid, Sighting seen) throws IOException {
        candidates[0] = pid;
        pin(1);
        try {
            Stat now = Proc.stat(pid);
            return now != null && now.startTime() == seen.startTime() && now.zombie() && !jdk.waitsFor(pid)
                    && reap(pid, pinned[0]);
        } finally {
            unpin(1);
        }
    }

    /** Whether any thread of this JVM has a zombie child: one system call, all an idle sweep costs besides the SIGCHLD check. */
    private boolean anyZombie() {
        siginfo[SI_PID] = 0;
        return LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0 && siginfo[SI_PID] != 0;
    }

    private boolean isZombie(long pid) {
        siginfo[SI_PID] = 0;
        return LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0 && siginfo[SI_PID] != 0;
    }

    /** Pins candidates[0..n) with pidfds: a pidfd, {@link #GONE} (reaped meanwhile), or {@link #UNPINNED} (no pidfd to be had). */
    private void pin(int n) {
        pinned = n > pinned.length ? new int[candidates.length] : pinned;
        for (int i = 0; i < n; i++) {
            int fd = pidfds ? LibC.pidfdOpen((int) candidates[i]) : UNPINNED;
            pinned[i] = fd >= 0 || !pidfds ? fd : LibC.errno() == ESRCH ? GONE : UNPINNED; // EMFILE and the like: do without
        }
    }

    private void unpin(int n) {
        for (int i = 0; i < n; i++) {
            if (pinned[i] >= 0) {
                LibC.close(pinned[i]);
            }
        }
    }

    private boolean reap(long pid, int pidfd) throws IOException {
        if (pidfd == GONE) {
            return false; // someone else reaped it before it could be pinned
        }
        boolean recorded = Events.wantZombies();
        String command = recorded || Log.enabled(LogLevel.INFO) ? Proc.command(pid) : null;
        long zombieFor = recorded ? Proc.deadForMillis(pid) : -1;
        siginfo[SI_PID] = 0;
        int rc = pidfd >= 0
                ? LibC.waitid(P_PIDFD, pidfd, siginfo, WEXITED | WNOHANG)
                : LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG);
        if (rc != 0 || siginfo[SI_PID] == 0) {
            return false;
        }
        figures.reaped();
        ExitStatus status = ExitStatus.from(siginfo);
        if (recorded) {
            Events.zombieReaped(pid, command, status.shellStatus(), zombieFor);
        }
        if (Log.enabled(LogLevel.INFO)) {
            Log.info("reaped zombie " + pid + " (" + command + "), " + status);
        }
        return true;
    }

    private static long[] grow(long[] array, int used) {
        return used < array.length ? array : Arrays.copyOf(array, array.length * 2);
    }
}
