package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real container: the repository's OCI bundle (src/container) run by runc, with the agent at
 * /app/reaper.jar, the test classes at /app/classes, and a read-write /work. Its process is
 * {@code sh /app/entrypoint.sh}, which execs the given command, so that the command is PID 1.
 */
public final class Container implements AutoCloseable {
    public static final Path BUNDLE = Path.of(System.getProperty("reaper.container", "../src/container")).toAbsolutePath();
    private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");

    private final Path dir;
    private final String id;
    private Process runc;
    private Path out;
    private Path err;

    private Container(Path dir, String id) {
        this.dir = dir;
        this.id = id;
    }

    /** A fresh copy of the bundle in {@code parent}, with the agent and the test classes in app/. */
    public static Container create(Path parent) throws IOException, InterruptedException {
        Tools.requireRunc();
        Path dir = parent.resolve("bundle");
        copy(BUNDLE, dir);
        copy(Jvm.TEST_CLASSES, dir.resolve("app/classes"));
        Files.copy(Jvm.AGENT, dir.resolve("app/reaper.jar"));
        Files.createDirectories(dir.resolve("work"));
        return new Container(dir, "reaper-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    /** Copies a file into the container's /app, as {@code name}. */
    public Container add(Path file, String name) throws IOException {
        Files.copy(file, dir.resolve("app").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    /**
     * Runs the container under a seccomp profile: {@code profile} is the JSON object of config.json's
     * linux.seccomp (runc must be built with libseccomp). Call before {@link #start}.
     */
    public Container seccomp(String profile) throws IOException {
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);
        assertThat(json).contains("\"linux\": {");
        Files.writeString(config, json.replace("\"linux\": {", "\"linux\": {\n    \"seccomp\": " + profile + ","));
        return this;
    }

    public Path work() {
        return dir.resolve("work");
    }

    /** Runs {@code command} as PID 1: runc run, in the foreground, whose exit status is the container's. */
    public Container start(String command) throws IOException {
        Files.writeString(dir.resolve("app/entrypoint.sh"), "exec " + command + "\n");
        out = Files.createTempFile("reaper-runc", ".out");
        err = Files.createTempFile("reaper-runc", ".err");
        runc = new ProcessBuilder("runc", "run", "--bundle", dir.toString(), id).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return this;
    }

    /** The container's PID 1 as the host sees it. */
    public long pid() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            Process state = new ProcessBuilder("runc", "state", id).redirectErrorStream(true).start();
            String json = new String(state.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher pid = PID.matcher(json);
            if (state.waitFor() == 0 && pid.find() && Long.parseLong(pid.group(1)) > 0 && json.contains("\"running\"")) {
                return Long.parseLong(pid.group(1));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("container " + id + " did not start");
    }

    /** What docker stop does: runc kill ID SIGNAL. */
    public void kill(String signal) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("runc", "kill", id, signal).inheritIO().start().waitFor()).isZero();
    }

    public Result await(Duration timeout) throws IOException, InterruptedException {
        boolean ended = runc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            new ProcessBuilder("runc", "kill", id, "KILL").start().waitFor();
            runc.waitFor();
        }
        Result result = new Result("runc run " + id + ": " + Files.readString(dir.resolve("app/entrypoint.sh")).strip(),
                ended ? runc.exitValue() : -1, Files.readString(out), Files.readString(err));
        assertThat(ended).as("%s ended within %s%n%s", result.command(), timeout, result).isTrue();
        return result;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("runc", "delete", "--force", id).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        for (Path f : new Path[] {out, err}) {
            if (f != null) {
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
