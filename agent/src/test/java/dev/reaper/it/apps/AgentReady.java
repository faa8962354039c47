package dev.reaper.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For test applications that must start their work only once the agent has started: reaping (its
 * thread named "reaper"), and its native calls, subreaper and ThreadEnd watch (its thread
 * "reaper-starting" gone).
 */
final class AgentReady {
    private AgentReady() {}

    /** If this JVM was started with -javaagent, waits (up to 30 s) until the agent's thread is ready. */
    static void await() throws IOException, InterruptedException {
        if (new String(Files.readAllBytes(Path.of("/proc/self/cmdline"))).contains("-javaagent:") && !started(30_000)) {
            throw new IllegalStateException("the agent was not ready within 30 s");
        }
    }

    /** Whether the agent has started within {@code millis}: a thread named "reaper", none named "reaper-starting". */
    static boolean started(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        if (!threadNamed("reaper", millis)) {
            return false;
        }
        while (threadNamed("reaper-starting", 0)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Whether a Java thread of this JVM is named {@code name} within {@code millis}. The Java name, not
     * the native one (/proc/PID/task/TID/comm): a seccomp profile that denies prctl leaves native names alone.
     */
    static boolean threadNamed(String name, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        do {
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals(name)) {
                    return true;
                }
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        return false;
    }
}
