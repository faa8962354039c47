package dev.reaper.demo;

import dev.reaper.kit.Bundle;
import dev.reaper.kit.Pid1;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server as the regression demo runs it: PID 1 of a new pid namespace (unshare), or of a runc
 * container made from the repository's bundle (src/container), with the server's jar at /app and
 * its marker directory at /work. Both through the kit's {@link Pid1}, as the tests run theirs.
 */
final class LaunchedServer implements AutoCloseable {
    /** How a server JVM is started: java, the jar, the flags; and the reaper on or off. */
    record Launch(Path java, Path jar, boolean reaper, int port, Duration timeout) {
        /**
         * The command, with the jar and the marker directory at the paths the server will see them.
         */
        List<String> command(String jarPath, String markerDir) {
            List<String> command = new ArrayList<>();
            if (!reaper) {
                // env execs java: still PID 1
                command.addAll(List.of("env", "REAPER_OPTIONS=enabled=false"));
            }
            // Two PID 1 JVMs at once would share /tmp/hsperfdata_root/1, and warn about it on
            // stdout.
            command.addAll(
                    List.of(
                            java.toString(),
                            "-XX:-UsePerfData",
                            "-jar",
                            jarPath,
                            "--port",
                            Integer.toString(port),
                            "--timeout",
                            timeout.toMillis() + "ms",
                            "--marker-dir",
                            markerDir));
            return command;
        }
    }

    private final Pid1 pid1;
    private final Bundle dir;

    private LaunchedServer(Pid1 pid1, Bundle dir) {
        this.pid1 = pid1;
        this.dir = dir;
    }

    /**
     * unshare --pid --fork --mount-proc java -jar ...; its output and markers in a temporary
     * directory.
     */
    static LaunchedServer unshared(Launch launch) throws IOException {
        return unshared(launch, null);
    }

    /**
     * The same, in {@code cgroup} (null: where this JVM is): PID 1 joins it before it execs java,
     * so that the server and everything below it count against its pids.max, as in a container
     * started with {@code --pids-limit}. There its stderr goes to its stdout: one stream in the
     * order it was written, as a container's log has it (the JVM's own warnings go to stdout, the
     * server's to stderr).
     */
    static LaunchedServer unshared(Launch launch, PidsCgroup cgroup) throws IOException {
        Bundle dir = Bundle.scratch(Files.createTempDirectory("demo-pidns"));
        List<String> command = new ArrayList<>();
        if (cgroup != null) {
            // $$ is 1 here, and cgroup.procs reads a pid in the writer's pid namespace: PID 1
            // itself
            command.addAll(
                    List.of(
                            "sh",
                            "-c",
                            "echo $$ > \"$0\" && exec \"$@\" 2>&1",
                            cgroup.procs().toString()));
        }
        command.addAll(launch.command(launch.jar().toString(), dir.work().toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(dir.stdout().toFile())
                        .redirectError(dir.stderr().toFile());
        builder.environment().remove("REAPER_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return new LaunchedServer(Pid1.unshare(builder), dir);
    }

    /** A copy of {@code source}, the bundle, with the jar in its app/, run by runc. */
    static LaunchedServer inContainer(Path source, Launch launch)
            throws IOException, InterruptedException {
        Bundle bundle =
                Bundle.copy(source, Files.createTempDirectory("demo-runc"))
                        .add(launch.jar(), "demo-cgi-server.jar");
        bundle.entrypoint(String.join(" ", launch.command("/app/demo-cgi-server.jar", "/work")));
        return new LaunchedServer(Pid1.runc(bundle), bundle);
    }

    Pid1 pid1() {
        return pid1;
    }

    /** The server's --marker-dir, seen from here. */
    Path markers() {
        return dir.work();
    }

    /** Both its output streams, for a message when something went wrong. */
    String output() {
        return dir.output();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        pid1.close();
        dir.delete();
    }
}
