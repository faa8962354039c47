package dev.reaper.agent;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.options.OptionsException;
import dev.reaper.relay.ShutdownRelay;
import dev.reaper.report.AgentProperties;
import java.lang.instrument.Instrumentation;

/**
 * The agent inside its own class loader (see {@code dev.reaper.boot.AgentLayer}). {@code dev.reaper.boot.ReaperAgent} has checked the options
 * and calls {@link #prepare} once per JVM, and {@link #stop} and {@link #stopping} when the JVM stops,
 * by reflection.
 */
public final class Agent {
    private static volatile ShutdownRelay relay;

    private Agent() {}

    /**
     * Checks the environment and prepares the reaper.
     *
     * @param atStartup true before the application's main: with strict=true a problem then stops the
     *                  JVM. False when attached to a running JVM, which is never stopped.
     * @return the reaper's loop, for the caller to run on a daemon thread; null if the agent cannot
     *         run here (it has said why)
     */
    public static Runnable prepare(String arguments, Instrumentation instrumentation, boolean atStartup) {
        Options options;
        try {
            options = Options.parse(System.getenv("REAPER_OPTIONS"), arguments);
        } catch (OptionsException e) {
            throw new IllegalArgumentException(e.getMessage()); // the boot class checked them already
        }
        Log.setLevel(options.log());
        Startup startup = new Startup(options, instrumentation, atStartup);
        Runnable reaper = startup.prepare();
        relay = startup.relay();
        AgentProperties.state(reaper != null ? "running" : "failed: " + startup.lastProblem());
        return reaper == null ? null : startup.reaperThread(reaper);
    }

    /**
     * Runs the shutdown sequence (README, "The shutdown sequence"); called by the boot class on a
     * shutdown signal or a normal exit. Before the agent is prepared (its native calls not ready, or
     * never to be), through the JDK's own means.
     *
     * @param began     when the stop began, in clock ticks since boot
     * @param wholeTree every descendant (a container's main process), or only those still attached to the JVM
     */
    public static void stop(String arguments, String name, int signal, long began, boolean wholeTree) throws Exception {
        ShutdownRelay stopping = relay;
        if (stopping == null) {
            Options options;
            try {
                options = Options.parse(System.getenv("REAPER_OPTIONS"), arguments);
            } catch (OptionsException e) {
                throw new IllegalArgumentException(e.getMessage()); // the boot class checked them already
            }
            stopping = ShutdownRelay.withoutNatives(options);
        }
        stopping.stop(name, signal, began, wholeTree);
    }

    /** The JVM is stopping, whether or not the agent stops anything: see {@link ShutdownRelay#whenStopping}. */
    public static void stopping() {
        ShutdownRelay stopping = relay;
        if (stopping != null) {
            stopping.stopping();
        }
    }
}
