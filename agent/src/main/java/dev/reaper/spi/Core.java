package dev.reaper.spi;

import dev.reaper.options.Options;
import java.lang.instrument.Instrumentation;
import java.time.Duration;

/**
 * Where the boot side (loaded by the application's class loader, from premain, with nothing but
 * java.base) meets the agent's core (in a class loader of its own, apart from the application's
 * classes: see {@code dev.reaper.boot.AgentLoader}). This package, the options and the /proc reader
 * are the boot side's classes, which the core's class loader takes from the boot side's loader, so
 * the two share these types. The boot side names one class of the core, {@link #IMPLEMENTATION}.
 */
public interface Core {
    /** The class that implements this interface in the agent's class loader. */
    String IMPLEMENTATION = "dev.reaper.agent.Agent";

    /** How the agent was loaded. */
    enum Launch {
        /** {@code -javaagent}, also from JAVA_TOOL_OPTIONS: before the application's main. */
        PREMAIN,
        /** {@code Launcher-Agent-Class} of an executable jar: before its main, too. */
        LAUNCHER,
        /** Attached to a running JVM: its main thread is long gone, and it is never stopped. */
        ATTACH;

        /** Before the application's main: with strict=true a problem then stops the JVM. */
        public boolean atStartup() {
            return this != ATTACH;
        }
    }

    /**
     * Probes the environment, starts reaping (through the JDK's own means at first, on a thread of
     * its own, named "reaper" once reaping is armed), then loads the native calls and hands the
     * reaping over to them. Returns when all that is done, on the calling thread. A problem is said
     * once, and the application runs on; with strict=true before main, the JVM stops instead.
     *
     * @param afterShutdownHooks run once every application shutdown hook has finished, before the
     *     JVM halts, if this JVM lets the agent have such a hook (see {@link
     *     #runsAfterShutdownHooks})
     * @param signalHandlers whether the JVM took the boot side's shutdown signal handlers: false
     *     under -Xrs (no Java signal handler runs then) or without module jdk.unsupported
     */
    void start(
            Options options,
            Instrumentation instrumentation,
            Launch launch,
            Runnable afterShutdownHooks,
            boolean signalHandlers);

    /**
     * Whether start's {@code afterShutdownHooks} will run; waits until start has tried to register
     * it.
     */
    boolean runsAfterShutdownHooks() throws InterruptedException;

    /**
     * Relays a stop to the JVM's descendants: signal, wait, SIGKILL (README, the shutdown
     * sequence). Returns when it is over.
     */
    void relay(Stop stop);

    /**
     * A new grace period for the zombies that may be the JVM's own, those waiting out theirs
     * included: a second attach to a JVM where the agent runs ({@code attach PID grace=0s}).
     */
    void grace(Duration grace);

    /**
     * The JVM is stopping: the agent's threads keep out of native calls that would hold its exit
     * up.
     */
    void stopping();
}
