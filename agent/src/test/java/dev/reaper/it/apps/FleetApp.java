package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM whose figures an exporter reports, for the observability tests. Arguments: DIR EXITING
 * RUNNING STUBBORN HOLD.
 *
 * <p>Once the agent runs, starts 20 children of its own with exit codes 1 to 20 while it leaves
 * orphans behind: EXITING that exit at once (the agent reaps them), RUNNING that sleep until
 * SIGTERM, and STUBBORN that ignore SIGTERM (the agent SIGKILLs them at stop-timeout). Once the
 * exiting orphans are reaped and only the sleeping ones are left, it prints children_exact (whether
 * every child of its own kept its exit code) and writes DIR/ready, then runs until stopped. Its
 * shutdown hook writes DIR/stopping and, if HOLD is true, waits up to 30 s for DIR/scraped: the
 * exporter still serves then, with the figures of the relayed stop.
 */
public final class FleetApp {
    private static final int CHILDREN = 20;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int exiting = Integer.parseInt(args[1]);
        int running = Integer.parseInt(args[2]);
        int stubborn = Integer.parseInt(args[3]);
        boolean hold = Boolean.parseBoolean(args[4]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping(dir, hold)));
        awaitAgent();

        List<Process> children = new ArrayList<>();
        for (int code = 1; code <= CHILDREN; code++) {
            children.add(new ProcessBuilder("sh", "-c", "exit " + code).start());
        }
        String loop = "i=0; while [ $i -lt %d ]; do %s; i=$((i+1)); done; ";
        new ProcessBuilder(
                        "sh",
                        "-c",
                        String.format(loop, exiting, "(true &)")
                                + String.format(loop, running, "(sleep 1000 &)")
                                + String.format(loop, stubborn, "(trap '' TERM; sleep 1000 &)"))
                .start()
                .waitFor();
        boolean exact = true;
        for (int i = 0; i < CHILDREN; i++) {
            exact &= children.get(i).waitFor() == i + 1;
        }
        long self = ProcessHandle.current().pid();
        Await.value(
                Duration.ofSeconds(30),
                () ->
                        Zombies.childrenOf(self) == 0
                                && ProcessHandle.current().children().count() == running + stubborn,
                settled -> settled);
        System.out.println("children_exact=" + exact);
        System.out.println("children_now=" + ProcessHandle.current().children().count());
        Files.writeString(dir.resolve("ready"), "");
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Waits up to 10 s for the agent to have started (AgentReady): when the JVM is not PID 1,
     * orphans left before the agent has made it a subreaper go elsewhere.
     */
    private static void awaitAgent() throws IOException, InterruptedException {
        AgentReady.started(10_000);
    }

    private static void stopping(Path dir, boolean hold) {
        try {
            Files.writeString(dir.resolve("stopping"), "");
            Await.value(
                    Duration.ofSeconds(30),
                    () -> !hold || Files.exists(dir.resolve("scraped")),
                    done -> done);
        } catch (Exception e) {
            throw new IllegalStateException("could not say the JVM is stopping", e);
        }
    }
}
