package dev.reaper.agent;

import static dev.reaper.linux.LibC.PR_SET_CHILD_SUBREAPER;

import dev.reaper.agent.Capabilities.Natives;
import dev.reaper.linux.JdkKernel;
import dev.reaper.linux.Jvmti;
import dev.reaper.linux.Kernel;
import dev.reaper.linux.LibC;
import dev.reaper.linux.NativeKernel;
import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.proc.Proc;
import dev.reaper.reap.JdkChildren;
import dev.reaper.reap.OwnedChildren;
import dev.reaper.reap.Reaper;
import dev.reaper.reap.ThreadEndWatch;
import dev.reaper.relay.ShutdownRelay;
import dev.reaper.report.AgentProperties;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import dev.reaper.report.JmxExport;
import dev.reaper.report.Version;
import dev.reaper.spi.Core.Launch;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's start, in the order it happens, as tini's main: open what the agent needs of the JDK,
 * take the moment after the shutdown hooks, probe what this JVM offers (one {@link Capabilities}),
 * wire the agent from it and start reaping through the JDK's own means, then load the native calls
 * (JNA), become a subreaper, hand the reaping over to them, and watch the JVM's threads end. A
 * problem in the environment gives one warning saying what is lost and how to fix it, and the
 * application runs on; with strict=true before main the JVM refuses to start instead.
 */
final class Startup {
    /**
     * The JVMTI slots the JDK leaves free for system shutdown hooks after the application's (1) and
     * DeleteOnExit (2).
     */
    private static final int LAST_HOOK_SLOT = 9;

    private static final int FIRST_FREE_HOOK_SLOT = 3;

    private final Options options;
    private final Instrumentation instrumentation;
    private final Launch launch;
    private final boolean signalHandlers;
    private String lastProblem = "unknown";

    Startup(
            Options options,
            Instrumentation instrumentation,
            Launch launch,
            boolean signalHandlers) {
        this.options = options;
        this.instrumentation = instrumentation;
        this.launch = launch;
        this.signalHandlers = signalHandlers;
    }

    /** The agent once wired: what the boot side's stop needs, and what the handover changes. */
    record Wired(Reaper reaper, ShutdownRelay relay, Figures figures, OwnedChildren owned) {}

