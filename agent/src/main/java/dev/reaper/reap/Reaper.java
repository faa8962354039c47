package dev.reaper.reap;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.EINTR;
import static dev.reaper.linux.LibC.ESRCH;
import static dev.reaper.linux.LibC.P_ALL;
import static dev.reaper.linux.LibC.P_PID;
import static dev.reaper.linux.LibC.P_PIDFD;
import static dev.reaper.linux.LibC.SI_CODE;
import static dev.reaper.linux.LibC.SI_PID;
import static dev.reaper.linux.LibC.SI_STATUS;
import static dev.reaper.linux.LibC.SIGINFO_INTS;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;
import static dev.reaper.linux.LibC.WNOWAIT;

import com.sun.jna.Memory;
import dev.reaper.linux.LibC;
import dev.reaper.log.Log;
import dev.reaper.proc.ChildrenFile;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.time.Duration;
import dev.reaper.reap.Ownership.Decision;
import dev.reaper.reap.Ownership.Key;
import dev.reaper.reap.Ownership.Sighting;
import dev.reaper.reap.Ownership.Zombie;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Reaps the zombie children of this JVM that nobody else will wait for: whose they are is decided by
 * {@link Ownership} (README, "What is reaped"); this class gathers what that decision needs from the
 * kernel, and acts on it.
 *
 * <p>A zombie is pinned with pidfd_open before the last checks, and reaped through that pidfd, so a
 * pid reused in between can never be reaped by mistake.
 */
public final class Reaper implements Runnable {
    private final long self;
    private final JdkChildren jdk;
    private final OwnedChildren owned;
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
    private static final long STOPPING_POLL_NANOS = 5_000_000;

    private final ChildSignal signal;
    private final ChildrenFile leaderChildren;

    /** waitid's siginfo_t, in native memory: an int[] would be copied in and out by each call. */
    private final Memory siginfo = new Memory(SIGINFO_INTS * 4);
    private static final long SI_PID_OFFSET = SI_PID * 4;
    private Map<Key, Sighting> sightings = Map.of();
    private long[] candidates = new long[64];
    private int[] pinned = new int[64];
    private volatile Thread thread;
    // the loop's state between turns (the reaper's thread alone)
    private Wait wait = Wait.NONE;
    private long nextFullLook;
    private long graceUntil = Long.MAX_VALUE;
    private long pollNanos;
    private volatile boolean stopping;
    private boolean armed;

    private final Figures figures;

    /** How the loop waits for its next look. */
    private enum Wait { ZOMBIE, POLL, GRACE, NONE }

