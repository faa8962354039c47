package dev.reaper.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** For test applications that must start their work only once the agent is ready (its thread is then named "reaper"). */
final class AgentReady {
    private AgentReady() {}

    /** If this JVM was started with -javaagent, waits (up to 30 s) until the agent's thread is ready. */
    static void await() throws IOException, InterruptedException {
        if (!new String(Files.readAllBytes(Path.of("/proc/self/cmdline"))).contains("-javaagent:")) {
            return;
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("reaper"))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the agent was not ready within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
