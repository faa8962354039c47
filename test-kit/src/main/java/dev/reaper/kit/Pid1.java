package dev.reaper.kit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command running as PID 1 of a pid namespace of its own, seen from outside: under {@code unshare
 * --pid --fork --mount-proc}, or in a runc container (the way Docker runs one, and stops one:
 * {@code runc kill ID TERM}). Either way the process started here (unshare, runc run) ends with PID
 * 1's exit status.
 */
public final class Pid1 implements AutoCloseable {
    public static final List<String> UNSHARE =
            List.of("unshare", "--pid", "--fork", "--mount-proc");
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern STATE_PID = Pattern.compile("\"pid\":\\s*(\\d+)");

    private final Process outer;
    private final String container;
    private long pid;

    private Pid1(Process outer, String container) {
        this.outer = outer;
        this.container = container;
    }

    /** Starts the builder's command under unshare: it is PID 1 of a new pid namespace. */
    public static Pid1 unshare(ProcessBuilder builder) throws IOException {
        List<String> command = new ArrayList<>(UNSHARE);
        command.addAll(builder.command());
        builder.command(command);
        return new Pid1(builder.start(), null);
    }

    /**
     * Runs the bundle's entrypoint in a container: runc run, its output to the bundle's stdout and
     * stderr files.
     */
    public static Pid1 runc(Bundle bundle) throws IOException {
        String id = "reaper-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process runc =
                new ProcessBuilder("runc", "run", "--bundle", bundle.dir().toString(), id)
                        .redirectOutput(bundle.stdout().toFile())
                        .redirectError(bundle.stderr().toFile())
                        .start();
        return new Pid1(runc, id);
    }

    /** unshare or runc run: it ends with PID 1's exit status. */
    public Process process() {
        return outer;
    }

    /** PID 1, numbered as this (outer) namespace numbers it; waits for it to have started. */
    public long pid() throws IOException, InterruptedException {
        long[] found = {pid};
        Await.until(
                container == null
                        ? "unshare started its child"
                        : "container " + container + " runs",
                START,
                () -> {
                    found[0] =
                            container == null
                                    ? outer.children()
                                            .findFirst()
                                            .map(ProcessHandle::pid)
                                            .orElse(0L)
                                    : runningPid();
                    if (found[0] == 0 && !outer.isAlive()) {
                        throw new IllegalStateException(
                                (container == null ? "unshare" : "runc run " + container)
                                        + " ended with status "
                                        + outer.exitValue()
                                        + " before PID 1 was seen");
                    }
                    return found[0] != 0;
                });
        pid = found[0];
        return pid;
    }

    /** The container's PID 1, from runc state, once it runs; 0 before. */
    private long runningPid() throws IOException, InterruptedException {
        Process state =
                new ProcessBuilder("runc", "state", container).redirectErrorStream(true).start();
        String json = new String(state.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = STATE_PID.matcher(json);
        return state.waitFor() == 0 && json.contains("\"running\"") && m.find()
                ? Long.parseLong(m.group(1))
                : 0;
    }

    /**
     * Starts the builder's command inside PID 1's pid and mount namespaces (nsenter), as a
     * container runtime starts a second container's process in a Kubernetes pod that shares its pid
     * namespace. Returns nsenter, which ends with the command's status; its one child is the
     * command.
     */
    public Process enter(ProcessBuilder builder) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "nsenter",
                                "--target",
                                Long.toString(pid()),
                                "--pid",
                                "--mount",
                                "--"));
        command.addAll(builder.command());
        return builder.command(command).start();
    }

    /** Sends a signal (TERM, HUP, KILL...) to PID 1: kill, or runc kill as docker stop does. */
    public void signal(String name) throws IOException, InterruptedException {
        List<String> command =
                container == null
                        ? List.of("kill", "-" + name, Long.toString(pid()))
                        : List.of("runc", "kill", container, name);
        if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    /** Waits for PID 1 to end; its exit status. */
    public int awaitExit(Duration within) throws InterruptedException {
        if (!outer.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(
                    "PID 1 "
                            + (container == null ? "under unshare" : "of container " + container)
                            + " did not end within "
                            + within.toSeconds()
                            + " s");
        }
        return outer.exitValue();
    }

    /** Kills whatever is left, PID 1 and its whole namespace with it, and removes the container. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (container != null) {
            new ProcessBuilder("runc", "delete", "--force", container)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        }
        ProcessTable.killTree(outer.toHandle());
        outer.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Where the kit's classes are (a directory or a jar), for a JVM under test or a container that
     * needs them too.
     */
    public static Path kitClasses() {
        try {
            return Path.of(Pid1.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
