package dev.reaper.agent;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.P_PIDFD;
import static dev.reaper.linux.LibC.PR_SET_CHILD_SUBREAPER;
import static dev.reaper.linux.LibC.SIGINFO_INTS;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;

import dev.reaper.linux.JdkProcessCalls;
import dev.reaper.linux.Jvmti;
import dev.reaper.linux.LibC;
import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.proc.Proc;
import dev.reaper.reap.FallbackReaper;
import dev.reaper.reap.JdkChildren;
import dev.reaper.reap.OwnedChildren;
import dev.reaper.reap.Reaper;
import dev.reaper.relay.ShutdownRelay;
import dev.reaper.report.AgentProperties;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import dev.reaper.report.JmxExport;
import dev.reaper.report.Version;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything between the options and the reaper's loop, in the order it happens: check the
 * platform, load the native calls, check /proc, become a subreaper, find the JDK's own children,
 * check that signal handlers can run, prepare the reaper, export the figures, install the shutdown relay. A problem in the environment gives one warning saying what is
 * lost and how to fix it, and the application runs on; with strict=true the JVM refuses to start.
 */
final class Startup {
    private final Options options;
    private final Instrumentation instrumentation;
    private final boolean atStartup;
    private final boolean leaderRunsJava;
    private ShutdownRelay relay;
    private OwnedChildren owned;
    private String lastProblem = "unknown";

    Startup(Options options, Instrumentation instrumentation, boolean atStartup) {
        this.options = options;
        this.instrumentation = instrumentation;
        this.atStartup = atStartup;
        // Attached, the main thread is not at hand: the java launcher (sun.java.launcher=SUN_STANDARD) never runs Java there.
        this.leaderRunsJava = atStartup ? onLeaderThread() : !"SUN_STANDARD".equals(System.getProperty("sun.java.launcher"));
    }

    /** The last problem said, for the agent properties when {@link #prepare} fails. */
    String lastProblem() {
        return lastProblem;
    }

    /** The shutdown sequence, once {@link #prepare} has succeeded. */
    ShutdownRelay relay() {
        return relay;
    }

    /** Returns the reaper, ready to run; null if the agent cannot run here (it has said why). */
    Runnable prepare() {
        try {
            return prepareOrSayWhy();
        } catch (RuntimeException | LinkageError e) {
            problem("could not start (" + e + "): nothing is reaped");
            return null;
        }
    }

    private Runnable prepareOrSayWhy() {
        long started = System.nanoTime();
        String os = System.getProperty("os.name");
        if (!"Linux".equals(os)) {
            problem("this is " + os + ", not Linux: nothing is reaped");
            return null;
        }
        openJdkInternals();
        AgentProperties.open();
        AgentProperties.state("starting");
        String jnaFailed = loadNativeCalls();
        if (jnaFailed != null) {
            return withoutNatives(jnaFailed);
        }
        long self = LibC.getpid();
        if (!checkProc(self)) {
            return null;
        }
        String role = becomeSubreaper(self);
        JdkChildren jdk = JdkChildren.find();
        if (!jdk.known()) {
            problem("cannot read the JDK's table of its own children (" + jdk.unknownBecause()
                    + "): orphans are reaped only after the grace period (" + options.grace().toSeconds() + "s)");
        }
        owned = new OwnedChildren(self);
        if (!onMainThreadBeforeMain()) {
            watchThreadsEnd();
        }
        boolean signals = signalHandlersRun();
        boolean pidfds = pidfdsWork(self);
        Log.debug("started in " + (System.nanoTime() - started) / 1_000_000 + " ms: " + role + ", pidfds " + pidfds
                + ", SIGCHLD handler " + signals + ", " + options);
        Figures figures = new Figures(Version.get(), options.toString(), role);
        AgentProperties.publish(figures);
        Reaper reaper;
        try {
            reaper = new Reaper(self, jdk, owned, jdk.known() && !leaderRunsJava, pidfds, options.sweep(), options.grace(), signals, figures);
        } catch (IOException e) {
            problem("cannot read this JVM's children (" + e.getMessage() + "): nothing is reaped");
            return null;
        }
        JmxExport.start(options.jmx(), figures, new IntSupplier() { // a class, not a lambda: see AgentLayer
            @Override
            public int getAsInt() {
                return reaper.adoptedNow();
            }
        });
        relay = new ShutdownRelay(self, options, pidfds, figures, jdk); // the boot class holds the shutdown signals since premain
        relay.whenStopping(new Runnable() { // a class, not a lambda: see AgentLayer
            @Override
            public void run() {
                reaper.stopping();
            }
        });
        Events.wantZombies(); // if JFR runs, its event classes initialised now, not at the first reap of a storm (tens of ms)
        return reaper;
    }