    /**
     * @param owned         the JVM's own children recorded as their threads ended
     * @param orphansAtOnce false when the leader thread may run Java code (a JVM embedded in its
     *                      process's first thread) or the JDK's own children cannot be told apart:
     *                      then the grace applies to the leader's list too
     * @param sweep         how long the reaper waits, while the JVM has no child, before it looks for
     *                      adopted ones without a SIGCHLD to wake it
     * @param useSignal     false when no Java signal handler can run (-Xrs, or no jdk.unsupported)
     */
    public Reaper(long self, JdkChildren jdk, OwnedChildren owned, boolean orphansAtOnce, boolean pidfds, Duration sweep, Duration grace,
            boolean useSignal, Figures figures) throws IOException {
        this.self = self;
        this.figures = figures;
        this.leaderChildren = new ChildrenFile(self, self);
        this.jdk = jdk;
        this.owned = owned;
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

    /**
     * The JVM is stopping: from now on the reaper polls instead of blocking in waitid, so that it is
     * not in native code when the JVM exits (HotSpot waits up to 300 ms at exit for threads in native
     * code). A waitid it is blocked in already returns when the next child exits.
     */
    public void stopping() {
        stopping = true;
        LockSupport.unpark(thread);
    }

    /** The processes this JVM adopted that are still there: on the leader's list, neither the JDK's nor its own. For the MBean. */
    public int adoptedNow() {
        return owned.adoptedNow(jdk);
    }

    /**
     * The reaper's loop: wait, look, decide, reap. Never returns.
     *
     * <p>It blocks in waitid(P_ALL, WNOWAIT), which returns when any child of the JVM has exited,
     * without reaping it: no cost while nothing happens, and none per exit beyond the sweep. While a
     * zombie is left that is not ours to reap yet, waitid would return at once. If the JDK is about
     * to reap it, the loop polls, from 1 ms up to {@value #STUCK_MAX_MILLIS} ms apart; if it waits out
     * its grace, the loop waits for SIGCHLD (an orphan that exits), or the grace's end.
     *
     * <p>A look reads the leader's list on every wake-up; every thread's list only now and then
     * (every {@code max(sweep, grace / 4)}), when a grace period ends, or when waitid names a zombie
     * the leader's list does not account for.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        nextFullLook = System.nanoTime();
        int failures = 0;
        while (true) {
            try {
                turn();
                failures = 0;
            } catch (Throwable e) { // even an OutOfMemoryError: the reaper must outlive it
                if (failures++ == 0) {
                    Log.warn("a sweep failed, will retry: " + e);
                }
                wait = Wait.POLL;
                pollNanos = sweepNanos;
            }
        }
    }

    /**
     * One turn of the loop. A method of its own so that the JIT compiles it after a few hundred
     * turns: the body of a loop in a method that never returns stays interpreted until on-stack
     * replacement, tens of thousands of turns later (seen: most of a 5,000-orphan storm).
     */
    private void turn() throws IOException {
        if (stopping && wait != Wait.NONE) {
            wait = Wait.POLL;
            pollNanos = STOPPING_POLL_NANOS;
        }
        boolean named = switch (wait) {
            case ZOMBIE -> awaitZombie();
            case POLL -> parkThenFalse(pollNanos);
            case GRACE -> awaitSignalUntil(Math.min(graceUntil, nextFullLook));
            case NONE -> false;
        };
        if (!named && !anyZombie()) { // one system call: a wake-up with nothing to reap costs no more
            wait = Wait.ZOMBIE;
            pollNanos = 0;
            return;
        }
        long reported = siginfo.getInt(SI_PID_OFFSET);
        long now = System.nanoTime();
        boolean full = now - nextFullLook >= 0 || now - graceUntil >= 0;
        if (!full && reapNamedOrphan(reported)) {
            // next: a waitid, which returns at once if another zombie is there; but a look if stopping (no blocking
            // call then), or if a zombie waits out its grace (waitid would name it, and the SIGCHLD handler would go and come back)
            wait = stopping || !sightings.isEmpty() ? Wait.NONE : Wait.ZOMBIE;
            pollNanos = 0;
            return;
        }
        lookDecideReap(reported, now, full);
    }

    /** Any other case: a look, the decision, and what it says to reap; sets how the loop waits next. */
    private void lookDecideReap(long reported, long now, boolean full) throws IOException {
        List<Zombie> zombies = look(full);
        if (!full && !accountedFor(reported, zombies)) {
            full = true;
            zombies = look(true);
        }
        if (full) {
            owned.prune();
            nextFullLook = now + threadScanNanos;
        }
        Decision decision = Ownership.decide(zombies, full, jdk, owned.asMap(), sightings, now, graceNanos, orphansAtOnce);
        sightings = decision.sightings();
        graceUntil = decision.graceUntil();
        int count = reapOrphans(decision.orphans()) + reapExpired(decision.expired());
        if (count > 0) {
            wait = Wait.NONE; // more may have come meanwhile: look again at once
            pollNanos = 0;
        } else if (decision.jdkPending() || graceUntil == Long.MAX_VALUE) {
            wait = Wait.POLL; // the JDK reaps it in a moment; or it was reaped, or pinned away, since the look
            pollNanos = pollNanos == 0 ? STUCK_MIN_NANOS : Math.min(2 * pollNanos, STUCK_MAX_NANOS);
        } else {
            wait = Wait.GRACE;
            pollNanos = 0;
        }
    }

    private boolean parkThenFalse(long nanos) {
        LockSupport.parkNanos(this, nanos);
        return false;
    }

    /**
     * Blocks until a child of the JVM is a zombie; true if waitid named one. With no child at all there is nothing for waitid
     * to wait on, yet an orphan may still be adopted (PID 1 adopts those of processes that entered its
     * namespace from outside, as docker exec's do): then it waits for SIGCHLD, or the sweep period.
     * The SIGCHLD handler stays armed while the JVM has no child, and is taken away once it has one.
     */
    private boolean awaitZombie() throws IOException {
        if (armed && anyChild()) {
            signal.disarm();
            armed = false;
        }
        siginfo.setInt(SI_PID_OFFSET, 0);
        if (LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOWAIT) == 0) {
            return siginfo.getInt(SI_PID_OFFSET) != 0;
        }
        int errno = LibC.errno();
        if (errno == EINTR) {
            return false;
        }
        if (errno != ECHILD) {
            throw new IOException("waitid(P_ALL) failed: " + LibC.error(errno));
        }
        arm();
        if (!anyChild()) { // checked after arming, so that no exit goes unnoticed
            LockSupport.parkNanos(this, sweepNanos);
        }
        return false;
    }

