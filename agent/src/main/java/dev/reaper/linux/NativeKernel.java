package dev.reaper.linux;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.EINTR;
import static dev.reaper.linux.LibC.ESRCH;
import static dev.reaper.linux.LibC.P_ALL;
import static dev.reaper.linux.LibC.P_PID;
import static dev.reaper.linux.LibC.P_PIDFD;
import static dev.reaper.linux.LibC.SIGINFO_INTS;
import static dev.reaper.linux.LibC.SI_CODE;
import static dev.reaper.linux.LibC.SI_PID;
import static dev.reaper.linux.LibC.SI_STATUS;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;
import static dev.reaper.linux.LibC.WNOWAIT;

import com.sun.jna.Memory;
import dev.reaper.proc.ExitStatus;
import dev.reaper.proc.ProcessId;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import java.io.IOException;

/**
 * The kernel through JNA: zombies found by waitid(WNOWAIT), which blocks until any child exits and
 * reaps nothing; each process pinned by a pidfd before it is reaped or signalled, so that a pid
 * reused meanwhile is never touched (without pidfds, before Linux 5.4 or under a seccomp profile
 * that refuses them, it is checked by its start time just before, which leaves a window of
 * microseconds); any signal. The leader thread's children list is kept open and read with pread.
 *
 * <p>The reaper's calls come from its one thread: the siginfo buffer is not shared. {@link #signal}
 * may come from another thread (the relay), and uses none of it.
 */
public final class NativeKernel implements Kernel {
    private static final long SI_PID_OFFSET = SI_PID * 4L;

    private final long self;
    private final boolean pidfds;
    private final ChildrenFile leaderChildren;

    /** waitid's siginfo_t, in native memory: an int[] would be copied in and out by each call. */
    private final Memory siginfo = new Memory(SIGINFO_INTS * 4L);

    public NativeKernel(long self, boolean pidfds) throws IOException {
        this.self = self;
        this.pidfds = pidfds;
        this.leaderChildren = new ChildrenFile(self, self);
    }

    /**
     * Whether pidfd_open (Linux 5.3) and waitid(P_PIDFD) (Linux 5.4) work here: on our own pidfd,
     * waitid says ECHILD if it understood. Null if they do; else why not.
     */
    public static String pidfdsRefused(long self) {
        int fd = LibC.pidfdOpen((int) self);
        if (fd < 0) {
            return "pidfd_open: " + LibC.error(LibC.errno());
        }
        try {
            if (LibC.waitid(P_PIDFD, fd, new int[SIGINFO_INTS], WEXITED | WNOHANG) == -1
                    && LibC.errno() == ECHILD) {
                return null;
            }
            return "waitid(P_PIDFD): " + LibC.error(LibC.errno());
        } finally {
            LibC.close(fd);
        }
    }

    @Override
    public long self() {
        return self;
    }

    @Override
    public boolean wakesOnExit() {
        return true;
    }

    @Override
    public boolean pins() {
        return pidfds;
    }

    @Override
    public long zombie(boolean wait) throws IOException {
        siginfo.setInt(SI_PID_OFFSET, 0);
        if (LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOWAIT | (wait ? 0 : WNOHANG)) == 0) {
            return siginfo.getInt(SI_PID_OFFSET); // 0 (NONE) with WNOHANG when no child has exited
        }
        int errno = LibC.errno();
        if (errno == ECHILD) {
            return NO_CHILD;
        }
        if (errno == EINTR) {
            return NONE;
        }
        throw new IOException("waitid(P_ALL) failed: " + LibC.error(errno));
    }

    @Override
    public boolean anyChild() {
        return LibC.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0;
    }

    /** One waitid per child, no /proc read. */
    @Override
    public boolean isZombie(long pid) {
        siginfo.setInt(SI_PID_OFFSET, 0);
        return LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG | WNOWAIT) == 0
                && siginfo.getInt(SI_PID_OFFSET) != 0;
    }

    /** One pread of the list kept open. */
    @Override
    public long[] leaderChildren() throws IOException {
        return leaderChildren.read();
    }

    @Override
    public int pin(long pid) {
        if (!pidfds) {
            return UNPINNED;
        }
        int fd = LibC.pidfdOpen((int) pid);
        // EMFILE and the like: do without
        return fd >= 0 ? fd : LibC.errno() == ESRCH ? GONE : UNPINNED;
    }

    @Override
    public void unpin(int pin) {
        if (pin >= 0) {
            LibC.close(pin);
        }
    }

    @Override
    public int reap(long pid, long startTime, int pin) throws IOException {
        if (pin == GONE || (startTime != ProcessId.UNKNOWN && !sameStart(pid, startTime))) {
            return NOT_REAPED;
        }
        siginfo.setInt(SI_PID_OFFSET, 0);
        int rc =
                pin >= 0
                        ? LibC.waitid(P_PIDFD, pin, siginfo, WEXITED | WNOHANG)
                        : LibC.waitid(P_PID, (int) pid, siginfo, WEXITED | WNOHANG);
        if (rc != 0 || siginfo.getInt(SI_PID_OFFSET) == 0) {
            return NOT_REAPED;
        }
        return ExitStatus.of(siginfo.getInt(SI_CODE * 4L), siginfo.getInt(SI_STATUS * 4L))
                .shellStatus();
    }

    @Override
    public boolean signal(Stat seen, Signal signal) throws IOException {
        int pid = (int) seen.pid();
        int pidfd = pidfds ? LibC.pidfdOpen(pid) : -1;
        if (pidfd < 0) {
            // no pidfds, or none to be had (EMFILE and the like): the start time, just before
            // kill(2); gone: nothing to do
            return (!pidfds || LibC.errno() != ESRCH)
                    && sameStart(seen.pid(), seen.startTime())
                    && LibC.kill(pid, signal.number()) == 0;
        }
        try {
            return sameStart(seen.pid(), seen.startTime())
                    && LibC.pidfdSendSignal(pidfd, signal.number()) == 0;
        } finally {
            LibC.close(pidfd);
        }
    }

    private boolean sameStart(long pid, long startTime) throws IOException {
        Stat now = stat(pid);
        return now != null && now.startTime() == startTime;
    }
}
