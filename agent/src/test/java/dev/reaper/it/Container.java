package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Result;
import dev.reaper.kit.Bundle;
import dev.reaper.kit.Pid1;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real container: the repository's OCI bundle (src/container, see the kit's {@link Bundle}) run
 * by runc, with the agent at /app/reaper.jar, the test classes (and the kit's) at /app/classes, and
 * a read-write /work. Its process is {@code sh /app/entrypoint.sh}, which execs the given command,
 * so that the command is PID 1.
 */
public final class Container implements AutoCloseable {
    public static final Path BUNDLE =
            Path.of(System.getProperty("reaper.container", "../src/container")).toAbsolutePath();

    private final Bundle bundle;
    private Pid1 runc;

    private Container(Bundle bundle) {
        this.bundle = bundle;
    }

    /**
     * A fresh copy of the bundle in {@code parent}, with the agent and the test classes in app/.
     */
    public static Container create(Path parent) throws IOException, InterruptedException {
        Tools.requireRunc();
        Bundle bundle =
                Bundle.copy(BUNDLE, parent.resolve("bundle"))
                        .addClasses(Jvm.TEST_CLASSES, "classes")
                        .addClasses(Pid1.kitClasses(), "classes")
                        .add(Jvm.AGENT, "reaper.jar");
        return new Container(bundle);
    }

    /** Copies a file into the container's /app, as {@code name}. */
    public Container add(Path file, String name) throws IOException {
        bundle.add(file, name);
        return this;
    }

    /**
     * Runs the container under a seccomp profile: {@code profile} is the JSON object of
     * config.json's linux.seccomp (runc must be built with libseccomp). Call before {@link #start}.
     */
    public Container seccomp(String profile) throws IOException {
        Path config = bundle.dir().resolve("config.json");
        String json = Files.readString(config);
        assertThat(json).contains("\"linux\": {");
        Files.writeString(
                config,
                json.replace("\"linux\": {", "\"linux\": {\n    \"seccomp\": " + profile + ","));
        return this;
    }

    public Path work() {
        return bundle.work();
    }

    /**
     * Runs {@code command} as PID 1: runc run, in the foreground, whose exit status is the
     * container's.
     */
    public Container start(String command) throws IOException {
        runc = Pid1.runc(bundle.entrypoint(command));
        return this;
    }

    /** The container's PID 1 as the host sees it. */
    public long pid() throws IOException, InterruptedException {
        return runc.pid();
    }

    /** What docker stop does: runc kill ID SIGNAL. */
    public void kill(String signal) throws IOException, InterruptedException {
        runc.signal(signal);
    }

    public Result await(Duration timeout) throws IOException, InterruptedException {
        boolean ended = runc.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            runc.close();
        }
        Result result =
                new Result(
                        "runc run: " + bundle.command(),
                        ended ? runc.process().exitValue() : -1,
                        Files.readString(bundle.stdout()),
                        Files.readString(bundle.stderr()));
        assertThat(ended).as("%s ended within %s%n%s", result.command(), timeout, result).isTrue();
        return result;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (runc != null) {
            runc.close();
        }
    }
}
