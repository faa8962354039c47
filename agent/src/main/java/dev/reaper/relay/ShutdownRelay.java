package dev.reaper.relay;

import dev.reaper.linux.Kernel;
import dev.reaper.log.Log;
import dev.reaper.proc.Proc;
import dev.reaper.proc.ProcessId;
import dev.reaper.proc.ProcessTree;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import dev.reaper.reap.JdkChildren;
import dev.reaper.reap.OwnedChildren;
import dev.reaper.reap.Ownership;
import dev.reaper.reap.Ownership.Whose;
import dev.reaper.relay.Targets.Target;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import dev.reaper.spi.Stop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The relay of a stop to the JVM's descendants (README: the shutdown sequence,
 * src/docs/shutdown.md):
 *
 * <ol>
 *   <li>signal every descendant that {@link Targets} says is due: what existed when the stop began,
 *       and every orphan the JVM adopts meanwhile;
 *   <li>wait until they have all exited, until the stop's kill time (the reaper reaps the adopted
 *       ones, the JDK its own children);
 *   <li>SIGKILL what is left, and wait for it.
 * </ol>
 *
 * When it runs, and with what kill time, the boot side decides (dev.reaper.boot.Stopping).
 */
public final class ShutdownRelay {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final JdkChildren jdk;
    private final OwnedChildren owned;
    private final boolean orphansAtOnce;
    private final Figures figures;
    private final Runnable whenStopping;
    private final long stopTimeoutMillis;
    private volatile Kernel kernel;

    /**
     * @param orphansAtOnce as for the reaper (Ownership#whose)
     * @param whenStopping run as the relay begins: the reaper's cue to keep out of native calls
     *     that would block (HotSpot waits up to 300 ms at exit for any thread in native code)
     */
    public ShutdownRelay(
            Kernel kernel,
            JdkChildren jdk,
            OwnedChildren owned,
            boolean orphansAtOnce,
            Figures figures,
            Runnable whenStopping,
            Duration stopTimeout) {
        this.stopTimeoutMillis = stopTimeout.toMillis();
        this.kernel = kernel;
        this.jdk = jdk;
        this.owned = owned;
        this.orphansAtOnce = orphansAtOnce;
        this.figures = figures;
        this.whenStopping = whenStopping;
    }

    /** From now on signals go through {@code next}. */
    public void handOver(Kernel next) {
        kernel = next;
    }

    /** Steps 1 to 3. Synchronized: a second stop waits for one under way to end. */
    public synchronized void stop(Stop stop) {
        whenStopping.run();
        long started = System.nanoTime();
        Object event = Events.shutdownStarted();
        String name = "SIG" + stop.signal();
        try {
            Kernel k = kernel;
            Stat me = Proc.stat(k.self());
            long session = stop.wholeTree() || me == null ? -1 : me.session();
            Set<ProcessId> signalled = new HashSet<>();
            List<Stat> running = look(k, stop.signal(), stop.beganTicks(), session, signalled);
            while (!running.isEmpty() && System.nanoTime() - stop.killAtNanos() < 0) {
                LockSupport.parkNanos(POLL_NANOS);
                running = look(k, stop.signal(), stop.beganTicks(), session, signalled);
            }
            int sent = signalled.size();
            if (running.isEmpty()) {
                if (sent > 0) {
                    report(event, name, sent, 0, started);
                }
                return;
            }
            Set<ProcessId> killed = new HashSet<>();
            long killDeadline = System.nanoTime() + KILL_WAIT_NANOS;
            while (!running.isEmpty() && System.nanoTime() - killDeadline < 0) {
                for (Stat process : running) {
                    if (!killed.contains(process.id()) && k.signal(process, Signal.KILL)) {
                        killed.add(process.id());
                    }
                }
                LockSupport.parkNanos(POLL_NANOS);
                // and whatever appears meanwhile
                running = look(k, Signal.KILL, Long.MIN_VALUE, session, killed);
            }
            report(event, name, sent, killed.size(), started);
            long waited = TimeUnit.NANOSECONDS.toMillis(stop.killAtNanos() - started);
            String after =
                    waited + 5 >= stopTimeoutMillis
                            ? "stop-timeout (" + stopTimeoutMillis + " ms)"
                            : "what stop-budget left them (" + waited + " ms)";
            Log.warn(
                    name
                            + " relayed to "
                            + sent
                            + " processes; "
                            + killed.size()
                            + " still running after "
                            + after
                            + " were killed"
                            + (running.isEmpty()
                                    ? ""
                                    : ", " + running.size() + " survived SIGKILL"));
        } catch (IOException | RuntimeException e) {
            Log.warn("could not stop the JVM's descendants (" + e + ")");
        }
    }

    /**
     * One look at the tree: sends {@code signal} to each process in scope that {@link Targets} says
     * is due, and returns the processes in scope still running, parents first. Signalled once the
     * walk is over: a parent that exits at once on the signal would hand its children to PID 1
     * before the walk reached them, if the JVM is no subreaper.
     */
    private List<Stat> look(
            Kernel k, Signal signal, long beganTicks, long session, Set<ProcessId> signalled)
            throws IOException {
        List<Stat> running = walk(k, signal, beganTicks, session, signalled);
        // One walk can miss a process: when its parent exits during the walk, after the JVM's own
        // list was read, the kernel moves it to the JVM's list (a subreaper's, or PID 1's), and the
        // parent's list, read next, is empty. So "nothing is left" is believed only from a second
        // walk, which reads the JVM's list afresh.
        return running.isEmpty() ? walk(k, signal, beganTicks, session, signalled) : running;
    }

    /**
     * One walk of the tree: what {@link #look} says, but for a process whose parent exited during
     * it.
     */
    private List<Stat> walk(
            Kernel k, Signal signal, long beganTicks, long session, Set<ProcessId> signalled)
            throws IOException {
        List<Stat> running = new ArrayList<>();
        List<Stat> due = new ArrayList<>();
        long self = k.self();
        // a class, not a lambda: see dev.reaper.boot.AgentLoader
        ProcessTree.walk(
                self,
                new ProcessTree.Visitor() {
                    @Override
                    public boolean visit(long parent, long tid, Stat process) {
                        Whose whose =
                                parent == self
                                        ? Ownership.whose(
                                                jdk.waitsFor(process.pid()),
                                                tid == self,
                                                owned.owns(process.id()),
                                                orphansAtOnce)
                                        : null;
                        Target target =
                                Targets.choose(
                                        process,
                                        whose,
                                        beganTicks,
                                        session,
                                        signalled.contains(process.id()));
                        if (target == Target.SIGNAL) {
                            due.add(process);
                        }
                        if (target == Target.SIGNAL || target == Target.WAIT) {
                            running.add(process);
                        }
                        return target != Target.OUT_OF_SCOPE;
                    }
                });
        for (Stat process : due) {
            if (k.signal(process, signal)) {
                signalled.add(process.id());
                Log.debug(
                        "sent SIG"
                                + signal
                                + " to "
                                + process.pid()
                                + " ("
                                + process.command()
                                + ")");
            }
        }
        return running;
    }

    /** The figures, the JFR event, and the log line a pipeline can parse. */
    private void report(Object event, String name, int sent, int killed, long started) {
        figures.relayed(sent, killed);
        Events.shutdownRelayed(event, name, sent, killed);
        Log.info(
                "relayed stop "
                        + Log.fields(
                                "signal",
                                name,
                                "processes",
                                sent,
                                "killed",
                                killed,
                                "took_ms",
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }
}
