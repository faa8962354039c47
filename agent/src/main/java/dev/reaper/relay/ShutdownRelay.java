package dev.reaper.relay;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.proc.ProcessTree;
import dev.reaper.proc.Stat;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The shutdown sequence. When the JVM gets a shutdown signal (TERM, INT, HUP), before the JVM's
 * own shutdown goes on:
 * <ol>
 * <li>relay the signal to every descendant of the JVM, looking again until no new one appears;</li>
 * <li>wait until they have all exited, at most stop-timeout (the reaper reaps the adopted ones, the
 * JDK its own children);</li>
 * <li>SIGKILL what is left, and wait for it;</li>
 * <li>hand the signal to the JVM's own handler (exit status 128 + signal, shutdown hooks run), or
 * exit with the status exit-remap names.</li>
 * </ol>
 * On a normal exit with descendants still running, a shutdown hook runs steps 1 to 3 with SIGTERM
 * ({@link #stopOnExit}); not after a shutdown signal that relay= leaves out.
 */
public final class ShutdownRelay {
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final long self;
    private final Options options;
    private final Signaller signaller;
    private final Figures figures;
    /** A shutdown signal that relay= leaves out ended the JVM: the exit hook then leaves the descendants alone too. */
    private volatile boolean notRelayed;

    public ShutdownRelay(long self, Options options, boolean pidfds, Figures figures) {
        this.self = self;
        this.options = options;
        this.signaller = new Signaller(pidfds);
        this.figures = figures;
    }

    /**
     * Installs the handlers for the shutdown signals, which run the sequence before the JVM's own
     * handler. Returns false if one could not be installed (-Xrs, or another agent holds it).
     */
    public boolean install() {
        boolean all = true;
        for (String name : Options.SHUTDOWN_SIGNALS) {
            all &= handle(name);
        }
        return all;
    }

    /**
     * The JVM is exiting by itself (or was stopped before the handlers were installed): end what it
     * leaves running, with SIGTERM. Runs from the shutdown hook that the boot class registers in
     * premain, so that it covers the JVM's whole life.
     */
    public void stopOnExit() {
        if (!notRelayed) {
            stop("TERM", SIGTERM);
        }
    }

    private boolean handle(String name) {
        Signal signal = new Signal(name);
        OnSignal ours = new OnSignal();
        try {
            SignalHandler previous = Signal.handle(signal, ours);
            if (previous == SignalHandler.SIG_IGN) {
                Signal.handle(signal, SignalHandler.SIG_IGN); // ignored on purpose (nohup): leave it so
                return true;
            }
            ours.previous = previous;
            return true;
        } catch (IllegalArgumentException taken) {
            Log.debug("cannot handle SIG" + name + ": " + taken.getMessage());
            return false;
        }
    }

    /** The JVM received a shutdown signal. (A class, not a lambda: see AgentLayer.) */
    private final class OnSignal implements SignalHandler {
        private volatile SignalHandler previous;

        @Override
        public void handle(Signal signal) {
            int number = signal.getNumber();
            boolean relay = options.relay().contains(signal.getName());
            try {
                if (relay) {
                    stop(signal.getName(), number);
                } else {
                    notRelayed = true; // the exit hook must not send the descendants another signal
                }
            } catch (Throwable e) { // even an OutOfMemoryError: the JVM must still end as the signal asks
                Log.warn("could not relay SIG" + signal.getName() + " (" + e + "); the JVM ends anyway");
            } finally {
                end(signal, number);
            }
        }

        private void end(Signal signal, int number) {
            Integer remapped = options.exitRemap().get(128 + number);
            if (remapped != null) {
                Runtime.getRuntime().exit(remapped);
            } else if (previous != null && previous != SignalHandler.SIG_DFL) {
                previous.handle(signal); // the JVM's own: exit with 128 + signal, shutdown hooks run
            } else {
                Runtime.getRuntime().exit(128 + number);
            }
        }
    }

    /** Steps 1 to 3. Synchronized: a second signal, or the exit hook, waits for a sequence under way to end. */
    synchronized void stop(String name, int signal) {
        long started = System.nanoTime();
        Object event = Events.shutdownStarted();
        try {
            int sent = signalAll(signal);
            if (sent == 0) {
                return;
            }
            List<Stat> left = awaitEnd(started + options.stopTimeout().toNanos());
            if (left.isEmpty()) {
                figures.relayed(sent, 0);
                Events.shutdownRelayed(event, "SIG" + name, sent, 0);
                Log.info("relayed stop " + Log.fields("signal", "SIG" + name, "processes", sent, "killed", 0, "took_ms", millis(started)));
                return;
            }
            int kills = signalAll(SIGKILL);
            left = awaitEnd(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
            figures.relayed(sent, kills);
            Events.shutdownRelayed(event, "SIG" + name, sent, kills);
            Log.info("relayed stop " + Log.fields("signal", "SIG" + name, "processes", sent, "killed", kills, "took_ms", millis(started)));
            Log.warn("SIG" + name + " relayed to " + sent + " processes; " + kills + " still running after stop-timeout ("
                    + options.stopTimeout().toMillis() + " ms) were killed" + (left.isEmpty() ? "" : ", " + left.size() + " survived SIGKILL"));
        } catch (IOException | RuntimeException e) {
            Log.warn("could not stop the JVM's descendants (" + e + ")");
        }
    }

    /** Signals every running descendant, looking again until no new one appears. Returns how many were signalled. */
    private int signalAll(int signal) throws IOException {
        Set<Long> tried = new HashSet<>();
        int signalled = 0;
        for (int round = 0; round < 100; round++) {
            List<Stat> fresh = new ArrayList<>();
            for (Stat process : ProcessTree.running(self)) {
                if (tried.add(process.pid())) {
                    fresh.add(process);
                }
            }
            if (fresh.isEmpty()) {
                break;
            }
            for (Stat process : fresh) {
                if (signaller.send(process, signal)) {
                    signalled++;
                    Log.debug("sent signal " + signal + " to " + process.pid() + " (" + process.command() + ")");
                }
            }
        }
        return signalled;
    }

    /** Waits until no descendant is running, or the deadline; returns those still running. */
    private List<Stat> awaitEnd(long deadline) throws IOException {
        List<Stat> running = ProcessTree.running(self);
        while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
            running = ProcessTree.running(self);
        }
        return running;
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
