import dev.reaper.kit.ProcessFigures;

/**
 * How the bench sees the agent in a JVM, from outside (or from inside, with the JVM's own pid): the
 * one place that knows how the agent shows itself, to adapt when that changes.
 *
 * <p>Today (issue 12's agent) both rest on the agent's thread names, as /proc/PID/task/TID/comm
 * shows them: the agent's thread is "reaper-starting" while it prepares, and renames itself
 * "reaper" once reaping and the shutdown relay are armed; its other threads are "reaper-jmx" and
 * the like.
 */
final class AgentView {
    private AgentView() {}

    /** Whether the agent in JVM {@code pid} is ready: reaping and the shutdown signals armed. */
    static boolean ready(long pid) {
        return ProcessFigures.threadNames(pid).contains("reaper");
    }

    /**
     * Whether a thread (by its comm) is one of the agent's own, whose CPU the bench counts as the
     * agent's.
     */
    static boolean agentThread(String comm) {
        return comm.startsWith("reaper");
    }
}
