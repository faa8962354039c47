package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.time.Duration;

/** For test applications that must start their work only once the agent is ready (its Java thread is then named "reaper"). */
final class AgentReady {
    private AgentReady() {}

    /** If this JVM was started with -javaagent, waits (up to 30 s) until the agent's thread is ready. */
    static void await() throws IOException, InterruptedException {
        if (ProcessTable.commandLine(ProcessHandle.current().pid()).contains("-javaagent:") && !threadNamed("reaper", 30_000)) {
            throw new IllegalStateException("the agent was not ready within 30 s");
        }
    }

    /**
     * Whether a Java thread of this JVM is named {@code name} within {@code millis}. The Java name, not
     * the native one (/proc/PID/task/TID/comm): a seccomp profile that denies prctl leaves native names alone.
     */
    static boolean threadNamed(String name, long millis) throws IOException, InterruptedException {
        return Await.value(Duration.ofMillis(millis), () -> Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name)),
                named -> named);
    }
}