    /**
     * Opens java.lang to this module alone (to read the JDK's table of children and to grant JNA
     * native access) and exports jdk.internal.misc (to read the JVM's arguments). The application
     * gains nothing.
     */
    private void openJdkInternals() {
        Module self = Startup.class.getModule();
        instrumentation.redefineModule(Object.class.getModule(), Set.of(),
                Map.of("jdk.internal.misc", Set.of(self), "jdk.internal.vm", Set.of(self)), Map.of("java.lang", Set.of(self)), Set.of(), Map.of());
        Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
        if (management != null) { // for JmxExport
            instrumentation.redefineModule(management, Set.of(), Map.of(), Map.of("java.lang.management", Set.of(self)), Set.of(), Map.of());
        }
    }

    /** Returns null once JNA works; else why it cannot load. */
    private String loadNativeCalls() {
        enableNativeAccess();
        // JNA logs its own failures, stack traces included, through java.util.logging: hush it while it
        // loads, so that a failure reads as the one warning below. The application's own JNA logs the same name.
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
     * JNA cannot load (its native library cannot be mapped: a read-only root, a noexec /tmp, and no
     * jna.tmpdir elsewhere): reap through the JDK's own native waitpid and /proc (FallbackReaper), and
     * say in one warning what is lost. The shutdown relay is left to the JDK's means (ProcessHandle.destroy,
     * TERM and KILL only), which the boot class uses while no relay is prepared.
     */
    private Runnable withoutNatives(String jnaFailed) {
        JdkProcessCalls calls;
        try {
            calls = JdkProcessCalls.find();
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem("JNA cannot load its native library (" + jnaFailed + "), nor can the JDK's own waitpid be reached (" + e
                    + "): nothing is reaped; give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
            return null;
        }
        long self = ProcessHandle.current().pid();
        if (!checkProc(self)) {
            return null;
        }
        JdkChildren jdk = JdkChildren.find();
        List<String> lost = new ArrayList<>();
        String role = self == 1 ? "PID 1" : "not a subreaper";
        if (self != 1 && options.subreaper()) {
            lost.add("it cannot become a subreaper (prctl), so orphans of its descendants go to another process");
        }
        lost.add("a child that native code started from a thread that has ended since may be taken for an orphan (no JVMTI"
                + " ThreadEnd watch), and its exit status lost to its starter");
        lost.add("SIGINT and SIGHUP reach the descendants as SIGTERM");
        lost.add("pids are checked by start time, not pinned by a pidfd");
        if (!jdk.known()) {
            lost.add("orphans are reaped only after the grace period (" + options.grace().toSeconds() + "s), as the JDK's table of its"
                    + " own children cannot be read (" + jdk.unknownBecause() + ")");
        }
        problem("JNA cannot load its native library (" + jnaFailed + "): reaping through the JDK's own calls and /proc instead; lost: "
                + String.join("; ", lost) + "; give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
        boolean signals = signalHandlersRun();
        Figures figures = new Figures(Version.get(), options.toString(), role);
        AgentProperties.publish(figures);
        owned = new OwnedChildren(self);
        FallbackReaper reaper = new FallbackReaper(self, jdk, owned, jdk.known() && !leaderRunsJava, calls, options.sweep(), options.grace(),
                signals, figures);
        JmxExport.start(options.jmx(), figures, new IntSupplier() { // a class, not a lambda: see AgentLayer
            @Override
            public int getAsInt() {
                return reaper.adoptedNow();
            }
        });
        Events.wantZombies();
        return reaper;
    }

    /**
     * JDK 24+ warns when a module without native access loads a library. Grant it to the JNA module
     * of this layer only, by the JDK's private method, which (unlike the public one) warns nothing.
     * JDK 17 to 21 have nothing to grant.
     */
    private static void enableNativeAccess() {
        Module jna = Startup.class.getModule().getLayer() == null ? null
                : Startup.class.getModule().getLayer().findModule("com.sun.jna").orElse(null);
        if (jna == null) {
            return;
        }
        try {
            Method grant = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
            grant.setAccessible(true);
            grant.invoke(jna);
        } catch (NoSuchMethodException e) {
            // before JDK 22: native access is not restricted
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug("could not grant native access to JNA: " + e);
        }
    }

    private boolean checkProc(long self) {
        long seen;
        try {
            seen = Proc.self();
        } catch (IOException | RuntimeException e) {
            return problem("cannot read /proc (" + e + "): nothing is reaped; mount /proc");
        }
        if (seen != self) {
            return problem("/proc belongs to another pid namespace (it sees this JVM as " + seen + ", not " + self
                    + "): nothing is reaped; mount a /proc for this namespace (unshare --mount-proc, or a container engine)");
        }
        if (!Proc.hasChildrenLists(self)) {
            return problem("this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): nothing is reaped");
        }
        return true;
    }

    /** Returns how orphans reach this JVM, for the debug line. */
    private String becomeSubreaper(long self) {
        if (self == 1) {
            return "PID 1";
        }
        if (!options.subreaper()) {
            Log.warn("neither PID 1 nor a child subreaper (subreaper=false): orphans of this JVM's descendants go to"
                    + " another process, and only this JVM's own children are reaped; remove subreaper=false or run the JVM as PID 1");
            return "not a subreaper";
        }
        if (LibC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            problem("prctl(PR_SET_CHILD_SUBREAPER) failed (" + LibC.error(LibC.errno()) + "): orphans of this JVM's descendants"
                    + " go to another process, and only this JVM's own children are reaped; run the JVM as PID 1");
            return "not a subreaper";
        }
        return "child subreaper";
    }

    /** With strict=true, {@link #prepare} runs in premain, on the main thread: JVMTI is there only once premain has returned. */
    private boolean onMainThreadBeforeMain() {
        return atStartup && options.strict();
    }

    /**
     * The reaper's thread, which first watches the JVM's threads end if {@link #prepare} could not.
     * (A class, not a lambda: see AgentLayer.)
     */
    Runnable reaperThread(Runnable reaper) {
        boolean watch = onMainThreadBeforeMain() && reaper instanceof Reaper; // no ThreadEnd watch without JNA
        return new Runnable() {
            @Override
            public void run() {
                if (watch) {
                    watchThreadsEnd();
                }
                reaper.run();
            }
        };
    }

    /**
     * Records each ending thread's children before the kernel moves them to the leader thread's list,
     * where orphans are reaped at once (see OwnedChildren). A thread that ended before this ran (in the
     * agent's first tenths of a second; attached, in the JVM's whole life until then) left its
     * children there unrecorded: attached, those that started after the JVM get the grace; at
     * start-up they are taken for orphans, a window the README states.
     */
    private void watchThreadsEnd() {
        try {
            Jvmti.onThreadEnd(owned);
            if (!atStartup) {
                owned.recordEarlierChildren();
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            Log.warn("cannot watch the JVM's threads end (" + e.getMessage() + "): a child that native code started from a thread"
                    + " that has ended since may be taken for an orphan, and its exit status lost to its starter");
        }
    }

    /** HotSpot runs Java signal handlers unless -Xrs; sun.misc.Signal needs module jdk.unsupported. */
    private boolean signalHandlersRun() {
        String lost = "shutdown signals reach the JVM alone (its descendants get SIGTERM only when it exits), and an orphan"
                + " adopted while the JVM has no child of its own waits for the sweep (every " + options.sweep().toMillis() + " ms)";
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return problem("module jdk.unsupported is not in this JVM, so no Java signal handler can run: " + lost
                    + "; add --add-modules jdk.unsupported");
        }
        if (reducedSignalUsage()) {
            return problem("-Xrs stops HotSpot from running Java signal handlers: " + lost + "; remove -Xrs");
        }
        return true;
    }

    private static boolean reducedSignalUsage() {
        boolean reduced = false;
        try {
            String[] arguments = (String[]) Class.forName("jdk.internal.misc.VM").getMethod("getRuntimeArguments").invoke(null);
            for (String argument : arguments) {
                if (argument.equals("-Xrs") || argument.equals("-XX:+ReduceSignalUsage")) {
                    reduced = true;
                } else if (argument.equals("-XX:-ReduceSignalUsage")) {
                    reduced = false;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug("cannot read the JVM's arguments: " + e);
        }
        return reduced;
    }

    /**
     * pidfd_open (Linux 5.3) and waitid(P_PIDFD) (Linux 5.4): on our own pidfd, waitid says ECHILD if
     * it understood. Without them (an older kernel, or a seccomp profile that refuses them) the agent
     * still works, with a window of microseconds for a reused pid: it says so once.
     */
    private static boolean pidfdsWork(long self) {
        String refused;
        int fd = LibC.pidfdOpen((int) self);
        if (fd < 0) {
            refused = "pidfd_open: " + LibC.error(LibC.errno());
        } else {
            try {
                if (LibC.waitid(P_PIDFD, fd, new int[SIGINFO_INTS], WEXITED | WNOHANG) == -1 && LibC.errno() == ECHILD) {
                    return true;
                }
                refused = "waitid(P_PIDFD): " + LibC.error(LibC.errno());
            } finally {
                LibC.close(fd);
            }
        }
        Log.warn("no pidfds here (" + refused + "; Linux before 5.4, or a seccomp profile): each process is checked by its start"
                + " time just before it is reaped or signalled, instead of being pinned by a pidfd");
        return false;
    }

    /** True when this (the main) thread is the process's first thread: a JVM embedded by a custom launcher. */
    private static boolean onLeaderThread() {
        try {
            String[] self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString().split("/");
            return self.length == 3 && self[0].equals(self[2]);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Says what is lost; with strict=true at start-up, stops the JVM instead. Returns false. */
    private boolean problem(String message) {
        lastProblem = message;
        if (options.strict() && atStartup) {
            Options.refuseToStart(message + " (strict=true)");
        }
        Log.warn(message);
        return false;
    }

    private static String firstLine(Throwable t) {
        String text = String.valueOf(t.getMessage());
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
