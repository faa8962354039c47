package dev.reaper.demo;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo server under test: {@code java -jar demo-cgi-server.jar} as PID 1 of a pid namespace,
 * reaper on or off.
 */
final class DemoServer implements AutoCloseable {
    static final Path JAR =
            Path.of(System.getProperty("demo.jar", "target/demo-cgi-server.jar")).toAbsolutePath();

    final int port;
    final DemoClient client;
    private final Jvm.Running jvm;
    private final Path markers;
    private Jvm.Result result;

    private DemoServer(Jvm.Running jvm, int port, Path markers) {
        this.jvm = jvm;
        this.port = port;
        this.markers = markers;
        this.client = new DemoClient(port);
    }

    /**
     * Starts it, and waits until it serves (with the reaper: until the reaper's MBean is there
     * too).
     */
    static DemoServer start(
            Jdk jdk, boolean reaper, Duration timeout, Path markers, String... moreFlags)
            throws IOException, InterruptedException {
        DemoServer server = launch(jdk, reaper, timeout, markers, moreFlags);
        try {
            server.client.awaitUp(reaper, Duration.ofSeconds(30));
        } catch (RuntimeException | InterruptedException e) {
            ProcessTable.killTree(server.jvm.process().toHandle());
            throw e;
        }
        return server;
    }

    /** Starts it, and returns at once. */
    static DemoServer launch(
            Jdk jdk, boolean reaper, Duration timeout, Path markers, String... moreFlags)
            throws IOException {
        Files.createDirectories(markers);
        Jvm jvm = Jvm.on(jdk).asPid1().jar(JAR);
        if (!reaper) {
            jvm.env("REAPER_OPTIONS", "enabled=false");
        }
        int port = RegressionDemo.freePort();
        List<String> flags =
                new ArrayList<>(
                        List.of(
                                "--port",
                                Integer.toString(port),
                                "--timeout",
                                timeout.toMillis() + "ms",
                                "--marker-dir",
                                markers.toString()));
        flags.addAll(List.of(moreFlags));
        return new DemoServer(jvm.start(null, flags.toArray(String[]::new)), port, markers);
    }

    public long pid() throws InterruptedException {
        return jvm.pid();
    }

    /** The kit's handle on the server, PID 1, for {@link Scenario}. */
    Pid1 pid1() {
        return jvm.pid1();
    }

    public Path markers() {
        return markers;
    }

    public void terminate() throws IOException, InterruptedException {
        jvm.signal("TERM");
    }

    public int awaitExit(Duration within) throws IOException, InterruptedException {
        result = jvm.await(within);
        return result.status();
    }

    /** What the server printed; waits for its end, if that has not been awaited. */
    Jvm.Result result() throws IOException, InterruptedException {
        if (result == null) {
            awaitExit(Duration.ofSeconds(30));
        }
        return result;
    }

    /** Stops it, if a test has not; what it printed. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (result == null) {
            if (jvm.process().isAlive()) {
                terminate();
            }
            awaitExit(Duration.ofSeconds(30));
        }
    }
}
