package dev.reaper.reap;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Wakes the reaper on SIGCHLD where nothing else would: while the JVM has no child, while a zombie
 * waits out its grace, and always where the kernel cannot wait for a child's exit (see
 * Reaper#awaitExit). HotSpot runs each delivered signal's handler on a new Java thread, about 0.3
 * ms of CPU, which in an orphan storm would double the work; while the JVM has children, waitid
 * wakes the reaper anyway.
 *
 * <p>The JDK resets SIGCHLD to SIG_DFL when it initialises {@code java.lang.ProcessImpl}, so that
 * class is initialised before the handler is first installed. An application's own SIGCHLD handler
 * keeps running: ours calls it, and it is put back whenever ours is taken away.
 */
final class ChildSignal {
    private final Signal chld = new Signal("CHLD");
    private final Handler handler;
    private SignalHandler previous;

    ChildSignal(Reaper reaper) {
        this.handler = new Handler(reaper);
    }

    void arm() {
        if (previous == null) {
            initialiseProcessImpl();
        }
        SignalHandler before = Signal.handle(chld, handler);
        if (before != handler) {
            previous = before;
        }
    }

    /**
     * Puts back what was there before; or, if the application installed a handler of its own
     * meanwhile, that one.
     */
    void disarm() {
        SignalHandler current = Signal.handle(chld, previous);
        if (current != handler) {
            Signal.handle(chld, current);
            previous = current;
        }
    }

    private static void initialiseProcessImpl() {
        try {
            Class.forName("java.lang.ProcessImpl", true, null);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Wakes the reaper, then runs the application's own SIGCHLD handler if it had one. (A class,
     * not a lambda: see dev.reaper.boot.AgentLoader.)
     */
    private final class Handler implements SignalHandler {
        private final Reaper reaper;

        Handler(Reaper reaper) {
            this.reaper = reaper;
        }

        @Override
        public void handle(Signal signal) {
            reaper.wake();
            SignalHandler next = previous;
            if (next != SignalHandler.SIG_DFL && next != SignalHandler.SIG_IGN && next != null) {
                try {
                    next.handle(signal);
                } catch (UnsupportedOperationException nativeHandler) {
                    // a handler installed natively cannot be called from Java: it runs again once
                    // ours is taken away
                }
            }
        }
    }
}
