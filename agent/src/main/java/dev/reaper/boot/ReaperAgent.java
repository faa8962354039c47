package dev.reaper.boot;

import dev.reaper.options.Options;
import dev.reaper.options.Options.LogLevel;
import dev.reaper.options.OptionsException;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The class the manifest names ({@code Premain-Class}, {@code Agent-Class}, {@code Launcher-Agent-Class}).
 *
 * <p>The JVM loads it through the application's class loader, so it touches nothing global: on the
 * main thread it only checks the options (a malformed one must stop the JVM before main runs),
 * guards against a second load, and takes the shutdown signals and the JVM's exit ({@link Stopping},
 * {@link ShutdownSignals}). The agent itself runs in its own class loader ({@link AgentLayer}),
 * apart from the application's classes, made on the agent's thread.
 */
public final class ReaperAgent {
    /** The agent's thread is named so while it starts, then {@link #RUNNING} (thread dumps, /proc/PID/task/TID/comm). */
    public static final String STARTING = "reaper-starting";
    public static final String RUNNING = "reaper";
    private static final Object LOCK = new Object();
    /** How long a stop waits for the native calls before it goes on with the JDK's means. */
    private static final long NATIVES_WAIT_MILLIS = 1000;
    /** How long a stop waits for the agent's layer, without which it cannot stop anything. */
    private static final long LAYER_WAIT_SECONDS = 10;
    private static Options loaded;

    private ReaperAgent() {}

    /** {@code -javaagent:reaper.jar[=OPTIONS]}, also from JAVA_TOOL_OPTIONS. */
    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    /** Dynamic attach (on the Attach Listener thread), or Launcher-Agent-Class (on main, before main()). */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, !Thread.currentThread().getName().equals("Attach Listener"));
    }

    private static void start(String arguments, Instrumentation instrumentation, boolean atStartup) {
        Options options;
        try {
            options = Options.parse(System.getenv("REAPER_OPTIONS"), arguments);
        } catch (OptionsException e) {
            if (atStartup) {
                Options.refuseToStart(e.getMessage());
            }
            // Attached: a running JVM is never stopped, and an exception here would print a stack trace in its log.
            log(Options.DEFAULTS, LogLevel.WARN, "not attached: " + e.getMessage());
            return;
        }
        synchronized (LOCK) {
            if (loaded != null) {
                log(loaded, LogLevel.INFO, "already running in this JVM; loading it again does nothing");
                return;
            }
            loaded = options;
        }
        if (!options.enabled()) {
            log(options, LogLevel.INFO, "disabled (enabled=false): nothing is reaped or relayed");
            return;
        }
        Handover handover = new Handover(arguments, instrumentation, atStartup, options);
        // Both registered here, on the main thread, not when the agent is ready: a shutdown signal that
        // arrives any time after premain, and an exit in the JVM's first tenths of a second, are the agent's.
        Stopping stopping = new Stopping(options, handover, Stopping.mainProcess());
        Runtime.getRuntime().addShutdownHook(new Thread(stopping, "reaper shutdown"));
        try {
            ShutdownSignals.install(stopping);
        } catch (LinkageError noSunMiscSignal) {
            // a jlinked runtime without jdk.unsupported: the agent says so once it has started
        }
        if (options.strict() && atStartup) {
            handover.run(); // on the main thread: with strict=true, a problem must stop the JVM before main runs
        } else {
            daemon(handover, STARTING);
        }
    }

    /** Builds the layer, prepares the agent in it, and runs its reaper on the agent's own thread. */
    static final class Handover implements Runnable {
        private final String arguments;
        private final Instrumentation instrumentation;
        private final boolean atStartup;
        private final Options options;

        Handover(String arguments, Instrumentation instrumentation, boolean atStartup, Options options) {
            this.arguments = arguments;
            this.instrumentation = instrumentation;
            this.atStartup = atStartup;
            this.options = options;
        }

        /** Counted down once the agent's class is loaded in its layer (or that failed). */
        private final CountDownLatch layered = new CountDownLatch(1);
        /** Counted down once the agent is prepared: its native calls are ready (or it cannot run here). */
        private final CountDownLatch prepared = new CountDownLatch(1);
        private volatile Class<?> agent;

        @Override
        public void run() {
            Runnable reaper;
            try {
                AgentLayer layer;
                try {
                    layer = new AgentLayer(ReaperAgent.class);
                    agent = layer.agentLoader().loadClass("dev.reaper.agent.Agent");
                } finally {
                    layered.countDown();
                }
                reaper = (Runnable) agent.getMethod("prepare", String.class, Instrumentation.class, boolean.class)
                        .invoke(null, arguments, instrumentation, atStartup);
                if (reaper != null) {
                    layer.loadEveryClass(agent.getClassLoader());
                }
            } catch (InvocationTargetException e) {
                reaper = cannotStart(e.getCause());
            } catch (Exception | LinkageError e) {
                reaper = cannotStart(e);
            } finally {
                prepared.countDown();
            }
            if (reaper == null) {
                return;
            }
            if (Thread.currentThread().getName().equals(STARTING)) {
                Thread.currentThread().setName(RUNNING); // visible in /proc/PID/task/TID/comm: the agent is up
                reaper.run();
            } else {
                daemon(reaper, RUNNING);
            }
        }

        /**
         * Runs the stop in the agent's layer: with the native calls if they are ready within
         * {@value #NATIVES_WAIT_MILLIS} ms, else through the JDK's own means. Returns when the stop is over.
         *
         * @param began when the stop began, in clock ticks since boot: a process started then or later
         *              is left alone while the process that started it runs
         * @param wholeTree the JVM's whole tree (a main process), or only the descendants still attached to it
         */
        void stop(String name, int signal, long began, boolean wholeTree) throws Exception {
            if (!hasChildren()) {
                stopping();
                return; // nothing to stop, and no reason to wait for an agent still starting
            }
            prepared.await(NATIVES_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            layered.await(LAYER_WAIT_SECONDS, TimeUnit.SECONDS);
            Class<?> loaded = agent;
            if (loaded == null) {
                log(options, LogLevel.WARN, "could not stop the JVM's descendants: the agent did not start");
                return;
            }
            try {
                loaded.getMethod("stop", String.class, String.class, int.class, long.class, boolean.class)
                        .invoke(null, arguments, name, signal, began, wholeTree);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
        }

        /** Tells a prepared agent that the JVM is stopping, so that no thread of its own holds the JVM's exit up. */
        void stopping() throws Exception {
            Class<?> loaded = agent;
            if (loaded != null && prepared.getCount() == 0) {
                loaded.getMethod("stopping").invoke(null);
            }
        }

        private Runnable cannotStart(Throwable problem) {
            String message = "could not start (" + problem + "): nothing is reaped";
            if (options.strict() && atStartup) {
                Options.refuseToStart(message + " (strict=true)");
            }
            log(options, LogLevel.WARN, message);
            return null;
        }
    }

    /** Whether any thread of this JVM has a child, from /proc/self/task/TID/children. */
    static boolean hasChildren() throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readAllBytes(task.resolve("children")).length > 0) {
                        return true;
                    }
                } catch (NoSuchFileException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return false;
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    static void log(Options options, LogLevel level, String message) {
        if (options.log() != LogLevel.OFF && options.log().compareTo(level) >= 0) {
            System.getLogger("dev.reaper").log(level == LogLevel.WARN ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "reaper: " + message);
        }
    }
}
