package dev.reaper.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads what the agent needs from /proc. Nothing here is cached: each call reads the kernel's
 * current view, and a process that is gone reads as absent (null or empty), never as an error.
 */
public final class Proc {
    private static final Path ROOT = Path.of("/proc");
    private static final long[] NONE = new long[0];

    private Proc() {}

    /** The pid of the calling process as /proc sees it (it differs from getpid() if /proc belongs to another pid namespace). */
    public static long self() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(ROOT.resolve("self")).toString());
    }

    /** The thread ids of a process. */
    public static long[] tasks(long pid) throws IOException {
        long[] tids = new long[64];
        int n = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(ROOT.resolve(pid + "/task"))) {
            for (Path task : dir) {
                if (n == tids.length) {
                    tids = Arrays.copyOf(tids, n * 2);
                }
                tids[n++] = Long.parseLong(task.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            return NONE;
        }
        return Arrays.copyOf(tids, n);
    }

    /**
     * The children of one thread: the processes it forked, plus, for the thread the kernel hands
     * orphans to, the orphans this process adopted. Needs CONFIG_PROC_CHILDREN (every major distribution has it).
     */
    public static long[] children(long pid, long tid) throws IOException {
        byte[] text = read(ROOT.resolve(pid + "/task/" + tid + "/children"));
        return text == null ? NONE : parsePids(text, text.length);
    }

    /**
     * The children of the calling thread, read until two reads agree: a list longer than a page comes
     * in several reads, and children may exit (and be reaped) between them.
     */
    public static long[] childrenOfThisThread() throws IOException {
        Path file = ROOT.resolve("thread-self/children");
        byte[] last = read(file);
        for (int i = 0; i < 10 && last != null && last.length > 0; i++) { // most threads end with none: one read
            byte[] again = read(file);
            if (Arrays.equals(last, again)) {
                break;
            }
            last = again;
        }
        return last == null ? NONE : parsePids(last, last.length);
    }

    /** Whether the kernel offers per-thread children lists. */
    public static boolean hasChildrenLists(long pid) {
        return Files.isReadable(ROOT.resolve(pid + "/task/" + pid + "/children"));
    }

    /** /proc/PID/stat, or null if the process is gone. */
    public static Stat stat(long pid) throws IOException {
        return stat(ROOT.resolve(pid + "/stat"));
    }

    /** /proc/PID/task/TID/stat: one thread's; null if it has ended. */
    public static Stat stat(long pid, long tid) throws IOException {
        return stat(ROOT.resolve(pid + "/task/" + tid + "/stat"));
    }

    /** The calling process's own stat. */
    public static Stat selfStat() throws IOException {
        return stat(ROOT.resolve("self/stat"));
    }

    /** When the calling thread started, in clock ticks since boot (its own stat's field 22, as for a process). */
    public static long threadStartTicks() throws IOException {
        Stat thread = stat(ROOT.resolve("thread-self/stat"));
        if (thread == null) {
            throw new IOException("cannot read /proc/thread-self/stat");
        }
        return thread.startTime();
    }

    private static Stat stat(Path file) throws IOException {
        byte[] text = read(file);
        return text == null ? null : Stat.parse(new String(text, StandardCharsets.ISO_8859_1));
    }

    /** One file of a process's /proc directory (status, maps, cmdline...), or null once the process is gone. */
    public static byte[] file(long pid, String name) throws IOException {
        return read(ROOT.resolve(pid + "/" + name));
    }

    /** The short command name (comm), kept by the kernel for zombies too; null if the process is gone. */
    public static String command(long pid) throws IOException {
        byte[] text = read(ROOT.resolve(pid + "/comm"));
        return text == null ? null : new String(text, StandardCharsets.UTF_8).strip();
    }

    /**
     * How long ago a zombie exited, in milliseconds; -1 if unknown. A zombie never runs again, so the
     * last time it ran (se.exec_start in /proc/PID/sched) is when it exited. That is the scheduler's
     * clock, which is not the monotonic clock System.nanoTime reads: in a virtual machine that was
     * paused they differ by seconds (seen here: 4.8 s). So "now" is read on the same clock: the
     * exec_start of the thread calling, which is running. Each CPU has its own scheduler clock, and
     * there they may differ by a fraction of a second (seen here: 0.3 s): the figure is that rough.
     * Needs CONFIG_SCHED_DEBUG, which Debian has.
     */
    public static long deadForMillis(long pid) throws IOException {
        double lastRan = execStartMillis(ROOT.resolve(pid + "/sched"));
        double now = execStartMillis(ROOT.resolve("thread-self/sched"));
        return lastRan < 0 || now < 0 ? -1 : Math.max(0, (long) (now - lastRan));
    }

    /** se.exec_start of a /proc/.../sched file, in milliseconds of the scheduler's clock; -1 if unknown. */
    private static double execStartMillis(Path file) throws IOException {
        byte[] text = read(file);
        if (text == null) {
            return -1;
        }
        String sched = new String(text, StandardCharsets.US_ASCII);
        int at = sched.indexOf("se.exec_start");
        if (at < 0) {
            return -1;
        }
        int colon = sched.indexOf(':', at);
        int end = sched.indexOf('\n', colon);
        try {
            return Double.parseDouble(sched.substring(colon + 1, end < 0 ? sched.length() : end).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Every pid in this /proc. */
    public static long[] pids() throws IOException {
        long[] pids = new long[256];
        int n = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(ROOT)) {
            for (Path entry : dir) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                if (n == pids.length) {
                    pids = Arrays.copyOf(pids, n * 2);
                }
                pids[n++] = Long.parseLong(name);
            }
        }
        return Arrays.copyOf(pids, n);
    }

    /** The pids in a children list ("12 34 "), the first {@code length} bytes of {@code text}. */
    public static long[] parsePids(byte[] text, int length) {
        long[] pids = new long[16];
        int n = 0;
        long value = -1;
        for (int i = 0; i < length; i++) {
            byte b = text[i];
            if (b >= '0' && b <= '9') {
                value = (value < 0 ? 0 : value * 10) + (b - '0');
            } else if (value >= 0) {
                if (n == pids.length) {
                    pids = Arrays.copyOf(pids, n * 2);
                }
                pids[n++] = value;
                value = -1;
            }
        }
        if (value >= 0) {
            pids = n == pids.length ? Arrays.copyOf(pids, n + 1) : pids;
            pids[n++] = value;
        }
        return Arrays.copyOf(pids, n);
    }

    /** A file of one process, or null once the process is gone (ENOENT, or ESRCH between open and read, whatever the locale says). */
    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException gone) {
            return null;
        }
    }
}
