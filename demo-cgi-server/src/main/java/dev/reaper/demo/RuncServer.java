package dev.reaper.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server as PID 1 of a real container: the repository's OCI bundle (src/container) run by runc,
 * the way Docker runs a container, and stopped the way {@code docker stop} does: {@code runc kill ID TERM}.
 * The bundle mounts the host's /usr read-only (so the host's JDK is there), /tmp as a tmpfs, the
 * server's jar at /app, and a read-write /work, which is the server's --marker-dir.
 */
final class RuncServer implements Pid1Server {
    private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");
    private static final String JAR_INSIDE = "/app/demo-cgi-server.jar";

    private final Path dir;
    private final String id;
    private final Process runc;
    private long pid;

    private RuncServer(Path dir, String id, Process runc) {
        this.dir = dir;
        this.id = id;
        this.runc = runc;
    }

    /** Whether the JDK {@code java} is visible in the container: the bundle mounts the host's /usr, nothing else of it. */
    public static boolean visibleInside(Path java) throws IOException {
        return java.toRealPath().startsWith("/usr/");
    }

    /** Copies the bundle to a fresh directory, puts the jar in its app/, and runs it. */
    public static RuncServer start(Path bundle, Launch launch) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("demo-runc");
        copy(bundle, dir);
        Files.createDirectories(dir.resolve("app"));
        Files.createDirectories(dir.resolve("work"));
        Files.copy(launch.jar(), dir.resolve("app/demo-cgi-server.jar"), StandardCopyOption.REPLACE_EXISTING);
        // The bundle's process is "sh /app/entrypoint.sh": exec, so that the JVM itself is PID 1.
        Files.writeString(dir.resolve("app/entrypoint.sh"), "exec " + String.join(" ", launch.command(JAR_INSIDE, "/work")) + "\n");
        String id = "demo-cgi-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process runc = new ProcessBuilder("runc", "run", "--bundle", dir.toString(), id)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        return new RuncServer(dir, id, runc);
    }

    /** The container's PID 1, from {@code runc state}. */
    @Override
    public long pid() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pid == 0) {
            Process state = new ProcessBuilder("runc", "state", id).redirectErrorStream(true).start();
            String json = new String(state.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = PID.matcher(json);
            if (state.waitFor() == 0 && json.contains("\"running\"") && m.find()) {
                pid = Long.parseLong(m.group(1));
            } else if (!runc.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("container " + id + " did not start: " + json.strip() + "\n" + output());
            } else {
                Thread.sleep(20);
            }
        }
        return pid;
    }

    @Override
    public Path markers() {
        return dir.resolve("work");
    }

    @Override
    public void terminate() throws IOException, InterruptedException {
        Pid1Server.run("runc", "kill", id, "TERM");
    }

    /** runc run ends with the container's exit status, that of its PID 1. */
    @Override
    public int awaitExit(Duration within) throws InterruptedException {
        return Pid1Server.awaitStatus(runc, within, "container " + id);
    }

    String output() {
        try {
            return Files.readString(dir.resolve("stdout")) + Files.readString(dir.resolve("stderr"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("runc", "delete", "--force", id).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        runc.waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** cp -a: the bundle's rootfs holds symbolic links (bin, lib... into /usr), which must stay links. */
    private static void copy(Path from, Path to) throws IOException, InterruptedException {
        Files.createDirectories(to);
        if (new ProcessBuilder("cp", "-a", from + "/.", to.toString()).inheritIO().start().waitFor() != 0) {
            throw new IOException("cp -a " + from + " " + to + " failed");
        }
    }
}
