package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * JVMs that are not a container's main process, of the kinds JAVA_TOOL_OPTIONS puts the agent into.
 * Their workers are worker.sh (copied into DIR beforehand), which writes its pid to NAME.started
 * and NAME.graceful when it ends on SIGTERM.
 *
 * <p>Arguments: MODE DIR [wait]. MODE is
 *
 * <ul>
 *   <li>launch: starts a daemon in a session of its own (setsid), a double-forked daemon and a
 *       plain child, and exits 0 once they run, as a launcher does;
 *   <li>client: starts a daemon JVM (this class, "daemon") in a session of its own, and exits 0
 *       once it is up, as Gradle's client starts its daemon;
 *   <li>daemon: starts a worker of its own, writes its pid to DIR/daemon.up, runs until stopped;
 *   <li>build: starts a forked test JVM (this class, "forked") and prints forked=STATUS, as a build
 *       tool does; with "wait", the forked JVM runs until the build stops it with Process.destroy;
 *   <li>forked: starts a plain worker and a daemon in a session of its own, then exits 3, or with
 *       "wait" runs until stopped.
 * </ul>
 */
public final class LauncherApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        boolean wait = args.length > 2 && args[2].equals("wait");
        switch (args[0]) {
            case "launch" -> {
                worker("setsid", "sh", dir + "/worker.sh", dir.toString(), "launched-setsid");
                worker(
                        "sh",
                        "-c",
                        "sh \"$0\"/worker.sh \"$0\" launched-orphan >/dev/null 2>&1 &",
                        dir.toString());
                worker("sh", dir + "/worker.sh", dir.toString(), "launched-plain");
                awaitFile(
                        dir,
                        "launched-setsid.started",
                        "launched-orphan.started",
                        "launched-plain.started");
            }
            case "client" -> {
                worker(
                        "setsid",
                        java(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LauncherApp.class.getName(),
                        "daemon",
                        dir.toString());
                awaitFile(dir, "daemon.up");
            }
            case "daemon" -> {
                worker("sh", dir + "/worker.sh", dir.toString(), "daemon-worker");
                awaitFile(dir, "daemon-worker.started");
                Files.writeString(dir.resolve("daemon.up"), "" + ProcessHandle.current().pid());
                Thread.sleep(Long.MAX_VALUE);
            }
            case "build" -> {
                List<String> command =
                        List.of(
                                java(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                LauncherApp.class.getName(),
                                "forked",
                                dir.toString(),
                                wait ? "wait" : "-");
                Process forked = new ProcessBuilder(command).inheritIO().start();
                if (wait) {
                    awaitFile(dir, "forked.up");
                    forked.destroy(); // SIGTERM, as a build tool stops a test JVM that timed out
                }
                System.out.println("forked=" + forked.waitFor());
            }
            case "forked" -> {
                worker("sh", dir + "/worker.sh", dir.toString(), "forked-plain");
                worker("setsid", "sh", dir + "/worker.sh", dir.toString(), "forked-setsid");
                awaitFile(dir, "forked-plain.started", "forked-setsid.started");
                Files.writeString(dir.resolve("forked.up"), "up");
                if (wait) {
                    Thread.sleep(Long.MAX_VALUE);
                }
                System.exit(3);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void worker(String... command) throws Exception {
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** Waits until each file is written (not empty). */
    private static void awaitFile(Path dir, String... names) throws Exception {
        for (String name : names) {
            Path file = dir.resolve(name);
            Await.until(
                    name + " written",
                    Duration.ofSeconds(30),
                    () -> Files.exists(file) && Files.size(file) > 0);
        }
    }
}
