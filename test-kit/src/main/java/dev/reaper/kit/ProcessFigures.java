package dev.reaper.kit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Figures of one process as /proc shows them, for the benchmark: its CPU time, its threads' names
 * and CPU time, its peak memory, and one thread's children. Read from outside, independent of the
 * agent under test; a process or thread that has ended reads as zero or empty.
 */
public final class ProcessFigures {
    /**
     * USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 a second on every Linux the
     * project runs on).
     */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessFigures() {}

    /**
     * CPU nanoseconds of the whole process, threads that have ended included (utime + stime of
     * /proc/PID/stat), in clock ticks of 10 ms. For a thread's own time, finer, see {@link
     * #threadsCpuNanos}.
     */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // "pid (comm) S ppid ...": comm may hold spaces, so count from the last ')'; utime and
            // stime are fields 14 and 15
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
        } catch (IOException gone) {
            return 0;
        }
    }

    /**
     * CPU nanoseconds of the process's live threads whose name (comm, at most 15 characters) {@code
     * name} accepts, from /proc/PID/task/TID/schedstat (nanoseconds on the CPU; threads that ended
     * are not counted).
     */
    public static long threadsCpuNanos(long pid, Predicate<String> name) {
        long total = 0;
        for (Path task : tasks(pid)) {
            try {
                if (name.test(Files.readString(task.resolve("comm")).strip())) {
                    total +=
                            Long.parseLong(
                                    Files.readString(task.resolve("schedstat")).split(" ", -1)[0]);
                }
            } catch (IOException ended) {
                // the thread ended meanwhile
            }
        }
        return total;
    }

    /** The names (comm) of the process's threads now. */
    public static List<String> threadNames(long pid) {
        List<String> names = new ArrayList<>();
        for (Path task : tasks(pid)) {
            try {
                names.add(Files.readString(task.resolve("comm")).strip());
            } catch (IOException ended) {
                // the thread ended meanwhile
            }
        }
        return names;
    }

    /**
     * The children of one thread of the process ({@code /proc/PID/task/TID/children}). Orphans that
     * the process adopts (as PID 1 or as a subreaper) are listed under its first thread, TID = PID:
     * reading that list alone is one read, where {@link ProcessTable#children} reads every
     * thread's.
     */
    public static List<Long> threadChildren(long pid, long tid) {
        List<Long> children = new ArrayList<>();
        try {
            for (String child :
                    Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/children"))
                            .strip()
                            .split(" ", -1)) {
                if (!child.isEmpty()) {
                    children.add(Long.parseLong(child));
                }
            }
        } catch (IOException ended) {
            // the thread or the process ended
        }
        return children;
    }

    /**
     * A number of /proc/PID/status: VmHWM, VmRSS (KiB), Threads...; 0 if the process has ended or
     * has no such line.
     */
    public static long statusFigure(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException gone) {
            // ended
        }
        return 0;
    }

    private static List<Path> tasks(long pid) {
        List<Path> tasks = new ArrayList<>();
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            dirs.forEach(tasks::add);
        } catch (IOException ended) {
            // the process ended
        }
        return tasks;
    }
}
