package dev.reaper.boot;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.options.OptionsException;
import dev.reaper.spi.Core;
import dev.reaper.spi.Core.Launch;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code Premain-Class} and {@code Agent-Class} reach them through {@link
 * Entry} (which checks the Java version first); an executable jar names this class as its {@code
 * Launcher-Agent-Class}.
 *
 * <p>The JVM loads it through the application's class loader, so it touches nothing global. On the
 * calling thread it only reads the options (a malformed one must stop the JVM before main runs),
 * guards against a second load, and takes the shutdown signals and the JVM's exit ({@link
 * Stopping}, {@link ShutdownSignals}), so that a signal any time after premain is the agent's. The
 * core runs in a class loader of its own ({@link AgentLoader}), started on the agent's thread.
 */
public final class ReaperAgent {
    /**
     * The agent's thread while it starts; the reaping thread is named "reaper" once reaping is
     * armed (see Core#start).
     */
    static final String STARTING = "reaper-starting";

    private static final Object LOCK = new Object();

    /** The agent running in this JVM, once loaded. */
    private static CoreHandle loaded;

    private ReaperAgent() {}

    /** {@code -javaagent:reaper.jar[=OPTIONS]}, also from JAVA_TOOL_OPTIONS (through Entry). */
    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, Launch.PREMAIN);
    }

    /** {@code Launcher-Agent-Class} of an executable jar: on its main thread, before its main. */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, Launch.LAUNCHER);
    }

    /**
     * {@code Agent-Class}: dynamic attach to a running JVM (through Entry), on its Attach Listener
     * thread.
     */
    public static void attach(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, Launch.ATTACH);
    }

    private static void start(String arguments, Instrumentation instrumentation, Launch launch) {
        Options options;
        try {
            options = Options.parse(System.getenv("REAPER_OPTIONS"), arguments);
        } catch (OptionsException e) {
            if (launch.atStartup()) {
                Options.refuseToStart(e.getMessage());
            }
            // Attached: a running JVM is never stopped, and an exception here would print a stack
            // trace in its log.
            Log.warn("not attached: " + e.getMessage());
            return;
        }
        CoreHandle core = new CoreHandle(options, instrumentation, launch);
        CoreHandle running;
        synchronized (LOCK) {
            running = loaded;
            if (running == null) {
                loaded = core;
            }
        }
        if (running != null) {
            loadedAgain(running, options, launch);
            return;
        }
        Log.setLevel(options.log());
        if (!options.enabled()) {
            Log.info("disabled (enabled=false): nothing is reaped or relayed");
            return;
        }
        Stopping stopping = new Stopping(options, core, Stopping.mainProcess());
        core.stopping = stopping;
        // Both here, on the calling thread, not once the core runs: a shutdown signal that arrives
        // any time after premain, and an exit in the JVM's first moments, are the agent's.
        Runtime.getRuntime().addShutdownHook(new Thread(stopping.exitHook(), "reaper shutdown"));
        core.signalHandlers = ShutdownSignals.install(stopping);
        if (options.strict() && launch.atStartup()) {
            // on the main thread: with strict=true, a problem must stop the JVM before main runs
            core.run();
        } else {
            Thread thread = new Thread(core, STARTING);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Loaded a second time (two -javaagent, or -javaagent and an attach): nothing changes, but for
     * one thing an operator may ask of a running agent, by attaching again: another grace period
     * (attach PID grace=0s reaps at once the zombies that wait out theirs).
     */
    private static void loadedAgain(CoreHandle running, Options options, Launch launch) {
        Core core = running.now();
        if (launch == Launch.ATTACH
                && core != null
                && !options.grace().equals(running.options.grace())) {
            running.options = running.options.withGrace(options.grace());
            core.grace(options.grace());
            return;
        }
        Log.info("already running in this JVM; loading it again does nothing");
    }

    /**
     * Makes the core's class loader, and starts the core in it. (A class, not a lambda: see
     * AgentLoader.)
     */
    static final class CoreHandle implements Runnable {
        /**
         * How long a stop waits for the core to be loaded, without which it cannot stop anything.
         */
        private static final long LOAD_WAIT_MILLIS = 10_000;

        private volatile Options options;
        private final Instrumentation instrumentation;
        private final Launch launch;
        private Stopping stopping;
        private boolean signalHandlers;
        private Core core;
        private boolean failed;

        CoreHandle(Options options, Instrumentation instrumentation, Launch launch) {
            this.options = options;
            this.instrumentation = instrumentation;
            this.launch = launch;
        }

        @Override
        public void run() {
            Core loading;
            AgentLoader jar;
            ClassLoader loader;
            ClassLoader boot = ReaperAgent.class.getClassLoader();
            try {
                jar = new AgentLoader(ReaperAgent.class);
                loader = jar.coreLoader(boot);
                loading =
                        loader.loadClass(Core.IMPLEMENTATION)
                                .asSubclass(Core.class)
                                .getConstructor()
                                .newInstance();
            } catch (Exception | LinkageError e) {
                cannotStart(e);
                return;
            }
            synchronized (this) {
                core = loading;
                notifyAll();
            }
            try {
                loading.start(
                        options, instrumentation, launch, stopping.afterHooks(), signalHandlers);
                jar.loadEveryClass(loader, boot);
            } catch (RuntimeException | LinkageError e) {
                cannotStart(e);
            }
        }

        /**
         * The core, once loaded; null if it could not be, or not within {@value #LOAD_WAIT_MILLIS}
         * ms.
         */
        synchronized Core await() throws InterruptedException {
            long deadline = System.nanoTime() + LOAD_WAIT_MILLIS * 1_000_000L;
            while (core == null && !failed && System.nanoTime() - deadline < 0) {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            }
            return core;
        }

        /** The core if it is loaded by now, else null. */
        synchronized Core now() {
            return core;
        }

        private void cannotStart(Throwable problem) {
            synchronized (this) {
                failed = true;
                notifyAll();
            }
            String message = "could not start (" + problem + "): nothing is reaped";
            if (options.strict() && launch.atStartup()) {
                Options.refuseToStart(message + " (strict=true)");
            }
            Log.warn(message);
        }
    }
}
