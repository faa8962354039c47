package dev.reaper.proc;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
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
 *
 * <p>Through java.io, not java.nio.file: premain reads /proc through here, and the first use of
 * java.nio.file's channels loads some 40 classes and libnio (about 3 ms), which java.io, whose
 * classes every JVM has loaded by then, does not; a read also costs less (no channel, no size
 * query). java.io does not say why a file could not be opened or listed, though: where it is there
 * and still was not, java.nio.file is asked again, and its exception says (EACCES, EMFILE...).
 */
public final class Proc {
    private static final String ROOT = "/proc/";
    private static final long[] NONE = new long[0];

    /** Most files read here (stat, children of a few processes, comm) fit; longer ones grow it. */
    private static final int FIRST_READ = 512;

    private Proc() {}

    /**
     * The pid of the calling process as /proc sees it (it differs from getpid() if /proc belongs to
     * another pid namespace).
     */
    public static long self() throws IOException {
        return lastNumber(new File(ROOT + "self").getCanonicalPath());
    }

    /** The id of the calling thread as /proc sees it. */
    public static long threadSelf() throws IOException {
        return lastNumber(new File(ROOT + "thread-self").getCanonicalPath());
    }

    /**
     * The calling process's pid in each pid namespace from /proc's down to its own (NSpid of
     * /proc/self/status, Linux 4.1+): the first is /proc's view, the last is getpid(); one pid if
     * /proc belongs to the process's own namespace. Null if the kernel does not say.
     */
    public static long[] selfNamespacePids() throws IOException {
        byte[] text = read(ROOT + "self/status");
        if (text == null) {
            return null;
        }
        String status = new String(text, StandardCharsets.ISO_8859_1);
        int at = status.indexOf("\nNSpid:");
        if (at < 0) {
            return null;
        }
        int end = status.indexOf('\n', at + 1);
        byte[] line =
                status.substring(at + "\nNSpid:".length(), end < 0 ? status.length() : end)
                        .getBytes(StandardCharsets.ISO_8859_1);
        long[] pids = parsePids(line, line.length);
        return pids.length == 0 ? null : pids;
    }

    /** The thread ids of a process; none once it is gone. */
    public static long[] tasks(long pid) throws IOException {
        File dir = new File(ROOT + pid + "/task");
        String[] names = dir.list();
        if (names == null && dir.exists()) {
            // there, but not listed (EMFILE, say): java.io does not say why
            return tasksSaying(dir.toPath());
        }
        return numbers(names);
    }

