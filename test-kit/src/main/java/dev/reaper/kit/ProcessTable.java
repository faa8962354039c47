package dev.reaper.kit;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process table as /proc shows it, read the way ps reads it: independent of the agent under
 * test. From the host it holds the processes of every pid namespace nested in this one, numbered as
 * the host numbers them. The one reader of /proc for the tests, the benchmark and the demo.
 */
public final class ProcessTable {
    /**
     * The kernel's clock tick, the unit of /proc/PID/stat's times (USER_HZ: 100 on every Linux that
     * matters here).
     */
    public static final long TICKS_PER_SECOND = 100;

    /**
     * One process, from /proc/PID/stat: its pid, its parent's, its state letter (R, S, Z...), its
     * process group and session, its start time (clock ticks since boot: with the pid, the
     * process's identity), the CPU time it has used (user and system, clock ticks) and its command
     * name (comm: at most 15 characters; a zombie keeps it, though it has no command line any
     * more).
     */
    public record Entry(
            long pid,
            long ppid,
            char state,
            long pgrp,
            long session,
            long startTicks,
            long cpuTicks,
            String command) {
        public boolean zombie() {
            return state == 'Z';
        }

        /** Pid and start time: this process and no other, even once its pid is reused. */
        public Id id() {
            return new Id(pid, startTicks);
        }
    }

    /** A process's identity: its pid and its start time (a reused pid has a later start time). */
    public record Id(long pid, long startTicks) {}

    /**
     * One thread of a process: its id and its name (comm, as the JVM sets it: at most 15
     * characters).
     */
    public record Task(long tid, String name) {}

    private ProcessTable() {}

