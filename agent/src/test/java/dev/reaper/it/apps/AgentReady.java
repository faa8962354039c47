package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.time.Duration;

/**
 * For test applications that must start their work only once the agent has started: reaping (its
 * thread named "reaper"), and its native calls, subreaper and ThreadEnd watch (its thread
 * "reaper-starting" gone).
 */
final class AgentReady {
    private AgentReady() {}

    /** If this JVM was started with -javaagent, waits (up to 30 s) until the agent has started. */
    static void await() throws IOException, InterruptedException {
        if (ProcessTable.commandLine(ProcessHandle.current().pid()).contains("-javaagent:")
                && !started(30_000)) {
            throw new IllegalStateException("the agent was not ready within 30 s");
        }
    }

    /**
     * Whether the agent has started within {@code millis}: a thread named "reaper", none named
     * "reaper-starting".
     */
    static boolean started(long millis) throws IOException, InterruptedException {
        return Await.value(
                Duration.ofMillis(millis),
                () -> threadNamed("reaper") && !threadNamed("reaper-starting"),
                started -> started);
    }

    /**
     * Whether a Java thread of this JVM is named {@code name}. The Java name, not the native one
     * (/proc/PID/task/TID/comm): a seccomp profile that denies prctl leaves native names alone.
     */
    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name));
    }
}
