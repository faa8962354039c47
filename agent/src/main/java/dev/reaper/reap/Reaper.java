package dev.reaper.reap;

import dev.reaper.linux.Kernel;
import dev.reaper.log.Log;
import dev.reaper.proc.Proc;
import dev.reaper.proc.ProcessId;
import dev.reaper.proc.Stat;
import dev.reaper.reap.Ownership.Decision;
import dev.reaper.reap.Ownership.Sighting;
import dev.reaper.reap.Ownership.Whose;
import dev.reaper.reap.Ownership.Zombie;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reaps the zombie children of this JVM that nobody else will wait for: whose they are is decided
 * by {@link Ownership}; this loop gathers what the decision needs from the {@link Kernel}, and acts
 * on it. It starts on the JDK's own means ({@code JdkKernel}) and is handed the native calls
 * ({@code NativeKernel}) once JNA has loaded ({@link #handOver}): between two turns, on its one
 * thread, so that no zombie is looked at by both.
 *
 * <p>A zombie is pinned (a pidfd) before the last checks, and reaped through the pin, so a pid
 * reused in between can never be reaped by mistake; without pidfds its start time is checked just
 * before.
 */
public final class Reaper implements Runnable {
    private static final long POLL_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long POLL_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long STOPPING_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * On the JDK's kernel: how long after its last reap the loop polls (a storm), before it waits
     * for SIGCHLD again.
     */
    private static final long STORM_POLL_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(32);

    /**
     * On JNA's kernel, in a storm: how long the loop waits before it looks again, instead of
     * waiting for the next exit.
     */
    private static final long STORM_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final int SWEEP_FAILED = 1;
    private static final int LOOK_FAILED = 2;

    private final JdkChildren jdk;
    private final OwnedChildren owned;
    private final boolean orphansAtOnce;
    private final long sweepNanos;
    private volatile long graceNanos;
    private volatile boolean lookNow;
    private long publishedGraceNanos;
    private final ChildSignal signal;
    private final Figures figures;
    private final Backoff pending = new Backoff(POLL_MIN_NANOS, POLL_MAX_NANOS);
    private final Backoff storm = new Backoff(POLL_MIN_NANOS, STORM_POLL_MAX_NANOS);
    private final Backoff retry;
    private volatile Kernel kernel;
    private volatile Thread thread;
    private volatile boolean stopping;

    // the loop's state between turns (its thread alone)
    private Wait wait = Wait.NOW;
    private long pollNanos;
    private long nextFullLook;
    private long graceUntil = Long.MAX_VALUE;
    private Map<ProcessId, Sighting> sightings = Map.of();
    private boolean armed;

    /** The loop has reaped lately: it polls (see {@link #storm}). */
    private boolean storming;

    /** Zombies reaped since the loop last waited. */
    private int drained;

    private long[] candidates = new long[64];
    private int[] pins = new int[64];
    private boolean lookFailing;

    /** A problem not said yet ({@link #tell}): which, and what was thrown. */
    private int unsaid;

    private Throwable unsaidProblem;
    private int unsaidTries;

    /** How the loop waits before its next turn. */
    enum Wait {
        /** Until a child exits (waitid), or SIGCHLD, or the sweep period. */
        EXIT,
        /** {@link #pollNanos}, then look. */
        POLL,
        /** Until SIGCHLD (an orphan that exits), a grace period's end or the next full look. */
        GRACE,
        /** Not at all. */
        NOW
    }

    /**
     * @param kernel the kernel to start on
     * @param jdk the JDK's table of its own children
     * @param owned the JVM's own children recorded as their threads ended
     * @param orphansAtOnce false when the leader thread may run Java code, or the JDK's table
     *     cannot be read: then the grace applies to the leader's list too (see Ownership#whose)
     * @param sweep how long the loop waits, while the JVM has no child, before it looks for adopted
     *     ones without a SIGCHLD to wake it
     * @param useSignal false when no Java signal handler can run (-Xrs, or no jdk.unsupported)
     */
    public Reaper(
            Kernel kernel,
            JdkChildren jdk,
            OwnedChildren owned,
            boolean orphansAtOnce,
            Duration sweep,
            Duration grace,
            boolean useSignal,
            Figures figures) {
        this.kernel = kernel;
        this.jdk = jdk;
        this.owned = owned;
        this.orphansAtOnce = orphansAtOnce;
        this.sweepNanos = sweep.toNanos();
        this.graceNanos = grace.toNanos();
        this.publishedGraceNanos = graceNanos;
        this.figures = figures;
        this.retry = new Backoff(POLL_MIN_NANOS, sweepNanos);
        this.signal = useSignal ? new ChildSignal(this) : null;
    }

    /**
     * From now on the loop works through {@code next}: at its next turn, which this brings on at
     * once.
     */
    public void handOver(Kernel next) {
        kernel = next;
        LockSupport.unpark(thread);
    }

    /**
     * A new grace period (attach PID grace=0s, on a running agent), for the zombies waiting out
     * theirs too: the loop looks again at once.
     */
    public void grace(Duration grace) {
        graceNanos = grace.toNanos();
        lookNow = true;
        LockSupport.unpark(thread);
    }

    /** Called by the SIGCHLD handler. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * The JVM is stopping: from now on the loop polls instead of blocking in waitid, so that it is
     * not in native code when the JVM exits (HotSpot waits up to 300 ms at exit for threads in
     * native code). A waitid it is blocked in already returns when the next child exits.
     */
    public void stopping() {
        stopping = true;
        LockSupport.unpark(thread);
    }

    /**
     * The processes this JVM adopted that are still there (rule 2), for the MBean; -1 if unknown.
     */
    public int adoptedNow() {
        Kernel k = kernel;
        int adopted = 0;
        try {
            for (long pid : k.leaderChildren()) {
                if (Ownership.whose(
                                jdk.waitsFor(pid),
                                true,
                                owned.owns(ProcessId.of(pid)),
                                orphansAtOnce)
                        == Whose.ADOPTED) {
                    adopted++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return adopted;
    }

    /** The loop: wait, look, decide, reap. Never returns. */
    @Override
    public void run() {
        thread = Thread.currentThread();
        nextFullLook = System.nanoTime();
        boolean failing = false;
        while (true) {
            try {
                sayUnsaid();
                turn();
                failing = false;
                retry.reset();
            } catch (Throwable e) { // even an OutOfMemoryError: the reaper must outlive it
                if (!failing) {
                    tell(SWEEP_FAILED, e);
                }
                failing = true;
                wait = Wait.POLL;
                pollNanos = retry.next();
            }
        }
    }

    /**
     * Has a problem said once, as soon as it can be: not while the JVM cannot open a file, or
     * allocate the line. The application's logging may need both, and may break for good if it gets
     * neither: java.util.logging's first line reads the time zone database, and under EMFILE that
     * fails in a static initialiser, which leaves java.util.TimeZone unusable for the JVM's life.
     * Allocates nothing, so that it works under an OutOfMemoryError: the problem is named by a
     * number, as even a string literal is made on the heap when first used.
     */
    private void tell(int problem, Throwable thrown) {
        if (unsaidProblem == null) {
            unsaid = problem;
            unsaidProblem = thrown;
        }
    }

    private void sayUnsaid() {
        if (unsaidProblem == null) {
            return;
        }
        try {
            String what =
                    unsaid == SWEEP_FAILED
                            ? "a sweep failed, will retry"
                            : "cannot read the children lists of the JVM's threads, so only the orphans it adopted are reaped until it can; its own"
                                    + " zombies wait, and children of native threads that end meanwhile may be taken for orphans";
            // Proc reads as gone while no file can be opened; a logging that fails each time gets a
            // few tries
            if (Proc.selfStat() != null
                    && (Log.warn(what + ": " + unsaidProblem) || ++unsaidTries >= 10)) {
                unsaidProblem = null;
                unsaidTries = 0;
            }
        } catch (Throwable notYet) {
            // out of memory still, or /proc unreadable: the next turn tries again
        }
    }

    /**
     * One turn: a method of its own so that the JIT compiles it after a few hundred turns (the body
     * of a loop in a method that never returns stays interpreted until on-stack replacement, tens
     * of thousands of turns later: most of a 5,000-orphan storm).
     */
    void turn() throws IOException {
        Kernel k = kernel;
        if (stopping && wait != Wait.NOW) {
            wait = Wait.POLL;
            pollNanos = STOPPING_POLL_NANOS;
        }
        long named =
                switch (wait) {
                    case EXIT -> awaitExit(k);
                    case POLL -> parkThenLook(pollNanos);
                    case GRACE -> awaitSignalUntil(Math.min(graceUntil, nextFullLook));
                    case NOW -> Kernel.UNKNOWN;
                };
        if (named == Kernel.UNKNOWN) {
            // one system call: a wake-up with nothing to reap costs no more
            named = k.zombie(false);
        }
        if (named == Kernel.NONE || named == Kernel.NO_CHILD) {
            quiet();
            return;
        }
        work(k, named, System.nanoTime());
    }

    /**
     * It has reaped: more may have come meanwhile, so it looks again at once. Then, where it found
     * nothing: on JNA's kernel, if it reaped three or more since it last waited (a storm), it waits
     * a millisecond before it looks again, else it waits for the next exit; on the JDK's kernel,
     * which cannot wait for an exit, it polls (after 1, 2, 4, 8, 16 ms) before it waits for SIGCHLD
     * again. In a storm the loop so wakes for what came meanwhile, not once per orphan (whose
     * wake-up, a context switch, cost more than the reaping), and as it ends, with fewer zombies
     * each time, it waits for each exit again. The JDK's kernel also drops the SIGCHLD handler
     * meanwhile: HotSpot starts a Java thread per signal, which costs more than the reaping.
     */
    private void storm(Kernel k) {
        wait = Wait.NOW;
        storming = true;
        drained++;
        storm.reset();
        if (armed && !k.wakesOnExit()) {
            // armed again before the loop waits for SIGCHLD, with one more look (awaitExit)
            signal.disarm();
            armed = false;
        }
    }

    /** Nothing to reap now: the next poll of a storm, or wait for an exit. */
    private void quiet() {
        boolean batch = drained > 2;
        drained = 0;
        if (kernel.wakesOnExit()) {
            wait = storming && batch ? Wait.POLL : Wait.EXIT;
            pollNanos = STORM_BATCH_NANOS;
            storming = wait == Wait.POLL;
            return;
        }
        long next = storming ? storm.next() : STORM_POLL_MAX_NANOS;
        if (next < STORM_POLL_MAX_NANOS) {
            wait = Wait.POLL;
            pollNanos = next;
        } else {
            storming = false;
            wait = Wait.EXIT;
        }
    }

    /**
     * Reaps what there is to reap, with a zombie the kernel named ({@link Kernel#UNKNOWN} if it
     * cannot name one), and sets how the loop waits next.
     */
    void work(Kernel k, long named, long now) throws IOException {
        // Every thread's list only now and then (and when a zombie is not where it was named), on
        // either kernel: the other threads' children are the JVM's own, which wait out the grace
        // anyway; reading every thread's list costs a file per thread, which on the JDK's kernel,
        // for each turn of a storm, was most of the agent's CPU per orphan.
        boolean full = now - nextFullLook >= 0 || now - graceUntil >= 0 || lookNow;
        lookNow = false;
        if (!full && reapNamedOrphan(k, named)) {
            storm(k);
            pending.reset();
            return;
        }
        List<Zombie> zombies = look(k);
        if (full || !accountedFor(named, zombies)) {
            full = lookAtOtherThreads(k, zombies);
            if (full) {
                owned.prune(k);
            }
            // a zombie is reaped within 1.25 x grace
            nextFullLook = now + Math.max(sweepNanos, graceNanos / 4);
        }
        Decision decision =
                Ownership.decide(
                        zombies, full, jdk, owned, sightings, now, graceNanos, orphansAtOnce);
        if (graceNanos != publishedGraceNanos
                || !decision.sightings().keySet().equals(sightings.keySet())) {
            publishWaiting(decision.sightings(), now);
        }
        sightings = decision.sightings();
        graceUntil = decision.graceUntil();
        int count = reapOrphans(k, decision.orphans()) + reapExpired(k, decision.expired());
        if (full) {
            figures.looked();
        }
        if (count > 0) {
            storm(k);
            pending.reset();
        } else if (zombies.isEmpty() && !k.wakesOnExit()) {
            quiet(); // at the end: wait for SIGCHLD (armed again, with one more look) or the sweep
            pending.reset();
        } else if (decision.jdkPending() || graceUntil == Long.MAX_VALUE) {
            // the JDK reaps it in a moment; or it was reaped, or pinned away, since the look
            wait = Wait.POLL;
            pollNanos = pending.next();
        } else {
            wait = Wait.GRACE;
            pending.reset();
        }
    }

    /**
     * The zombies waiting out their grace, for the status command: when each was first seen, on the
     * wall clock.
     */
    private void publishWaiting(Map<ProcessId, Sighting> waiting, long now) {
        publishedGraceNanos = graceNanos;
        long wall = System.currentTimeMillis();
        long[] pids = new long[waiting.size()];
        long[] seen = new long[pids.length];
        int n = 0;
        for (Map.Entry<ProcessId, Sighting> entry : waiting.entrySet()) {
            pids[n] = entry.getKey().pid();
            seen[n++] = wall - TimeUnit.NANOSECONDS.toMillis(now - entry.getValue().since());
        }
        figures.waiting(pids, seen, n, TimeUnit.NANOSECONDS.toMillis(graceNanos));
    }

    /** How the loop will wait next (for tests). */
    Wait nextWait() {
        return wait;
    }

    private long parkThenLook(long nanos) {
        LockSupport.parkNanos(this, nanos);
        return Kernel.UNKNOWN;
    }

    /**
     * Waits for a child to exit. With waitid, blocks until a child of the JVM is a zombie; with no
     * child at all there is nothing for waitid to wait on, yet an orphan may still be adopted (PID
     * 1 adopts those of processes that entered its namespace from outside, as docker exec's do):
     * then, as without waitid, it waits for SIGCHLD, or the sweep period. The SIGCHLD handler stays
     * armed while the JVM has no child, and is taken away once it has one (HotSpot starts a Java
     * thread per signal: in a storm that would double the work); without waitid it stays armed for
     * good.
     */
    private long awaitExit(Kernel k) throws IOException {
        if (k.wakesOnExit()) {
            if (armed && k.anyChild()) {
                signal.disarm();
                armed = false;
            }
            long named = k.zombie(true);
            if (named != Kernel.NO_CHILD) {
                return named == Kernel.NONE ? Kernel.UNKNOWN : named;
            }
            if (!arm() && !k.anyChild()) { // checked after arming, so that no exit goes unnoticed
                LockSupport.parkNanos(this, sweepNanos);
            }
            return Kernel.UNKNOWN;
        }
        if (!arm()) {
            LockSupport.parkNanos(this, sweepNanos);
        }
        return Kernel.UNKNOWN;
    }

    /**
     * While the only zombies wait out their grace: SIGCHLD (an orphan that exits) or the deadline
     * wakes the loop. Having just armed the handler, it returns at once, for one more look: an
     * orphan that exited before the handler was there sent its SIGCHLD to nobody.
     */
    private long awaitSignalUntil(long deadline) {
        if (!arm()) {
            LockSupport.parkNanos(this, Math.max(0, deadline - System.nanoTime()));
        }
        return Kernel.UNKNOWN;
    }

    /**
     * Arms the SIGCHLD handler; true if it was not armed before. Installed again all the same:
     * native code may have reset SIGCHLD behind the JVM's back, and a handler the JVM believes in
     * would then never wake the loop. NuProcess does, at its first use: it calls the JDK's own
     * ProcessImpl init, which sets SIG_DFL (seen here); a reset while the loop waits holds until
     * that wait ends.
     */
    private boolean arm() {
        if (signal == null) {
            return false;
        }
        signal.arm();
        boolean was = armed;
        armed = true;
        return !was;
    }

    /** The zombies on the leader's list. Start times are read where the decision needs them. */
    private List<Zombie> look(Kernel k) throws IOException {
        List<Zombie> zombies = new ArrayList<>();
        for (long pid : k.leaderChildren()) {
            if (k.isZombie(pid)) {
                zombies.add(
                        new Zombie(
                                !orphansAtOnce || owned.holdsPid(pid)
                                        ? idOf(k, pid)
                                        : ProcessId.of(pid),
                                true));
            }
        }
        return zombies;
    }

    /**
     * Adds the zombies on every other thread's list to {@code zombies}, and records every child of
     * another thread as the JVM's own: that is how children of purely native threads, which post no
     * ThreadEnd, are known once their thread has died. False if the lists cannot be read (the JVM
     * has no file descriptor left, say): then the orphans on the leader's list, which need none
     * with native calls, are reaped on, and the problem is said once, until a look succeeds again.
     */
    private boolean lookAtOtherThreads(Kernel k, List<Zombie> zombies) {
        long self = k.self();
        try {
            for (long tid : k.threads()) {
                if (tid == self) {
                    continue;
                }
                for (long pid : k.children(tid)) {
                    Stat stat = k.stat(pid);
                    if (stat == null || stat.ppid() != self) {
                        continue; // gone, or a pid reused since the list was read
                    }
                    owned.record(stat);
                    if (stat.zombie()) {
                        zombies.add(new Zombie(stat.id(), false));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!lookFailing) {
                lookFailing = true;
                tell(LOOK_FAILED, e);
            }
            return false;
        }
        lookFailing = false;
        return true;
    }

    /**
     * The common case, an adopted orphan, in four system calls besides the waitid that named it:
     * the zombie is pinned, found on the leader's list, is neither the JDK's child nor the JVM's
     * own, and is reaped through its pin. Anything else (and no pidfd to be had) leaves it to the
     * look and the decision, having reaped nothing: the same rule and the same checks after pinning
     * as {@link #reapOrphans}, for one zombie.
     */
    private boolean reapNamedOrphan(Kernel k, long pid) throws IOException {
        if (!k.pins() || pid <= 0 || waitsOutGrace(pid) || !adopted(pid, true)) {
            return false;
        }
        int pin = k.pin(pid);
        if (pin < 0) {
            return false;
        }
        try {
            return contains(k.leaderChildren(), pid)
                    && adopted(pid, true)
                    && reap(k, pid, ProcessId.UNKNOWN, pin);
        } finally {
            k.unpin(pin);
        }
    }

    /**
     * Rule 2 for a zombie whose start time was not read: a pid the owned set holds counts as the
     * JVM's own.
     */
    private boolean adopted(long pid, boolean onLeader) {
        return Ownership.whose(
                        jdk.waitsFor(pid), onLeader, owned.owns(ProcessId.of(pid)), orphansAtOnce)
                == Whose.ADOPTED;
    }

    /** Whether a zombie with this pid is known to wait out its grace. */
    private boolean waitsOutGrace(long pid) {
        for (ProcessId id : sightings.keySet()) {
            if (id.pid() == pid) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the zombie the kernel named is one this look found, or one known to wait out its
     * grace on another thread's list.
     */
    private boolean accountedFor(long pid, List<Zombie> zombies) {
        if (pid <= 0) {
            return true; // none named
        }
        for (Zombie zombie : zombies) {
            if (zombie.id().pid() == pid) {
                return true;
            }
        }
        return waitsOutGrace(pid);
    }

    private static ProcessId idOf(Kernel k, long pid) throws IOException {
        Stat stat = k.stat(pid);
        return stat == null ? ProcessId.of(pid) : stat.id();
    }

    /**
     * Reaps the adopted orphans of a decision. Each is pinned first, then the leader's list is read
     * again: whatever a pinned pid names now is the pinned process, and it is on the leader's list.
     * The rule is applied once more, after pinning, with the JDK's table and the owned set as they
     * are now: a thread that ended since the look recorded its children before they reached the
     * leader's list. Returns how many it reaped.
     */
    private int reapOrphans(Kernel k, List<Zombie> orphans) throws IOException {
        int n = orphans.size();
        if (n == 0) {
            return 0;
        }
        candidates =
                candidates.length >= n ? candidates : new long[Math.max(n, 2 * candidates.length)];
        pins = pins.length >= n ? pins : new int[candidates.length];
        for (int i = 0; i < n; i++) {
            candidates[i] = orphans.get(i).id().pid();
            pins[i] = k.pin(candidates[i]);
        }
        try {
            long[] listed = k.leaderChildren();
            Arrays.sort(listed);
            int count = 0;
            for (int i = 0; i < n; i++) {
                long pid = candidates[i];
                boolean onLeader = Arrays.binarySearch(listed, pid) >= 0;
                ProcessId now = owned.holdsPid(pid) ? idOf(k, pid) : ProcessId.of(pid);
                if (onLeader
                        && Ownership.whose(jdk.waitsFor(pid), true, owned.owns(now), orphansAtOnce)
                                == Whose.ADOPTED
                        && reap(k, pid, ProcessId.UNKNOWN, pins[i])) {
                    count++;
                }
            }
            return count;
        } finally {
            for (int i = 0; i < n; i++) {
                k.unpin(pins[i]);
            }
        }
    }

    /**
     * Reaps the zombies whose grace is over, each only if it is still the process that was seen.
     * Returns how many it reaped.
     */
    private int reapExpired(Kernel k, List<Zombie> expired) throws IOException {
        int count = 0;
        for (Zombie zombie : expired) {
            long pid = zombie.id().pid();
            int pin = k.pin(pid);
            try {
                if (!jdk.waitsFor(pid) && reap(k, pid, zombie.id().startTime(), pin)) {
                    count++;
                }
            } finally {
                k.unpin(pin);
            }
        }
        return count;
    }

    private boolean reap(Kernel k, long pid, long startTime, int pin) throws IOException {
        if (pin == Kernel.GONE) {
            return false; // someone else reaped it before it could be pinned
        }
        ZombieReport report = ZombieReport.before(pid);
        int status = k.reap(pid, startTime, pin);
        if (status == Kernel.NOT_REAPED) {
            return false;
        }
        report.reaped(figures, status);
        return true;
    }

    private static boolean contains(long[] pids, long pid) {
        for (long listed : pids) {
            if (listed == pid) {
                return true;
            }
        }
        return false;
    }
}
