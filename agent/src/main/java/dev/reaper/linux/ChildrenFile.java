package dev.reaper.linux;

import static dev.reaper.linux.LibC.O_CLOEXEC;
import static dev.reaper.linux.LibC.O_RDONLY;

import com.sun.jna.Memory;
import dev.reaper.proc.Proc;
import java.io.IOException;

/**
 * One thread's /proc/PID/task/TID/children, kept open and read again with pread(2) from offset 0,
 * which makes the kernel list the children afresh. The reaper reads the leader thread's list on
 * every wake-up: a few system calls instead of an open, reads and a close through java.nio.
 *
 * <p>The kernel hands this file out at most a page per read, whatever the buffer's size: a list
 * longer than about 700 children takes several reads, at increasing offsets, until one comes back
 * short of a page ({@link #fill}).
 */
public final class ChildrenFile {
    private static final int MIN_ROOM = 4096;
    private static final int SURELY_ALL = MIN_ROOM - 16;
    private final int fd;
    private Memory buffer = new Memory(16384);
    private byte[] bytes = new byte[16384];

    public ChildrenFile(long pid, long tid) throws IOException {
        String path = "/proc/" + pid + "/task/" + tid + "/children";
        fd = LibC.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + path + ": " + LibC.error(LibC.errno()));
        }
    }

    /** Not thread-safe: the reaper's thread alone reads it. */
    public long[] read() throws IOException {
        int length = fill();
        return Proc.parsePids(bytes, length);
    }

    /** Whether {@code pid} is on the list. */
    public boolean lists(long pid) throws IOException {
        for (long listed : read()) {
            if (listed == pid) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the whole list into {@link #bytes}; returns its length. The kernel fills each read from
     * a buffer of one page (seq_file), and stops short of the page only when the list has ended or
     * the next entry would not fit (an entry is at most 8 bytes): so a read of fewer than {@value
     * #SURELY_ALL} bytes, into room for more, is all of it, and one system call does.
     */
    private int fill() throws IOException {
        long length = 0;
        while (true) {
            if (buffer.size() - length < MIN_ROOM) {
                Memory larger = new Memory(buffer.size() * 2);
                larger.write(0, buffer.getByteArray(0, (int) length), 0, (int) length);
                buffer = larger;
            }
            long n = LibC.pread(fd, buffer.share(length), buffer.size() - length, length);
            if (n < 0) {
                throw new IOException("cannot read the children list: " + LibC.error(LibC.errno()));
            }
            length += n;
            if (n < SURELY_ALL) {
                break;
            }
        }
        if (bytes.length < length) {
            bytes = new byte[(int) buffer.size()];
        }
        buffer.read(0, bytes, 0, (int) length);
        return (int) length;
    }
}
