package dev.reaper.kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process table as /proc shows it, read the way ps reads it: independent of the agent under
 * test. From the host it holds the processes of every pid namespace nested in this one, numbered as
 * the host numbers them.
 */
public final class ProcessTable {
    /** One process: its pid, its parent's, and its state letter (R, S, Z...). */
    public record Entry(long pid, long ppid, char state) {
        public boolean zombie() {
            return state == 'Z';
        }
    }

    private ProcessTable() {}

    /** Every process now. */
    public static List<Entry> all() {
        List<Entry> processes = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse from the last ')'
                    String stat = Files.readString(dir.resolve("stat"));
                    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
                    processes.add(new Entry(Long.parseLong(dir.getFileName().toString()), Long.parseLong(rest[1]), rest[0].charAt(0)));
                } catch (IOException | RuntimeException gone) {
                    // ended (and reaped) since the directory was listed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc", e);
        }
        return processes;
    }

    /** Every descendant of {@code root}, not root itself. */
    public static List<Entry> descendants(long root) {
        Map<Long, List<Entry>> children = new HashMap<>();
        for (Entry p : all()) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        List<Entry> found = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            for (Entry child : children.getOrDefault(todo.pop(), List.of())) {
                found.add(child);
                todo.push(child.pid());
            }
        }
        return found;
    }

    /** Every zombie in this pid namespace (and those nested in it). */
    public static int zombies() {
        return (int) all().stream().filter(Entry::zombie).count();
    }

    /**
     * Zombies whose parent is {@code parent}: from its threads' children lists
     * (/proc/PID/task/TID/children), and each child's state. Quick enough to sample in a loop.
     */
    public static int zombieChildren(long parent) {
        return zombiesAmong(children(parent));
    }

    /** How many of these processes are zombies (those gone meanwhile are not). */
    public static int zombiesAmong(Iterable<Long> pids) {
        int zombies = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                zombies += stat.charAt(stat.lastIndexOf(')') + 2) == 'Z' ? 1 : 0;
            } catch (IOException gone) {
                // reaped meanwhile
            }
        }
        return zombies;
    }

    /** The children of {@code parent}, of all its threads; none if it has ended. */
    public static List<Long> children(long parent) {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + parent + "/task"))) {
            for (Path task : tasks) {
                try {
                    for (String pid : Files.readString(task.resolve("children")).strip().split(" ")) {
                        if (!pid.isEmpty()) {
                            children.add(Long.parseLong(pid));
                        }
                    }
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException ended) {
            // so has the process
        }
        return children;
    }

    /** Zombies anywhere below {@code root}. */
    public static int zombiesBelow(long root) {
        return (int) descendants(root).stream().filter(Entry::zombie).count();
    }

    /** Whether everything below {@code root} has ended: nothing left, or zombies only. */
    public static boolean onlyZombiesBelow(long root) {
        return descendants(root).stream().allMatch(Entry::zombie);
    }

    /** The command line of {@code pid}, its arguments joined by spaces; empty if it has ended. */
    public static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException gone) {
            return "";
        }
    }
}