    /** Every process now. */
    public static List<Entry> all() {
        String[] names = new File("/proc").list();
        if (names == null) {
            throw new UncheckedIOException(new IOException("cannot list /proc"));
        }
        List<Entry> processes = new ArrayList<>(names.length);
        for (String name : names) {
            if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                stat(Long.parseLong(name)).ifPresent(processes::add);
            }
        }
        return processes;
    }

    /** Process {@code pid} now; empty if there is none (it ended and was reaped). */
    public static Optional<Entry> stat(long pid) {
        String stat = read("/proc/" + pid + "/stat");
        return stat == null ? Optional.empty() : Optional.of(parse(pid, stat));
    }

    /**
     * Parses a line of /proc/PID/stat: "pid (comm) S ppid ...", where comm may hold spaces and
     * parentheses.
     */
    static Entry parse(long pid, String stat) {
        int close = stat.lastIndexOf(')');
        String command = stat.substring(stat.indexOf('(') + 1, close);
        // from the state on: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
        String[] f = stat.substring(close + 2).split(" ", 21);
        return new Entry(
                pid,
                Long.parseLong(f[1]),
                f[0].charAt(0),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[19]),
                Long.parseLong(f[11]) + Long.parseLong(f[12]),
                command);
    }

    /** Every descendant of {@code root}, not root itself. */
    public static List<Entry> descendants(long root) {
        return descendants(all(), List.of(root));
    }

    /** Every descendant in {@code table} of any of {@code roots}, roots not included. */
    public static List<Entry> descendants(List<Entry> table, Iterable<Long> roots) {
        Map<Long, List<Entry>> children = new HashMap<>();
        for (Entry p : table) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        List<Entry> found = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>();
        roots.forEach(todo::push);
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
            zombies += stat(pid).filter(Entry::zombie).isPresent() ? 1 : 0;
        }
        return zombies;
    }

    /** The children of {@code parent}, of all its threads; none if it has ended. */
    public static List<Long> children(long parent) {
        List<Long> children = new ArrayList<>();
        for (Task task : tasks(parent)) {
            children.addAll(threadChildren(parent, task.tid()));
        }
        return children;
    }

    /**
     * The children on the list of thread {@code tid} of {@code pid} (/proc/PID/task/TID/children):
     * those it forked, and, for the leader thread (tid = pid), the orphans the process adopted and
     * the children of its threads that have ended. Reading one thread's list, not all of them,
     * matters while sampling fast: each read holds the kernel's tasklist lock, which every fork and
     * exit needs.
     */
    public static List<Long> threadChildren(long pid, long tid) {
        String list = read("/proc/" + pid + "/task/" + tid + "/children");
        List<Long> children = new ArrayList<>();
        for (String child : list == null ? new String[0] : list.strip().split(" ")) {
            if (!child.isEmpty()) {
                children.add(Long.parseLong(child));
            }
        }
        return children;
    }

    /** The threads of {@code pid}, with their names; none if it has ended. */
    public static List<Task> tasks(long pid) {
        List<Task> tasks = new ArrayList<>();
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path dir : dirs) {
                String comm = read(dir.resolve("comm").toString());
                if (comm != null) { // else the thread ended meanwhile
                    tasks.add(new Task(Long.parseLong(dir.getFileName().toString()), comm.strip()));
                }
            }
        } catch (IOException ended) {
            // so has the process
        }
        return tasks;
    }

    /**
     * Whether {@code pid} has a thread named {@code name} (as /proc/PID/task/TID/comm shows it).
     */
    public static boolean hasThread(long pid, String name) {
        return tasks(pid).stream().anyMatch(t -> t.name().equals(name));
    }

    /**
     * The fields of /proc/PID/status (Name, State, VmRSS, VmHWM, Threads, SigIgn,
     * voluntary_ctxt_switches...), each value as written there ("1234 kB"); empty if the process
     * has ended.
     */
    public static Map<String, String> status(long pid) {
        return fields(read("/proc/" + pid + "/status"));
    }

    /** The same for one thread of it: /proc/PID/task/TID/status. */
    public static Map<String, String> status(long pid, long tid) {
        return fields(read("/proc/" + pid + "/task/" + tid + "/status"));
    }

    /**
     * A number of /proc/PID/status (the first number of its value: VmHWM in kB, Threads...); -1 if
     * absent.
     */
    public static long statusNumber(long pid, String field) {
        String value = status(pid).get(field);
        return value == null ? -1 : Long.parseLong(value.split(" ", -1)[0]);
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text == null ? new String[0] : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /**
     * CPU time thread {@code tid} of {@code pid} has run, in nanoseconds
     * (/proc/PID/task/TID/schedstat); -1 if it has ended.
     */
    public static long threadCpuNanos(long pid, long tid) {
        String schedstat = read("/proc/" + pid + "/task/" + tid + "/schedstat");
        return schedstat == null ? -1 : Long.parseLong(schedstat.split(" ", -1)[0]);
    }

    /** How many files {@code pid} has open (/proc/PID/fd); -1 if it has ended. */
    public static long openFiles(long pid) {
        String[] fds = new File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Clock ticks since boot (/proc/uptime), the clock of {@link Entry#startTicks()}. */
    public static long uptimeTicks() {
        String uptime = read("/proc/uptime");
        if (uptime == null) {
            throw new UncheckedIOException(new IOException("cannot read /proc/uptime"));
        }
        return (long) (Double.parseDouble(uptime.split(" ", -1)[0]) * TICKS_PER_SECOND);
    }

    /**
     * The command line of {@code pid}, its arguments joined by spaces; empty if it has ended (or is
     * a zombie).
     */
    public static String commandLine(long pid) {
        String cmdline = read("/proc/" + pid + "/cmdline");
        return cmdline == null ? "" : cmdline.replace('\0', ' ').strip();
    }

    /** Whether everything below {@code root} has ended: nothing left, or zombies only. */
    public static boolean onlyZombiesBelow(long root) {
        return descendants(root).stream().allMatch(Entry::zombie);
    }

    /** Zombies anywhere below {@code root}. */
    public static int zombiesBelow(long root) {
        return (int) descendants(root).stream().filter(Entry::zombie).count();
    }

    /**
     * SIGKILLs {@code root} and everything below it. The root first, then what was below it,
     * parents before their children (ProcessHandle lists descendants level by level): a shell that
     * loops on {@code sleep 1000 & wait} must be gone before its sleep is killed, or it starts
     * another one.
     */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> below = root.descendants().toList();
        root.destroyForcibly();
        below.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * The pid of this process's reaper: the process its orphans are re-parented to (the nearest
     * child subreaper above it, or PID 1 of its pid namespace). /proc does not show who is a
     * subreaper, so this orphans a process and looks where it went.
     */
    public static long reaperOfThisProcess() {
        try {
            Process sh =
                    new ProcessBuilder("sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!")
                            .redirectErrorStream(true)
                            .start();
            long orphan =
                    Long.parseLong(
                            new String(
                                            sh.getInputStream().readAllBytes(),
                                            StandardCharsets.US_ASCII)
                                    .strip());
            // sh has exited, its sleep re-parented: the kernel does that before sh's exit is
            // reported
            sh.waitFor();
            long reaper = stat(orphan).map(Entry::ppid).orElse(1L);
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
            return reaper;
        } catch (IOException | RuntimeException e) {
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** A small /proc file's text; null if it is gone (the process or thread ended). */
    private static String read(String file) {
        try (InputStream in = new FileInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return null;
        }
    }
}
