package dev.reaper.boot;

import dev.reaper.options.Options.LogLevel;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The handlers of the JVM's shutdown signals (TERM, INT, HUP), installed on the main thread in
 * premain, so that a signal arriving any time after premain is relayed and exit-remapped. Each runs
 * the stop ({@link Stopping#signal}), then hands the signal to the JVM's own handler, or exits with
 * the status exit-remap names.
 */
final class ShutdownSignals {
    private static final String[] NAMES = {"TERM", "INT", "HUP"};

    private ShutdownSignals() {}

    /**
     * Returns false if the JVM refuses the handlers (-Xrs) or has no sun.misc.Signal (a jlinked
     * runtime without jdk.unsupported); the agent says so once it has started.
     */
    static boolean install(Stopping stopping) {
        try {
            for (String name : NAMES) {
                Handler ours = new Handler(stopping);
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, ours);
                if (previous == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN); // ignored on purpose (nohup): leave it so
                } else {
                    ours.previous = previous;
                }
            }
            return true;
        } catch (IllegalArgumentException | LinkageError refused) {
            return false;
        }
    }

    /** (A class, not a lambda: see AgentLayer.) */
    private static final class Handler implements SignalHandler {
        private final Stopping stopping;
        private volatile SignalHandler previous;

        Handler(Stopping stopping) {
            this.stopping = stopping;
        }

        @Override
        public void handle(Signal signal) {
            int number = signal.getNumber();
            try {
                stopping.signal(signal.getName(), number);
            } catch (Throwable e) { // even an OutOfMemoryError: the JVM must still end as the signal asks
                ReaperAgent.log(stopping.options(), LogLevel.WARN, "could not relay SIG" + signal.getName() + " (" + e + "); the JVM ends anyway");
            } finally {
                end(signal, number);
            }
        }

        private void end(Signal signal, int number) {
            Integer remapped = stopping.options().exitRemap().get(128 + number);
            SignalHandler next = previous;
            if (remapped != null) {
                Runtime.getRuntime().exit(remapped);
            } else if (next != null && next != SignalHandler.SIG_DFL) {
                next.handle(signal); // the JVM's own: exit with 128 + signal, shutdown hooks run
            } else {
                Runtime.getRuntime().exit(128 + number);
            }
        }
    }
}