    /**
     * The thread ids through java.nio.file, whose exception says what went wrong (loaded only
     * then).
     */
    private static long[] tasksSaying(Path dir) throws IOException {
        long[] tids = new long[64];
        int n = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir)) {
            for (Path task : tasks) {
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
     * orphans to, the orphans this process adopted. Needs CONFIG_PROC_CHILDREN (every major
     * distribution has it).
     */
    public static long[] children(long pid, long tid) throws IOException {
        byte[] text = read(ROOT + pid + "/task/" + tid + "/children");
        return text == null ? NONE : parsePids(text, text.length);
    }

    /**
     * The children of the calling thread, read until two reads agree: a list longer than a page
     * comes in several reads, and children may exit (and be reaped) between them.
     */
    public static long[] childrenOfThisThread() throws IOException {
        String file = ROOT + "thread-self/children";
        byte[] last = read(file);
        // most threads end with none: one read
        for (int i = 0; i < 10 && last != null && last.length > 0; i++) {
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
        return new File(ROOT + pid + "/task/" + pid + "/children").canRead();
    }

    /** /proc/PID/stat, or null if the process is gone. */
    public static Stat stat(long pid) throws IOException {
        return parseStat(ROOT + pid + "/stat");
    }

    /** /proc/PID/task/TID/stat: one thread's; null if it has ended. */
    public static Stat stat(long pid, long tid) throws IOException {
        return parseStat(ROOT + pid + "/task/" + tid + "/stat");
    }

    /** The calling process's own stat. */
    public static Stat selfStat() throws IOException {
        return parseStat(ROOT + "self/stat");
    }

    /**
     * When the calling thread started, in clock ticks since boot (its own stat's field 22, as for a
     * process).
     */
    public static long threadStartTicks() throws IOException {
        Stat thread = parseStat(ROOT + "thread-self/stat");
        if (thread == null) {
            throw new IOException("cannot read /proc/thread-self/stat");
        }
        return thread.startTime();
    }

    private static Stat parseStat(String file) throws IOException {
        byte[] text = read(file);
        return text == null ? null : Stat.parse(new String(text, StandardCharsets.ISO_8859_1));
    }

    /**
     * One file of a process's /proc directory (status, maps, cmdline...), or null once the process
     * is gone.
     */
    public static byte[] file(long pid, String name) throws IOException {
        return read(ROOT + pid + "/" + name);
    }

    /**
     * The short command name (comm), kept by the kernel for zombies too; null if the process is
     * gone.
     */
    public static String command(long pid) throws IOException {
        byte[] text = read(ROOT + pid + "/comm");
        return text == null ? null : new String(text, StandardCharsets.UTF_8).strip();
    }

    /**
     * How long ago a zombie exited, in milliseconds; -1 if unknown. A zombie never runs again, so
     * the last time it ran (se.exec_start in /proc/PID/sched) is when it exited. That is the
     * scheduler's clock, which is not the monotonic clock System.nanoTime reads: in a virtual
     * machine that was paused they differ by seconds (seen here: 4.8 s). So "now" is read on the
     * same clock: the exec_start of the thread calling, which is running. Each CPU has its own
     * scheduler clock, and there they may differ by a fraction of a second (seen here: 0.3 s): the
     * figure is that rough. Needs CONFIG_SCHED_DEBUG, which Debian has.
     */
    public static long deadForMillis(long pid) throws IOException {
        double lastRan = execStartMillis(ROOT + pid + "/sched");
        double now = execStartMillis(ROOT + "thread-self/sched");
        return lastRan < 0 || now < 0 ? -1 : Math.max(0, (long) (now - lastRan));
    }

    /**
     * se.exec_start of a /proc/.../sched file, in milliseconds of the scheduler's clock; -1 if
     * unknown.
     */
    private static double execStartMillis(String file) throws IOException {
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
            return Double.parseDouble(
                    sched.substring(colon + 1, end < 0 ? sched.length() : end).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Every pid in this /proc. */
    public static long[] pids() throws IOException {
        String[] names = new File(ROOT).list();
        if (names == null) {
            throw new IOException("cannot list /proc");
        }
        return numbers(names);
    }

    /**
     * The names that are numbers, as numbers; none if {@code names} is null (a directory that is
     * gone).
     */
    private static long[] numbers(String[] names) {
        if (names == null) {
            return NONE;
        }
        long[] numbers = new long[names.length];
        int n = 0;
        for (String name : names) {
            if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
                numbers[n++] = Long.parseLong(name);
            }
        }
        return n == numbers.length ? numbers : Arrays.copyOf(numbers, n);
    }

    /** The number after the last '/' of a path: "/proc/12/task/34" gives 34. */
    private static long lastNumber(String path) throws IOException {
        try {
            return Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
        } catch (NumberFormatException e) {
            throw new IOException("not a /proc entry of a process: " + path);
        }
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

    /**
     * A file of one process, or null once the process is gone (ENOENT, or ESRCH between open and
     * read, whatever the locale says), or when it cannot be opened now (EMFILE, say);
     * AccessDeniedException if it is there but may not be read. /proc hands its files out a page
     * per read at most, and says nothing of their size.
     */
    private static byte[] read(String file) throws IOException {
        FileInputStream in;
        try {
            in = new FileInputStream(file);
        } catch (FileNotFoundException e) { // java.io says every errno so
            if (!new File(file).exists()) {
                return null; // gone: the common case, decided without java.nio.file
            }
            return readSaying(file);
        }
        try (in) {
            byte[] bytes = new byte[FIRST_READ];
            int length = 0;
            int n;
            while ((n = in.read(bytes, length, bytes.length - length)) > 0) {
                length += n;
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, bytes.length * 2);
                }
            }
            return Arrays.copyOf(bytes, length);
        } catch (IOException gone) {
            return null;
        }
    }

    /**
     * The same through java.nio.file, whose exceptions tell an access denied from the rest (loaded
     * only then).
     */
    private static byte[] readSaying(String file) throws IOException {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException gone) {
            return null;
        }
    }
}