    /**
     * While the only zombies wait out their grace: SIGCHLD (an orphan that exits) or the deadline wakes
     * the reaper. Having just armed the handler, it returns at once, for one more look: an orphan that
     * exited before the handler was there sent its SIGCHLD to nobody.
     */
    private boolean awaitSignalUntil(long deadline) {
        if (!arm()) {
            LockSupport.parkNanos(this, Math.max(0, deadline - System.nanoTime()));
        }
        return false;
    }

    /** Arms the SIGCHLD handler; true if it was not armed before. */
    private boolean arm() {
        if (signal != null && !armed) {
            signal.arm();
            armed = true;
            return true;
        }
        return false;
    }

    /** Whether the JVM has any child, running or not. */
    private boolean anyChild() {
        return LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0;
    }

    /**
     * The zombies a look finds: on the leader's list (waitid per child: no /proc read per live child),
     * and with {@code full} on every other thread's list too. Start times are read where the decision
     * needs them. A full look also records every child of another thread as the JVM's own: that is how
     * children of purely native threads, which post no ThreadEnd, are known once their thread has died.
     */
    private List<Zombie> look(boolean full) throws IOException {
        List<Zombie> zombies = new ArrayList<>();
        for (long pid : leaderChildren.read()) {
            if (isZombie(pid)) {
                zombies.add(new Zombie(pid, !orphansAtOnce || owned.contains(pid) ? startTime(pid) : Ownership.UNKNOWN, true));
            }
        }
        if (!full) {
            return zombies;
        }
        for (long tid : Proc.tasks(self)) {
            if (tid == self) {
                continue;
            }
            for (long pid : Proc.children(self, tid)) {
                Stat stat = Proc.stat(pid);
                if (stat == null || stat.ppid() != self) {
                    continue; // gone, or a pid reused since the list was read
                }
                owned.record(stat);
                if (stat.zombie()) {
                    zombies.add(new Zombie(pid, stat.startTime(), false));
                }
            }
        }
        return zombies;
    }

    /**
     * The common case, an adopted orphan, in four system calls besides the waitid that named it: the
     * zombie is pinned, found on the leader's list, is neither the JDK's child nor the JVM's own, and
     * is reaped through its pidfd. Anything else (and no pidfd to be had) leaves it to the look and
     * {@link Ownership#decide}, having reaped nothing. The same rule and the same checks after pinning
     * as {@link #reapOrphans}, for one zombie.
     */
    private boolean reapNamedOrphan(long pid) throws IOException {
        if (!pidfds || !orphansAtOnce || pid <= 0 || waitsOutGrace(pid) || jdk.waitsFor(pid) || owned.contains(pid)) {
            return false;
        }
        int pidfd = LibC.pidfdOpen((int) pid);
        if (pidfd < 0) {
            return false;
        }
        try {
            return leaderChildren.lists(pid) && !jdk.waitsFor(pid) && !owned.contains(pid) && reap(pid, pidfd);
        } finally {
            LibC.close(pidfd);
        }
    }

