package dev.reaper.agent;

import dev.reaper.linux.JdkKernel;
import dev.reaper.linux.NativeKernel;
import dev.reaper.reap.JdkChildren;

/**
 * What this JVM offers the agent, as the probes found it: one record, from which one wiring path
 * builds the agent, whatever is missing ({@link Startup}). The native part comes second: JNA takes
 * a tenth of a second to load, and the agent reaps through the JDK's means meanwhile.
 *
 * @param self this JVM's pid; meaningless if {@code cannotReap} says why nothing is reaped
 * @param cannotReap null, or why nothing can be reaped here at all (not Linux, /proc)
 * @param jdk the JDK's table of its own children; {@link JdkChildren#known} says if it could be
 *     read
 * @param jdkKernel the JDK's own waitpid, or null if it cannot be reached ({@code jdkKernelMissing}
 *     says why)
 * @param signalsLost null if Java signal handlers run here; else why not, and what is lost
 * @param leaderRunsJava the JVM's first thread runs Java code: nothing on its children list can be
 *     told from the JVM's own (a custom launcher; attached, unless the java launcher started it)
 * @param natives null until JNA has been tried
 */
record Capabilities(
        long self,
        String cannotReap,
        JdkChildren jdk,
        JdkKernel jdkKernel,
        String jdkKernelMissing,
        String signalsLost,
        boolean leaderRunsJava,
        Natives natives) {

    /**
     * What JNA brought.
     *
     * @param kernel the native calls, or null if JNA cannot load ({@code jnaFailed} says why)
     * @param role how orphans reach this JVM: "PID 1", "child subreaper" or "not a subreaper"
     * @param pidfdsRefused null if pidfds work; else why not
     */
    record Natives(NativeKernel kernel, String jnaFailed, String role, String pidfdsRefused) {}

    /** A JVM where nothing can be reaped at all, and why (not Linux, /proc missing). */
    static Capabilities nothingReaped(long self, String why) {
        return new Capabilities(self, why, null, null, null, null, false, null);
    }

    /**
     * Whether an adopted orphan can be told from the JVM's own on the leader's list, and so reaped
     * at once (Ownership#whose).
     */
    boolean orphansAtOnce() {
        return jdk.known() && !leaderRunsJava;
    }

    Capabilities with(Natives found) {
        return new Capabilities(
                self,
                cannotReap,
                jdk,
                jdkKernel,
                jdkKernelMissing,
                signalsLost,
                leaderRunsJava,
                found);
    }
}
