package dev.reaper.reap;

import dev.reaper.linux.JdkProcessCalls;
import dev.reaper.log.Log;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;
import dev.reaper.reap.Ownership.Decision;
import dev.reaper.reap.Ownership.Key;
import dev.reaper.reap.Ownership.Sighting;
import dev.reaper.reap.Ownership.Zombie;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The reaper when JNA cannot load (no writable directory that allows exec: a read-only root, a
 * noexec /tmp). The same rule as {@link Reaper} ({@link Ownership#decide}), with what can be had
 * without a native library of the agent's own:
 * <ul>
 * <li>zombies are found in /proc: every thread's children list, and each child's state (Z) in
 * /proc/PID/stat, at each look;</li>
 * <li>a look is woken by SIGCHLD (kept armed), or the sweep period; while the JDK is about to reap a
 * zombie, it polls;</li>
 * <li>a zombie is reaped by the JDK's own native waitpid ({@link JdkProcessCalls}), after a last
 * check of its state, parent and start time: no pidfd pins it, so a window of microseconds
 * remains in which its pid could be reaped by another and reused;</li>
 * <li>no JVMTI ThreadEnd watch: the owned set holds only the children a look saw on a live thread's
 * list. A child that native code started from a thread that ended before any look saw it is taken
 * for an orphan.</li>
 * </ul>
 */
public final class FallbackReaper implements Runnable {
    private static final long POLL_MIN_NANOS = 1_000_000;
    private static final long POLL_MAX_NANOS = 100_000_000;

    private final long self;
    private final JdkChildren jdk;
    private final OwnedChildren owned;
    private final boolean orphansAtOnce;
    private final long sweepNanos;
    private final long graceNanos;
    private final JdkProcessCalls calls;
    private final ChildSignal signal;
    private final Figures figures;
    private Map<Key, Sighting> sightings = Map.of();
    private volatile Thread thread;

    /** Parameters as {@link Reaper}'s. */
    public FallbackReaper(long self, JdkChildren jdk, OwnedChildren owned, boolean orphansAtOnce, JdkProcessCalls calls, Duration sweep,
            Duration grace, boolean useSignal, Figures figures) {
        this.self = self;
        this.jdk = jdk;
        this.owned = owned;
        this.orphansAtOnce = orphansAtOnce;
        this.calls = calls;
        this.sweepNanos = sweep.toNanos();
        this.graceNanos = grace.toNanos();
        this.figures = figures;
        this.signal = useSignal ? new ChildSignal(new Runnable() { // a class, not a lambda: see AgentLayer
            @Override
            public void run() {
                LockSupport.unpark(thread);
            }
        }) : null;
    }

    /** As {@link Reaper#adoptedNow}. */
    public int adoptedNow() {
        return owned.adoptedNow(jdk);
    }

    /** Look, decide, reap, wait for SIGCHLD or the next deadline. Never returns. */
    @Override
    public void run() {
        thread = Thread.currentThread();
        if (signal != null) {
            signal.arm(); // armed for good: no waitid here to wake the loop
        }
        long pollNanos = 0;
        int failures = 0;
        while (true) {
            try {
                long now = System.nanoTime();
                List<Zombie> zombies = look();
                owned.prune();
                Decision decision = Ownership.decide(zombies, true, jdk, owned.asMap(), sightings, now, graceNanos, orphansAtOnce);
                sightings = decision.sightings();
                int count = 0;
                for (Zombie orphan : decision.orphans()) {
                    count += reap(orphan, true) ? 1 : 0;
                }
                for (Zombie expired : decision.expired()) {
                    count += reap(expired, false) ? 1 : 0;
                }
                failures = 0;
                if (count > 0) {
                    pollNanos = 0;
                    continue; // more may have come meanwhile: look again at once
                }
                if (decision.jdkPending()) {
                    pollNanos = pollNanos == 0 ? POLL_MIN_NANOS : Math.min(2 * pollNanos, POLL_MAX_NANOS);
                    LockSupport.parkNanos(this, pollNanos);
                } else {
                    pollNanos = 0;
                    long until = Math.min(decision.graceUntil(), now + sweepNanos);
                    LockSupport.parkNanos(this, Math.max(0, until - System.nanoTime())); // SIGCHLD unparks; a wake-up since the look returns at once
                }
            } catch (Throwable e) { // even an OutOfMemoryError: the reaper must outlive it
                if (failures++ == 0) {
                    Log.warn("a sweep failed, will retry: " + e);
                }
                LockSupport.parkNanos(this, sweepNanos);
            }
        }
    }

    /** Every zombie child of the JVM, from every thread's list; children seen on another thread's list are recorded as owned. */
    private List<Zombie> look() throws IOException {
        List<Zombie> zombies = new ArrayList<>();
        for (long tid : Proc.tasks(self)) {
            for (long pid : Proc.children(self, tid)) {
                Stat stat = Proc.stat(pid);
                if (stat == null || stat.ppid() != self) {
                    continue; // gone, or a pid reused since the list was read
                }
                if (tid != self) {
                    owned.record(stat);
                }
                if (stat.zombie()) {
                    zombies.add(new Zombie(pid, stat.startTime(), tid == self));
                }
            }
        }
        return zombies;
    }

    /**
     * Reaps a zombie the decision gave, if it is still that zombie, still a child of the JVM, and still
     * not the JDK's; an orphan also still on the leader's list and not owned. waitpid blocks on a
     * living child, so the state is checked last, just before.
     */
    private boolean reap(Zombie zombie, boolean orphan) throws IOException {
        long pid = zombie.pid();
        if (orphan && (!listedOnLeader(pid) || owned.owns(pid, zombie.startTime()))) {
            return false;
        }
        ZombieReport report = ZombieReport.before(pid);
        Stat now = Proc.stat(pid);
        if (now == null || !now.zombie() || now.ppid() != self || now.startTime() != zombie.startTime() || jdk.waitsFor(pid)) {
            return false;
        }
        int status = calls.reap(pid);
        if (status < 0) {
            return false; // reaped by another meanwhile
        }
        report.reaped(figures, status);
        return true;
    }

    private boolean listedOnLeader(long pid) throws IOException {
        for (long listed : Proc.children(self, self)) {
            if (listed == pid) {
                return true;
            }
        }
        return false;
    }
}
