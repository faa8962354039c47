package dev.reaper.reap;

import static dev.reaper.linux.LibC.SIGACTION_LONGS;
import static dev.reaper.linux.LibC.SIG_DFL;

import dev.reaper.linux.LibC;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Wakes the reaper on SIGCHLD.
 *
 * <p>HotSpot runs a Java signal handler on a new thread per delivered signal, and the kernel merges
 * pending SIGCHLDs, so the handler only wakes the reaper, which then drains every zombie it finds.
 * The JDK resets SIGCHLD to SIG_DFL when it initialises {@code java.lang.ProcessImpl}, so that class
 * is initialised first; and since native code may reset it too, the reaper checks the disposition on
 * every sweep and installs the handler again if it finds SIG_DFL.
 */
final class ChildSignal {
    private final Signal chld = new Signal("CHLD");
    private final Handler handler;
    private volatile SignalHandler chained;
    private final long[] action = new long[SIGACTION_LONGS];

    ChildSignal(Reaper reaper) {
        this.handler = new Handler(reaper);
    }

    /** Wakes the reaper, then runs the application's own SIGCHLD handler if it had one. (A class, not a lambda: see AgentLayer.) */
    private final class Handler implements SignalHandler {
        private final Reaper reaper;

        Handler(Reaper reaper) {
            this.reaper = reaper;
        }

        @Override
        public void handle(Signal signal) {
            reaper.wake();
            SignalHandler next = chained;
            if (next != null) {
                next.handle(signal);
            }
        }
    }

    void install() throws ClassNotFoundException {
        Class.forName("java.lang.ProcessImpl", true, null);
        SignalHandler previous = Signal.handle(chld, handler);
        if (previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN && previous != handler) {
            chained = previous; // the application's own SIGCHLD handler still runs, after ours
        }
    }

    /** Installs the handler again if something reset SIGCHLD to SIG_DFL; true if it did. */
    boolean reinstallIfReset() {
        if (LibC.sigaction(chld.getNumber(), null, action) == 0 && action[0] == SIG_DFL) {
            Signal.handle(chld, handler);
            return true;
        }
        return false;
    }
}
