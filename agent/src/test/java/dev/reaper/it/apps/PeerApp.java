package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The program under a peer's test (tini's, dumb-init's), ported to a JVM: where their tests run a
 * script under the init, this JVM runs it as its child. Arguments: DIR MODE SCRIPT.
 *
 * <ul>
 *   <li>{@code reap}: runs {@code sh -c SCRIPT} and waits for it (it leaves orphans, as tini's
 *       reaping/stage_2 does), then waits until the JVM has no descendant and no zombie child left,
 *       and prints descendants_left and zombies_left.
 *   <li>{@code stay}: starts SCRIPT, writes DIR/ready, and runs until a signal ends the JVM.
 *   <li>{@code return}: starts SCRIPT, writes DIR/ready, and main returns: a normal exit with a
 *       descendant still running.
 *   <li>{@code exit=N}: System.exit(N), with no child.
 *   <li>{@code sigconf}: runs SCRIPT and prints what it printed (the signal set-up it inherited).
 * </ul>
 *
 * With the agent, every mode first waits until the agent's thread is up, as the peers are up before
 * their child starts.
 */
public final class PeerApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String mode = args[1];
        String script = args.length > 2 ? args[2] : "";
        boolean agent =
                String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0]))
                        .contains("-javaagent");
        if (agent && !AgentReady.started(20_000)) {
            System.out.println("agent=absent");
            System.exit(99);
        }
        switch (mode) {
            case "reap" -> {
                int shell = new ProcessBuilder("sh", "-c", script).inheritIO().start().waitFor();
                Await.value(
                        Duration.ofSeconds(30),
                        () -> ProcessHandle.current().descendants().count(),
                        left -> left == 0);
                System.out.println("shell=" + shell);
                System.out.println(
                        "descendants_left=" + ProcessHandle.current().descendants().count());
                System.out.println(
                        "zombies_left=" + Zombies.awaitNone(ProcessHandle.current().pid(), 10_000));
            }
            case "stay", "return" -> {
                // its output discarded: the JVM's stderr is then the agent's alone (a shell says
                // "Terminated" of a job a signal ended)
                Process child =
                        new ProcessBuilder("sh", "-c", script)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                if (mode.equals("return")) {
                    // the stop on exit takes what started in its own clock tick, or the one before,
                    // for the application's hooks' own (src/docs/shutdown.md): this child is to be
                    // older than that
                    awaitTicksSince(child.pid(), 3);
                }
                Files.writeString(dir.resolve("ready"), "");
                if (mode.equals("stay")) {
                    Thread.sleep(Long.MAX_VALUE);
                }
            }
            case "sigconf" -> {
                Process child = new ProcessBuilder("sh", "-c", script).start();
                System.out.print(
                        new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                child.waitFor();
            }
            default -> System.exit(Integer.parseInt(mode.substring("exit=".length())));
        }
    }

    /**
     * Waits until {@code ticks} clock ticks (1/100 s, /proc/uptime's unit) have passed since
     * process {@code pid} started.
     */
    private static void awaitTicksSince(long pid, long ticks) throws Exception {
        long started = ProcessTable.stat(pid).orElseThrow().startTicks();
        Await.value(
                Duration.ofSeconds(10), ProcessTable::uptimeTicks, now -> now >= started + ticks);
    }
}
