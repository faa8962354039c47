package dev.reaper.demo;

import dev.reaper.kit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cgroup of the pids controller with a {@code pids.max}: what {@code docker run --pids-limit N}
 * sets on a container's cgroup (Kubernetes: the pod pid limit; systemd: {@code TasksMax}). Every
 * process and every thread of its members counts, zombies too, until reaped; past the limit, fork
 * and clone fail with EAGAIN. cgroup v1 (the pids hierarchy) or v2 (the unified one, with the pids
 * controller enabled below its root), whichever holds the controller here.
 */
final class PidsCgroup implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Path dir;

    private PidsCgroup(Path dir) {
        this.dir = dir;
    }

    /** A new cgroup with that pids.max; an IOException says why it cannot be made here. */
    static PidsCgroup create(int max) throws IOException {
        Path parent = pidsRoot();
        Path dir =
                parent.resolve(
                        "reaper-demo-"
                                + ProcessHandle.current().pid()
                                + "-"
                                + COUNT.incrementAndGet());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new IOException(
                    "cannot make a cgroup in "
                            + parent
                            + " ("
                            + e
                            + "): run as root, with /sys/fs/cgroup writable",
                    e);
        }
        try {
            Files.writeString(dir.resolve("pids.max"), Integer.toString(max));
        } catch (IOException e) {
            Files.delete(dir); // nothing in it yet
            throw new IOException("cannot write " + dir.resolve("pids.max") + ": " + e, e);
        }
        return new PidsCgroup(dir);
    }

    /** Why no pids cgroup can be made here, or null if one can (made and removed to find out). */
    static String whyNot() {
        try (PidsCgroup probe = create(10)) {
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The directory new pids cgroups go in: the v1 hierarchy that has the pids controller, or the
     * v2 root with the controller enabled for its children (done here if it is not yet).
     */
    private static Path pidsRoot() throws IOException {
        Path v2 = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            String[] halves = line.split(" - ", 2);
            String[] mount = halves[0].split(" ", -1);
            String[] fs = halves.length == 2 ? halves[1].split(" ") : new String[0];
            if (mount.length < 5 || fs.length < 3) {
                continue;
            }
            Path point = Path.of(mount[4].replace("\\040", " "));
            if (fs[0].equals("cgroup") && List.of(fs[2].split(",")).contains("pids")) {
                return point;
            }
            if (fs[0].equals("cgroup2") && v2 == null) {
                v2 = point;
            }
        }
        if (v2 == null) {
            throw new IOException(
                    "no cgroup file system with the pids controller is mounted (/proc/self/mountinfo)");
        }
        if (!List.of(Files.readString(v2.resolve("cgroup.controllers")).strip().split(" "))
                .contains("pids")) {
            throw new IOException(
                    "the cgroup v2 hierarchy at "
                            + v2
                            + " has no pids controller ("
                            + v2.resolve("cgroup.controllers")
                            + ")");
        }
        Path control = v2.resolve("cgroup.subtree_control");
        if (!List.of(Files.readString(control).strip().split(" ")).contains("pids")) {
            try {
                Files.writeString(control, "+pids");
            } catch (IOException e) {
                throw new IOException(
                        "cannot enable the pids controller in " + control + ": " + e, e);
            }
        }
        return v2;
    }

    /**
     * Where a process writes its pid to join ({@code cgroup.procs}): its children are born members.
     */
    Path procs() {
        return dir.resolve("cgroup.procs");
    }

    /** Processes and threads in it now (pids.current). */
    long current() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids.current")).strip());
    }

    /**
     * The most processes and threads it has held at once (pids.peak); -1 where the kernel does not
     * keep it.
     */
    long peak() throws IOException {
        Path peak = dir.resolve("pids.peak");
        return Files.exists(peak) ? Long.parseLong(Files.readString(peak).strip()) : -1;
    }

    /** How many forks and clones pids.max has refused (pids.events: "max N"). */
    long refused() throws IOException {
        String events = Files.readString(dir.resolve("pids.events")).strip();
        return events.startsWith("max ") ? Long.parseLong(events.substring(4).strip()) : 0;
    }

    /**
     * Removes it, once every member has ended (the kernel removes a cgroup only when it is empty).
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Await.until(
                "every process of " + dir + " has ended",
                Duration.ofSeconds(30),
                () -> current() == 0);
        Files.delete(dir); // rmdir: the control files go with it
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