    /**
     * Runs the start; {@code wired} hears of the agent as soon as it is wired, before the native
     * calls.
     */
    void run(Runnable afterShutdownHooks, Agent wired) {
        long began = System.nanoTime();
        openJdkInternals();
        Capabilities caps = probe();
        if (caps.cannotReap() != null) {
            beyondReaping(afterShutdownHooks, wired);
            fail(caps.cannotReap());
            return;
        }
        Wired agent = wire(caps);
        wired.wired(agent);
        boolean reaping = caps.jdkKernel() != null && launch.atStartup();
        if (reaping) {
            // ready: reaping and the relay armed, through the JDK's own means
            startReaping(agent.reaper());
        }
        beyondReaping(afterShutdownHooks, wired);
        caps = caps.with(loadNatives(caps));
        Kernel kernel = kernelOf(caps);
        if (kernel == null) {
            fail(
                    "JNA cannot load its native library ("
                            + caps.natives().jnaFailed()
                            + "), nor can the JDK's own waitpid be reached ("
                            + caps.jdkKernelMissing()
                            + "): nothing is reaped; give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
            return;
        }
        if (kernel != caps.jdkKernel()) {
            agent.reaper().handOver(kernel);
            agent.relay().handOver(kernel);
        }
        agent.figures().role(caps.natives().role());
        sayWhatIsLost(caps);
        Log.debug(
                "started in "
                        + (System.nanoTime() - began) / 1_000_000
                        + " ms: "
                        + caps.natives().role()
                        + ", pidfds "
                        + (caps.natives().pidfdsRefused() == null
                                && caps.natives().kernel() != null)
                        + ", SIGCHLD handler "
                        + (caps.signalsLost() == null)
                        + ", "
                        + options);
        if (caps.natives().kernel() != null) {
            watchThreadsEnd(agent);
        }
        if (!launch.atStartup()) {
            recordEarlierChildren(agent, kernel);
        }
        if (!reaping) {
            // attached: only now, once the children of threads that ended before the agent came are
            // known as the JVM's own (see watchThreadsEnd); or the JDK's waitpid could not be
            // reached
            startReaping(agent.reaper());
        }
        if (options.jmx() != Options.Jmx.FALSE) {
            openManagement();
        }
        // a class, not a lambda: see dev.reaper.boot.AgentLoader
        JmxExport.start(
                options.jmx(),
                agent.figures(),
                new IntSupplier() {
                    @Override
                    public int getAsInt() {
                        return agent.reaper().adoptedNow();
                    }
                });
        // if JFR runs, its event classes initialised now, not at the first reap of a storm (tens of
        // ms)
        Events.wantZombies();
        AgentProperties.state("running");
    }

    /**
     * What reaping does not need, done once it runs (each costs the start milliseconds, on JDK 18+
     * tens of them: a first Method.invoke spins method-handle classes, JEP 416): the hook after the
     * shutdown hooks (a stop that comes first waits for it, see Agent#runsAfterShutdownHooks), and
     * the agent properties, which the attach client reads.
     */
    private void beyondReaping(Runnable afterShutdownHooks, Agent wired) {
        wired.afterShutdownHooks(runAfterShutdownHooks(afterShutdownHooks));
        AgentProperties.open();
        AgentProperties.state("starting");
    }

    /**
     * Opens java.lang to the agent's module alone (to read the JDK's table of children and reach
     * its waitpid, and its system shutdown hooks) and exports the one JDK internal it reads (the
     * agent properties). The application gains nothing.
     */
    private void openJdkInternals() {
        Module self = Startup.class.getModule();
        instrumentation.redefineModule(
                Object.class.getModule(),
                Set.of(),
                Map.of("jdk.internal.vm", Set.of(self)),
                Map.of("java.lang", Set.of(self)),
                Set.of(),
                Map.of());
    }

    /**
     * Opens java.lang.management to the agent's module, for JmxExport: once reaping runs, and only
     * if the MBean may be registered.
     */
    private void openManagement() {
        Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
        if (management != null) {
            instrumentation.redefineModule(
                    management,
                    Set.of(),
                    Map.of(),
                    Map.of("java.lang.management", Set.of(Startup.class.getModule())),
                    Set.of(),
                    Map.of());
        }
    }

    /**
     * Has {@code hook} run after every application shutdown hook: as a system shutdown hook in a
     * free slot after the application's hooks (slot 1) and DeleteOnExit (slot 2), through the JDK's
     * {@code java.lang.Shutdown.add} (what {@code JavaLangAccess.registerShutdownHook} calls: one
     * reflective call instead of two, each of which costs a JDK 18+ JVM milliseconds), even once
     * the JVM has begun to shut down. It does not run on Runtime.halt, nor while an application
     * hook hangs. False if this JDK does not let it.
     */
    private static boolean runAfterShutdownHooks(Runnable hook) {
        try {
            Method register =
                    Class.forName("java.lang.Shutdown")
                            .getDeclaredMethod("add", int.class, boolean.class, Runnable.class);
            register.setAccessible(true);
            for (int slot = LAST_HOOK_SLOT; slot >= FIRST_FREE_HOOK_SLOT; slot--) {
                try {
                    register.invoke(null, slot, true, hook);
                    return true;
                } catch (InvocationTargetException e) {
                    // taken: try the next; anything else: too late
                    if (!(e.getCause() instanceof IllegalArgumentException)) {
                        Log.debug("cannot run after the shutdown hooks: " + e.getCause());
                        return false;
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Log.debug("cannot run after the shutdown hooks: " + e);
        }
        return false;
    }

    /** What this JVM offers, before JNA: each problem said once. */
    private Capabilities probe() {
        String os = System.getProperty("os.name");
        if (!"Linux".equals(os)) {
            return Capabilities.nothingReaped(
                    -1, "this is " + os + ", not Linux: nothing is reaped");
        }
        long self;
        long seen;
        try {
            // the pid and /proc's view of it from /proc/self/status, not ProcessHandle.current(),
            // whose first use initialises the JDK's process machinery (its reaper thread pool): 10
            // to 15 ms
            long[] pids = Proc.selfNamespacePids();
            self = pids != null ? pids[pids.length - 1] : ProcessHandle.current().pid();
            seen = pids != null ? pids[0] : Proc.self();
        } catch (IOException | RuntimeException e) {
            long pid = ProcessHandle.current().pid();
            return Capabilities.nothingReaped(
                    pid, "cannot read /proc (" + e + "): nothing is reaped; mount /proc");
        }
        String procMissing = checkProc(self, seen);
        if (procMissing != null) {
            return Capabilities.nothingReaped(self, procMissing);
        }
        JdkChildren jdk = JdkChildren.find();
        if (!jdk.known()) {
            problem(
                    "cannot read the JDK's table of its own children ("
                            + jdk.unknownBecause()
                            + "): orphans are reaped only after the grace period ("
                            + options.grace().toSeconds()
                            + "s)");
        }
        JdkKernel jdkKernel = null;
        String jdkKernelMissing = null;
        try {
            jdkKernel = JdkKernel.find(self);
        } catch (ReflectiveOperationException | RuntimeException e) {
            jdkKernelMissing = e.toString();
        }
        return new Capabilities(
                self,
                null,
                jdk,
                jdkKernel,
                jdkKernelMissing,
                signalsLost(),
                leaderRunsJava(),
                null);
    }

    /**
     * Null if /proc belongs to this pid namespace (it sees this JVM as {@code seen}) and has
     * children lists; else why nothing is reaped.
     */
    private static String checkProc(long self, long seen) {
        if (seen != self) {
            return "/proc belongs to another pid namespace (it sees this JVM as "
                    + seen
                    + ", not "
                    + self
                    + "): nothing is reaped; mount a /proc for this namespace (unshare --mount-proc, or a container engine)";
        }
        if (!Proc.hasChildrenLists(self)) {
            return "this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): nothing is reaped";
        }
        return null;
    }

    /**
     * Whether the JVM's first thread runs Java code: a JVM embedded by a custom launcher. The java
     * launcher runs none there; attached, the main thread is not at hand, so it is told by
     * sun.java.launcher (SUN_STANDARD: the java launcher).
     */
    private boolean leaderRunsJava() {
        if (!launch.atStartup()) {
            return !"SUN_STANDARD".equals(System.getProperty("sun.java.launcher"));
        }
        try {
            return Proc.threadSelf() == Proc.self();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * HotSpot runs Java signal handlers unless -Xrs; sun.misc.Signal needs module jdk.unsupported.
     * Null if they run, else what is lost.
     */
    private String signalsLost() {
        String lost =
                "shutdown signals reach the JVM alone (its descendants get SIGTERM only when it exits), and an orphan"
                        + " adopted while the JVM has no child of its own waits for the sweep (every "
                        + options.sweep().toMillis()
                        + " ms)";
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return "module jdk.unsupported is not in this JVM, so no Java signal handler can run: "
                    + lost
                    + "; add --add-modules jdk.unsupported";
        }
        // the JVM refused the boot side's handlers of TERM, INT and HUP: -Xrs
        if (!signalHandlers) {
            return "-Xrs stops HotSpot from running Java signal handlers: "
                    + lost
                    + "; remove -Xrs";
        }
        return null;
    }

    /**
     * The one wiring path: the agent's parts from what the probes found, on the best kernel there
     * is yet.
     */
    private Wired wire(Capabilities caps) {
        String role =
                caps.natives() != null
                        ? caps.natives().role()
                        : caps.self() == 1 ? "PID 1" : "not a subreaper";
        Figures figures = new Figures(Version.get(), options.toString(), role);
        // publishes them all
        figures.waiting(new long[0], new long[0], 0, options.grace().toMillis());
        OwnedChildren owned = new OwnedChildren(caps.self());
        Kernel kernel = caps.natives() != null ? kernelOf(caps) : caps.jdkKernel();
        Reaper reaper =
                new Reaper(
                        kernel,
                        caps.jdk(),
                        owned,
                        caps.orphansAtOnce(),
                        options.sweep(),
                        options.grace(),
                        caps.signalsLost() == null,
                        figures);
        // a class, not a lambda
        ShutdownRelay relay =
                new ShutdownRelay(
                        kernel,
                        caps.jdk(),
                        owned,
                        caps.orphansAtOnce(),
                        figures,
                        new Runnable() {
                            @Override
                            public void run() {
                                reaper.stopping();
                            }
                        },
                        options.stopTimeout());
        return new Wired(reaper, relay, figures, owned);
    }

    /** The reaping thread, named "reaper": its start is the moment the agent is ready. */
    private static void startReaping(Reaper reaper) {
        Thread thread = new Thread(reaper, "reaper");
        thread.setDaemon(true);
        thread.start();
    }

    private static Kernel kernelOf(Capabilities caps) {
        NativeKernel natives = caps.natives() == null ? null : caps.natives().kernel();
        return natives != null ? natives : caps.jdkKernel();
    }

    /** Loads JNA, becomes a subreaper, and tries pidfds. */
    private Natives loadNatives(Capabilities caps) {
        String jnaFailed = loadJna();
        String plain = caps.self() == 1 ? "PID 1" : "not a subreaper";
        if (jnaFailed != null) {
            return new Natives(null, jnaFailed, plain, null);
        }
        String role = becomeSubreaper(caps.self());
        String pidfdsRefused = NativeKernel.pidfdsRefused(caps.self());
        try {
            return new Natives(
                    new NativeKernel(caps.self(), pidfdsRefused == null),
                    null,
                    role,
                    pidfdsRefused);
        } catch (IOException e) {
            return new Natives(null, e.getMessage(), role, pidfdsRefused);
        }
    }

    /** Null once JNA works; else why it cannot load. */
    private static String loadJna() {
        enableNativeAccess();
        // JNA logs its own failures, stack traces included, through java.util.logging: hush it
        // while it loads, so that a failure reads as the one warning below. The application's own
        // JNA logs the same name.
        Logger jnaLog = Logger.getLogger("com.sun.jna.Native");
        Level level = jnaLog.getLevel();
        jnaLog.setLevel(Level.OFF);
        try {
            LibC.getpid();
            return null;
        } catch (LinkageError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return firstLine(cause);
        } finally {
            jnaLog.setLevel(level);
        }
    }

    /**
     * JDK 24+ warns when a module without native access loads a library. From JDK 24 on JNA is a
     * named module of its own (see dev.reaper.boot.AgentLoader): grant it native access, it alone,
     * before it loads its library, by the JDK's private method, which (unlike the public one) warns
     * nothing. Loading a class (a class literal) does not initialise it: JNA's Native has not run
     * yet.
     */
    private static void enableNativeAccess() {
        Module jna = com.sun.jna.Native.class.getModule();
        if (!jna.isNamed()) {
            return; // before JDK 24: nothing to grant
        }
        try {
            Method grant = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
            grant.setAccessible(true);
            grant.invoke(jna);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug("could not grant native access to JNA: " + e);
        }
    }

    /** Returns how orphans reach this JVM. */
    private String becomeSubreaper(long self) {
        if (self == 1) {
            return "PID 1";
        }
        if (!options.subreaper()) {
            Log.warn(
                    "neither PID 1 nor a child subreaper (subreaper=false): orphans of this JVM's descendants go to"
                            + " another process, and only this JVM's own children are reaped; remove subreaper=false or run the JVM as PID 1");
            return "not a subreaper";
        }
        if (LibC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            problem(
                    "prctl(PR_SET_CHILD_SUBREAPER) failed ("
                            + LibC.error(LibC.errno())
                            + "): orphans of this JVM's descendants"
                            + " go to another process, and only this JVM's own children are reaped; run the JVM as PID 1");
            return "not a subreaper";
        }
        return "child subreaper";
    }

    /** Each problem the probes found and have not said yet, once. */
    private void sayWhatIsLost(Capabilities caps) {
        Natives natives = caps.natives();
        if (natives.kernel() == null) {
            List<String> lost = new ArrayList<>();
            if (caps.self() != 1 && options.subreaper()) {
                lost.add(
                        "it cannot become a subreaper (prctl), so orphans of its descendants go to another process");
            }
            lost.add(
                    "a child that native code started from a thread that has ended since may be taken for an orphan (no JVMTI"
                            + " ThreadEnd watch), and its exit status lost to its starter");
            lost.add("SIGINT and SIGHUP reach the descendants as SIGTERM");
            lost.add("pids are checked by start time, not pinned by a pidfd");
            if (!caps.jdk().known()) {
                lost.add(
                        "orphans are reaped only after the grace period ("
                                + options.grace().toSeconds()
                                + "s), as the JDK's table of its"
                                + " own children cannot be read ("
                                + caps.jdk().unknownBecause()
                                + ")");
            }
            problem(
                    "JNA cannot load its native library ("
                            + natives.jnaFailed()
                            + "): reaping through the JDK's own calls and /proc instead; lost: "
                            + String.join("; ", lost)
                            + "; give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
        } else if (natives.pidfdsRefused() != null) {
            Log.warn(
                    "no pidfds here ("
                            + natives.pidfdsRefused()
                            + "; Linux before 5.4, or a seccomp profile): each process is checked by its"
                            + " start time just before it is reaped or signalled, instead of being pinned by a pidfd");
        }
        if (caps.signalsLost() != null) {
            problem(caps.signalsLost());
        }
    }

    /**
     * Records each ending thread's children before the kernel moves them to the leader thread's
     * list, where orphans are reaped at once (see OwnedChildren). A thread that ended before this
     * ran (in the agent's first tenths of a second; attached, in the JVM's whole life until then)
     * left its children there unrecorded: attached, those that started after the JVM get the grace;
     * at start-up they are taken for orphans, a window the README states. JVMTI is there only once
     * premain has returned: on the main thread (strict=true), this goes on on a thread of its own.
     */
    private void watchThreadsEnd(Wired agent) {
        Runnable watch = new Runnable() { // a class, not a lambda: see dev.reaper.boot.AgentLoader
                    @Override
                    public void run() {
                        try {
                            Jvmti.onThreadEnd(new ThreadEndWatch(agent.owned()));
                        } catch (IOException | RuntimeException | LinkageError e) {
                            Log.warn(
                                    "cannot watch the JVM's threads end ("
                                            + e.getMessage()
                                            + "): a child that native code started from a thread"
                                            + " that has ended since may be taken for an orphan, and its exit status lost to its starter");
                        }
                    }
                };
        if (options.strict() && launch.atStartup()) {
            Thread thread = new Thread(watch, "reaper-starting");
            thread.setDaemon(true);
            thread.start();
        } else {
            watch.run();
        }
    }

    /**
     * Attached to a running JVM, once the ThreadEnd watch runs (so that no thread's end falls
     * between the two): the children already on the leader's list that the JVM may have started,
     * from threads that ended before the agent came, are recorded as its own (see OwnedChildren).
     */
    private static void recordEarlierChildren(Wired agent, Kernel kernel) {
        try {
            agent.owned().recordEarlierChildren(kernel);
        } catch (IOException | RuntimeException e) {
            Log.warn(
                    "cannot read the children the JVM had before the agent came ("
                            + e
                            + "): those it started may be taken for orphans");
        }
    }

    /** Says what is lost; with strict=true at start-up, stops the JVM instead. */
    private void problem(String message) {
        lastProblem = message;
        if (options.strict() && launch.atStartup()) {
            Options.refuseToStart(message + " (strict=true)");
        }
        Log.warn(message);
    }

    /** Nothing can be reaped here: says why, once. */
    private void fail(String why) {
        problem(why);
        AgentProperties.state("failed: " + lastProblem);
    }

    private static String firstLine(Throwable t) {
        String text = String.valueOf(t.getMessage());
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