    /** Whether a zombie with this pid is known to wait out its grace. */
    private boolean waitsOutGrace(long pid) {
        for (Key key : sightings.keySet()) {
            if (key.pid() == pid) {
                return true;
            }
        }
        return false;
    }

    /** Whether the zombie waitid named is one this look found, or one known to wait out its grace on another thread's list. */
    private boolean accountedFor(long pid, List<Zombie> zombies) {
        for (Zombie zombie : zombies) {
            if (zombie.pid() == pid) {
                return true;
            }
        }
        return waitsOutGrace(pid);
    }

    private static long startTime(long pid) throws IOException {
        Stat stat = Proc.stat(pid);
        return stat == null ? Ownership.UNKNOWN : stat.startTime();
    }

    /**
     * Reaps the adopted orphans of a decision. Each is pinned first, then the leader's list is read
     * again: whatever a pinned pid names now is the pinned process, and it is on the leader's list.
     * The JDK's table and the owned set are checked once more, after pinning: a thread that ended since
     * the look recorded its children before they reached the leader's list. Returns how many it reaped.
     */
    private int reapOrphans(List<Zombie> orphans) throws IOException {
        int n = orphans.size();
        if (n == 0) {
            return 0;
        }
        candidates = candidates.length >= n ? candidates : new long[Math.max(n, 2 * candidates.length)];
        for (int i = 0; i < n; i++) {
            candidates[i] = orphans.get(i).pid();
        }
        pin(n);
        try {
            long[] listed = leaderChildren.read();
            Arrays.sort(listed);
            int count = 0;
            for (int i = 0; i < n; i++) {
                long pid = candidates[i];
                if (Arrays.binarySearch(listed, pid) >= 0 && !jdk.waitsFor(pid) && !ownedNow(pid) && reap(pid, pinned[i])) {
                    count++;
                }
            }
            return count;
        } finally {
            unpin(n);
        }
    }

    /** Whether the owned set holds the process that {@code pid} names now (read after pinning it). */
    private boolean ownedNow(long pid) throws IOException {
        return owned.contains(pid) && owned.owns(pid, startTime(pid));
    }

    /** Reaps the zombies whose grace is over, each only if it is still the process that was seen. Returns how many it reaped. */
    private int reapExpired(List<Zombie> expired) throws IOException {
        int count = 0;
        for (Zombie zombie : expired) {
            candidates[0] = zombie.pid();
            pin(1);
            try {
                Stat now = Proc.stat(zombie.pid());
                if (now != null && now.startTime() == zombie.startTime() && now.zombie() && !jdk.waitsFor(zombie.pid())
                        && reap(zombie.pid(), pinned[0])) {
                    count++;
                }
            } finally {
                unpin(1);
            }
        }
        return count;
    }

    /** Whether any thread of this JVM has a zombie child: one system call, all an idle sweep costs besides the SIGCHLD check. */
    private boolean anyZombie() {
        siginfo.setInt(SI_PID_OFFSET, 0);
        return LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0 && siginfo.getInt(SI_PID_OFFSET) != 0;
    }

    private boolean isZombie(long pid) {
        siginfo.setInt(SI_PID_OFFSET, 0);
        return LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0 && siginfo.getInt(SI_PID_OFFSET) != 0;
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
        ZombieReport report = ZombieReport.before(pid);
        siginfo.setInt(SI_PID_OFFSET, 0);
        int rc = pidfd >= 0
                ? LibC.waitid(P_PIDFD, pidfd, siginfo, WEXITED | WNOHANG)
                : LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG);
        if (rc != 0 || siginfo.getInt(SI_PID_OFFSET) == 0) {
            return false;
        }
        report.reaped(figures, ExitStatus.from(siginfo.getInt(SI_CODE * 4), siginfo.getInt(SI_STATUS * 4)).shellStatus());
        return true;
    }

}
