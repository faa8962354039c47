package dev.reaper.proc;

import static dev.reaper.linux.LibC.O_CLOEXEC;
import static dev.reaper.linux.LibC.O_RDONLY;

import dev.reaper.linux.LibC;
import java.io.IOException;

/**
 * One thread's /proc/PID/task/TID/children, kept open and read again with pread(2) from offset 0,
 * which makes the kernel list the children afresh. The reaper reads the leader thread's list on
 * every SIGCHLD: one system call instead of an open, a read and a close through java.nio.
 */
public final class ChildrenFile {
    private final int fd;
    private byte[] buffer = new byte[4096];

    public ChildrenFile(long pid, long tid) throws IOException {
        String path = "/proc/" + pid + "/task/" + tid + "/children";
        fd = LibC.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + path + ": errno " + LibC.errno());
        }
    }

    public long[] read() throws IOException {
        long n;
        while ((n = LibC.pread(fd, buffer, buffer.length, 0)) == buffer.length) {
            buffer = new byte[buffer.length * 2]; // the whole list must come in one read
        }
        if (n < 0) {
            throw new IOException("cannot read the children list: errno " + LibC.errno());
        }
        return Proc.parsePids(buffer, (int) n);
    }
}
