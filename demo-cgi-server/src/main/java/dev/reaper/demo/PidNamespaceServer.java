package dev.reaper.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The server as PID 1 of a new pid namespace: {@code unshare --pid --fork --mount-proc java -jar ...}. */
final class PidNamespaceServer implements Pid1Server {
    private final Process unshare;
    private final Path dir;
    private long pid;

    private PidNamespaceServer(Process unshare, Path dir) {
        this.unshare = unshare;
        this.dir = dir;
    }

    public static PidNamespaceServer start(Launch launch) throws IOException {
        Path dir = Files.createTempDirectory("demo-pidns");
        Files.createDirectories(dir.resolve("markers"));
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        command.addAll(launch.command(launch.jar().toString(), dir.resolve("markers").toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        builder.environment().remove("REAPER_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return new PidNamespaceServer(builder.start(), dir);
    }

    /** unshare's one child. */
    @Override
    public long pid() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pid == 0) {
            pid = unshare.children().findFirst().map(ProcessHandle::pid).orElse(0L);
            if (pid == 0 && (!unshare.isAlive() || System.nanoTime() > deadline)) {
                throw new IllegalStateException("unshare started no JVM: " + output());
            } else if (pid == 0) {
                Thread.sleep(5);
            }
        }
        return pid;
    }

    @Override
    public Path markers() {
        return dir.resolve("markers");
    }

    @Override
    public void terminate() throws IOException, InterruptedException {
        Pid1Server.run("kill", "-TERM", Long.toString(pid()));
    }

    /** unshare --fork ends with its child's status. */
    @Override
    public int awaitExit(Duration within) throws InterruptedException {
        return Pid1Server.awaitStatus(unshare, within, "the server");
    }

    /** What the server printed, for a message when something went wrong. */
    String output() {
        try {
            return Files.readString(dir.resolve("stdout")) + Files.readString(dir.resolve("stderr"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Killing PID 1 of the namespace (the JVM) kills everything in it.
        unshare.descendants().forEach(ProcessHandle::destroyForcibly);
        unshare.destroyForcibly().waitFor();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
