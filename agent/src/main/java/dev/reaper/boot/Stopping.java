package dev.reaper.boot;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.options.Options.StopOrder;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import dev.reaper.spi.Core;
import dev.reaper.spi.Stop;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * When the JVM stops, when and what the agent stops with it: decided on the boot side, from premain
 * on; the relay itself runs in the core ({@link Core#relay}). README: the shutdown sequence.
 *
 * <p>When: by default (stop-order=hooks-first) once the JVM's own shutdown hooks have run, so that
 * a server that drains its requests in flight (Spring Boot does by default) keeps the processes
 * they run; the agent reaps on meanwhile. A hook that hangs must not cost the descendants their
 * signal: if the hooks still run when only stop-timeout and one second are left of the stop-budget,
 * the relay begins anyway. With stop-order=all-at-once, a shutdown signal is relayed at once,
 * before the JVM's own handler runs the hooks.
 *
 * <p>What: a JVM that is a container's main process (PID 1, a child of PID 1 such as tini or {@code
 * docker --init}, or one started from outside its pid namespace) stops its whole tree, on a
 * shutdown signal and on a normal exit. Any other JVM (a build tool, a launcher, a forked test JVM,
 * jcmd: all of them get the agent through JAVA_TOOL_OPTIONS) relays a shutdown signal only to the
 * descendants still attached to it, and stops nothing on a normal exit.
 */
final class Stopping {

    private final Options options;
    private final ReaperAgent.CoreHandle core;
    private final boolean mainProcess;
    private final Budget budget;
    private final Object lock = new Object();

    /**
     * The stop to relay, once a shutdown signal or the JVM's exit has decided it: the first one
     * wins.
     */
    private Plan plan;

    /**
     * A shutdown signal that relay= leaves out ended the JVM: the exit leaves the descendants alone
     * too.
     */
    private volatile boolean notRelayed;

    private boolean relayStarted;
    private boolean relayDone;

    /**
     * A stop decided: its signal, when it began (clock ticks since boot, and System.nanoTime), and
     * its scope.
     */
    private record Plan(Signal signal, long beganTicks, long beganNanos, boolean wholeTree) {}

    Stopping(Options options, ReaperAgent.CoreHandle core, boolean mainProcess) {
        this.options = options;
        this.core = core;
        this.mainProcess = mainProcess;
        this.budget = new Budget(options.stopBudget(), options.stopTimeout());
        if (!budget.fits()) {
            Log.warn(
                    "stop-timeout="
                            + options.stopTimeout().toMillis()
                            + "ms does not fit in stop-budget="
                            + options.stopBudget().toMillis()
                            + "ms: the descendants get the signal as soon as a stop begins, and SIGKILL "
                            + Budget.RESERVE.toMillis()
                            + " ms before"
                            + " the budget ends; give stop-budget the time your container engine gives a stop (docker stop -t, terminationGracePeriodSeconds)");
        }
    }

    Options options() {
        return options;
    }

    /**
     * A shutdown signal arrived; runs on the thread HotSpot started for it, whose start is the
     * moment the stop began. Returns once the relay is over (all-at-once) or planned for after the
     * hooks; the caller then ends the JVM.
     */
    void signal(Signal signal) throws IOException, InterruptedException {
        long beganTicks = Proc.threadStartTicks();
        long beganNanos = System.nanoTime();
        if (options.relay().contains(signal)) {
            decide(new Plan(signal, beganTicks, beganNanos, mainProcess));
        } else {
            notRelayed = true;
        }
    }

    /**
     * The exit hook, an application shutdown hook: the JVM starts it with the others when its exit
     * begins. On a normal exit, a main process stops what it leaves running, with SIGTERM.
     */
    Runnable exitHook() {
        return new Runnable() { // a class, not a lambda: see AgentLoader
            @Override
            public void run() {
                Log.shuttingDown();
                try {
                    boolean decided;
                    synchronized (lock) {
                        decided = plan != null;
                    }
                    if (!decided && !notRelayed && mainProcess && options.stopOnExit()) {
                        // The application's hooks start at the same moment as this one, in an order
                        // nobody controls: taking the stop to begin a tick before this thread
                        // started keeps what they start out of it.
                        decide(
                                new Plan(
                                        Signal.TERM,
                                        Proc.threadStartTicks() - 1,
                                        System.nanoTime(),
                                        true));
                    }
                    Core loaded = core.now();
                    if (loaded != null && !loaded.runsAfterShutdownHooks()) {
                        loaded.stopping(); // nothing runs after the hooks to say it
                    }
                } catch (IOException | InterruptedException | RuntimeException | LinkageError e) {
                    Log.warn("could not stop the JVM's descendants (" + e + ")");
                }
            }
        };
    }

