import dev.reaper.kit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The JVM's side of the storm, idle and threads scenarios: {@code Role KIND ARG}, in a JVM with or
 * without the agent, started by the bench ({@link Harness#roleJvm}).
 *
 * <ul>
 *   <li>drive SCRIPT: once the agent is ready, runs {@code sh -c SCRIPT} and exits with its status;
 *   <li>drive-now SCRIPT: the same, at once: the JVM's first child, from main's first line (the
 *       storm that starts with the JVM);
 *   <li>idle MILLIS: sleeps;
 *   <li>threads COUNT: once the agent is ready, prints the JVM's CPU microseconds per thread
 *       started and joined, over COUNT threads after as many to warm up, with a child process
 *       running.
 * </ul>
 */
public final class Role {
    private Role() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "drive-now" ->
                    System.exit(
                            new ProcessBuilder("sh", "-c", args[1]).inheritIO().start().waitFor());
            case "drive" -> {
                awaitOwnAgent();
                System.exit(new ProcessBuilder("sh", "-c", args[1]).inheritIO().start().waitFor());
            }
            case "idle" -> Thread.sleep(Long.parseLong(args[1]));
            case "threads" -> {
                awaitOwnAgent();
                threads(Integer.parseInt(args[1]));
            }
            default ->
                    throw new IllegalArgumentException(
                            "role " + args[0] + ": drive, drive-now, idle or threads is accepted");
        }
    }

    /**
     * In a JVM started with -javaagent: waits until the agent is ready ({@link AgentView#ready}).
     */
    static void awaitOwnAgent() throws IOException, InterruptedException {
        if (new String(Files.readAllBytes(Path.of("/proc/self/cmdline"))).contains("-javaagent:")) {
            long self = ProcessHandle.current().pid();
            Await.until("the agent ready", Duration.ofSeconds(30), () -> AgentView.ready(self));
        }
    }

    static void threads(int count) throws Exception {
        // the case where the agent's ThreadEnd watch has something to look at
        Process child = new ProcessBuilder("sleep", "600").start();
        try {
            // warm-up: the JIT, and whatever the agent still does after it is ready
            for (int i = 0; i < count; i++) {
                startAndJoin();
            }
            long before = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            for (int i = 0; i < count; i++) {
                startAndJoin();
            }
            long after = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            System.out.println((after - before) / 1e3 / count);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    private static void startAndJoin() throws InterruptedException {
        Thread t = new Thread(() -> {});
        t.start();
        t.join();
    }
}
