package dev.reaper.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** For test applications that must start their work only once the agent is ready (its Java thread is then named "reaper"). */
final class AgentReady {
    private AgentReady() {}

    /** If this JVM was started with -javaagent, waits (up to 30 s) until the agent's thread is ready. */
    static void await() throws IOException, InterruptedException {
        if (new String(Files.readAllBytes(Path.of("/proc/self/cmdline"))).contains("-javaagent:") && !threadNamed("reaper", 30_000)) {
            throw new IllegalStateException("the agent was not ready within 30 s");
        }
    }

    /**
     * Whether a Java thread of this JVM is named {@code name} within {@code millis}. The Java name, not
     * the native one (/proc/PID/task/TID/comm): a seccomp profile that denies prctl leaves native names alone.
     */
    static boolean threadNamed(String name, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals(name)) {
                    return true;
                }
            }
            Thread.sleep(10);
        }
        return false;
    }
}