    /**
     * What the core runs once every application shutdown hook has finished: the relay, if a stop
     * was decided.
     */
    Runnable afterHooks() {
        return new Runnable() { // a class, not a lambda: see AgentLoader
            @Override
            public void run() {
                Log.shuttingDown();
                try {
                    Core loaded = core.now();
                    if (loaded == null) {
                        return;
                    }
                    loaded.stopping();
                    Plan decided;
                    synchronized (lock) {
                        decided = plan;
                    }
                    if (decided != null) {
                        relay(decided, loaded); // or wait for a relay the deadline began already
                    }
                    // the JDK runs this hook and swallows what it throws: say it
                } catch (Throwable e) {
                    Log.warn("could not stop the JVM's descendants (" + e + ")");
                }
            }
        };
    }

    private void decide(Plan decided) throws InterruptedException {
        synchronized (lock) {
            if (plan != null) {
                return; // a second signal, or a signal during the exit: the first stop goes on
            }
            plan = decided;
        }
        Core loaded = core.await();
        if (loaded == null) {
            Log.warn("could not stop the JVM's descendants: the agent did not start");
        } else if (options.stopOrder() == StopOrder.HOOKS_FIRST
                && loaded.runsAfterShutdownHooks()) {
            relayByDeadline(decided, loaded);
        } else {
            relay(decided, loaded);
        }
    }

    /**
     * The latest moment the budget allows for the relay to begin, so that the descendants still get
     * stop-timeout before SIGKILL: if the hooks still run then, it begins on a thread of its own.
     */
    private void relayByDeadline(Plan decided, Core loaded) {
        long deadline = budget.relayBy(decided.beganNanos());
        Thread watch =
                new Thread(
                        new Runnable() { // a class, not a lambda: see AgentLoader
                            @Override
                            public void run() {
                                while (!started() && System.nanoTime() - deadline < 0) {
                                    LockSupport.parkNanos(this, deadline - System.nanoTime());
                                }
                                if (!started() && deadline - decided.beganNanos() > 0) {
                                    Log.warn(
                                            "the JVM's shutdown hooks still run "
                                                    + TimeUnit.NANOSECONDS.toMillis(
                                                            System.nanoTime()
                                                                    - decided.beganNanos())
                                                    + " ms after the stop began: relaying SIG"
                                                    + decided.signal()
                                                    + " to the descendants now, so that they get"
                                                    + " stop-timeout ("
                                                    + options.stopTimeout().toMillis()
                                                    + " ms) within stop-budget ("
                                                    + options.stopBudget().toMillis()
                                                    + " ms)");
                                }
                                // at once if the budget leaves the hooks no time (said at
                                // start-up); else a no-op if it ran
                                relay(decided, loaded);
                            }
                        },
                        "reaper-stop-deadline");
        watch.setDaemon(true);
        watch.start();
    }

    private boolean started() {
        synchronized (lock) {
            return relayStarted;
        }
    }

    /** Runs the relay once; a second caller waits for it to end. */
    private void relay(Plan decided, Core loaded) {
        synchronized (lock) {
            if (relayStarted) {
                while (!relayDone) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                return;
            }
            relayStarted = true;
        }
        try {
            long killAt = budget.killAt(decided.beganNanos(), System.nanoTime());
            loaded.relay(
                    new Stop(decided.signal(), decided.beganTicks(), decided.wholeTree(), killAt));
        } finally {
            synchronized (lock) {
                relayDone = true;
                lock.notifyAll();
            }
        }
    }

    /**
     * Whether this JVM is a container's main process: PID 1 of its pid namespace, a child of it
     * (tini, docker --init), or started from outside the namespace (parent pid 0: the container
     * runtime starts a container's process so in a Kubernetes pod that shares its pid namespace,
     * where pause is PID 1; so does docker exec). Read at start-up, before a parent that exits
     * could hand this JVM to PID 1.
     */
    static boolean mainProcess() {
        try {
            Stat self = Proc.selfStat();
            return self.pid() == 1 || self.ppid() == 1 || self.ppid() == 0;
        } catch (IOException | RuntimeException e) {
            return true; // unknown: as before this rule existed
        }
    }
}
