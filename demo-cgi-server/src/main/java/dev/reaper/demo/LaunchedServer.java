package dev.reaper.demo;

import dev.reaper.kit.Bundle;
import dev.reaper.kit.Pid1;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server as the regression demo runs it: PID 1 of a new pid namespace (unshare), or of a runc
 * container made from the repository's bundle (src/container), with the server's jar at /app and
 * its marker directory at /work. Both through the kit's {@link Pid1}, as the tests run theirs.
 */
final class LaunchedServer implements Pid1Server {
    private final Pid1 pid1;
    private final Bundle bundle;
    private final Path markers;

    private LaunchedServer(Pid1 pid1, Bundle bundle, Path markers) {
        this.pid1 = pid1;
        this.bundle = bundle;
        this.markers = markers;
    }

    /** unshare --pid --fork --mount-proc java -jar ...; its output and markers in a temporary directory. */
    static LaunchedServer unshared(Launch launch) throws IOException, InterruptedException {
        Bundle dir = Bundle.scratch(Files.createTempDirectory("demo-pidns"));
        ProcessBuilder builder = new ProcessBuilder(launch.command(launch.jar().toString(), dir.work().toString()))
                .redirectOutput(dir.stdout().toFile()).redirectError(dir.stderr().toFile());
        builder.environment().remove("REAPER_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return new LaunchedServer(Pid1.unshare(builder), dir, dir.work());
    }

    /** A copy of {@code source}, the bundle, with the jar in its app/, run by runc. */
    static LaunchedServer inContainer(Path source, Launch launch) throws IOException, InterruptedException {
        Bundle bundle = Bundle.copy(source, Files.createTempDirectory("demo-runc")).add(launch.jar(), "demo-cgi-server.jar");
        bundle.entrypoint(String.join(" ", launch.command("/app/demo-cgi-server.jar", "/work")));
        return new LaunchedServer(Pid1.runc(bundle), bundle, bundle.work());
    }

    @Override
    public long pid() throws IOException, InterruptedException {
        try {
            return pid1.pid();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; it printed: " + bundle.output(), e);
        }
    }

    @Override
    public Path markers() {
        return markers;
    }

    @Override
    public void terminate() throws IOException, InterruptedException {
        pid1.signal("TERM");
    }

    @Override
    public int awaitExit(Duration within) throws InterruptedException {
        return pid1.awaitExit(within);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        pid1.close();
        bundle.delete();
    }
}
