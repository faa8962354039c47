package dev.reaper.boot;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The handlers of the JVM's shutdown signals (TERM, INT, HUP), installed on the main thread in
 * premain, so that a signal arriving any time after premain is relayed and exit-remapped. Each
 * hands the signal to {@link Stopping#signal}, then to the JVM's own handler, or exits with the
 * status exit-remap names.
 */
final class ShutdownSignals {
    private ShutdownSignals() {}

    /**
     * Returns false if the JVM refuses the handlers (-Xrs) or has no sun.misc.Signal (a jlinked
     * runtime without jdk.unsupported); the core says so once it has started.
     */
    static boolean install(Stopping stopping) {
        try {
            for (dev.reaper.proc.Signal shutdown : Options.SHUTDOWN_SIGNALS) {
                Handler ours = new Handler(stopping, shutdown);
                Signal signal = new Signal(shutdown.name());
                SignalHandler previous = Signal.handle(signal, ours);
                if (previous == SignalHandler.SIG_IGN) {
                    // ignored on purpose (nohup): leave it so
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                } else {
                    ours.previous = previous;
                }
            }
            return true;
        } catch (IllegalArgumentException | LinkageError refused) {
            return false;
        }
    }

    /** (A class, not a lambda: see AgentLoader.) */
    private static final class Handler implements SignalHandler {
        private final Stopping stopping;
        private final dev.reaper.proc.Signal shutdown;
        private volatile SignalHandler previous;

        Handler(Stopping stopping, dev.reaper.proc.Signal shutdown) {
            this.stopping = stopping;
            this.shutdown = shutdown;
        }

        @Override
        public void handle(Signal signal) {
            try {
                stopping.signal(shutdown);
                // even an OutOfMemoryError: the JVM must still end as the signal asks
            } catch (Throwable e) {
                Log.warn("could not relay SIG" + shutdown + " (" + e + "); the JVM ends anyway");
            } finally {
                end(signal);
            }
        }

        private void end(Signal signal) {
            Integer remapped = stopping.options().exitRemap().get(shutdown.exitStatus());
            SignalHandler next = previous;
            if (remapped != null) {
                Runtime.getRuntime().exit(remapped);
            } else if (next != null && next != SignalHandler.SIG_DFL) {
                next.handle(signal); // the JVM's own: exit with 128 + signal, shutdown hooks run
            } else {
                Runtime.getRuntime().exit(shutdown.exitStatus());
            }
        }
    }
}
