package dev.reaper.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The demo server running as PID 1, of a bare pid namespace or of a container, seen from outside. */
interface Pid1Server extends AutoCloseable {
    /** The server's JVM, as this (outer) pid namespace numbers it. */
    long pid() throws IOException, InterruptedException;

    /** Where the server's --marker-dir is, seen from here. */
    Path markers();

    /** Sends SIGTERM, as {@code docker stop} would. */
    void terminate() throws IOException, InterruptedException;

    /** Waits for the server to end; its exit status. */
    int awaitExit(Duration within) throws IOException, InterruptedException;

    /** Kills what is left and deletes what was made for it. */
    @Override
    void close() throws IOException, InterruptedException;

    /** How a server JVM is started: java, the jar, the flags; and the reaper on or off. */
    record Launch(Path java, Path jar, boolean reaper, int port, Duration timeout) {
        /** The command, with the jar and the marker directory at the paths the server will see them. */
        List<String> command(String jarPath, String markerDir) {
            List<String> command = new ArrayList<>();
            if (!reaper) {
                command.addAll(List.of("env", "REAPER_OPTIONS=enabled=false")); // env execs java: still PID 1
            }
            // Two PID 1 JVMs at once would share /tmp/hsperfdata_root/1, and warn about it on stdout.
            command.addAll(List.of(java.toString(), "-XX:-UsePerfData", "-jar", jarPath, "--port", Integer.toString(port),
                    "--timeout", timeout.toMillis() + "ms", "--marker-dir", markerDir));
            return command;
        }
    }
}
