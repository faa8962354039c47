package dev.reaper.relay;

import static dev.reaper.linux.LibC.ESRCH;

import dev.reaper.linux.LibC;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;
import java.io.IOException;
import java.util.Optional;

/**
 * Sends a signal to a process of the JVM's tree, and never to a pid reused since by someone else:
 * it pins the process with pidfd_open, checks that the pinned process started when the one found in
 * the tree did, and signals it through the pidfd. Without pidfds (Linux before 5.3) it checks the
 * start time just before kill(2), which leaves a window of microseconds.
 *
 * <p>Before the native calls are ready, {@link #withoutNatives} signals through the JDK's
 * {@code ProcessHandle.destroy}, which sends SIGTERM (SIGKILL when forced) after a start-time check
 * of its own: then SIGINT and SIGHUP go out as SIGTERM.
 */
class Signaller {
    static final int SIGKILL = 9;

    private final boolean pidfds;

    Signaller(boolean pidfds) {
        this.pidfds = pidfds;
    }

    static Signaller withoutNatives() {
        return new Signaller(false) {
            @Override
            boolean send(Stat seen, int signal) throws IOException {
                Optional<ProcessHandle> handle = ProcessHandle.of(seen.pid()); // reads the start time it will check before kill(2)
                if (handle.isEmpty() || !same(seen)) {
                    return false;
                }
                return signal == SIGKILL ? handle.get().destroyForcibly() : handle.get().destroy();
            }
        };
    }

    /** True if the signal was sent to the very process {@code seen} describes. */
    boolean send(Stat seen, int signal) throws IOException {
        int pid = (int) seen.pid();
        if (!pidfds) {
            return same(seen) && LibC.kill(pid, signal) == 0;
        }
        int pidfd = LibC.pidfdOpen(pid);
        if (pidfd < 0) {
            // gone; or no pidfd to be had (EMFILE and the like): then as without pidfds
            return LibC.errno() != ESRCH && same(seen) && LibC.kill(pid, signal) == 0;
        }
        try {
            return same(seen) && LibC.pidfdSendSignal(pidfd, signal) == 0;
        } finally {
            LibC.close(pidfd);
        }
    }

    static boolean same(Stat seen) throws IOException {
        Stat now = Proc.stat(seen.pid());
        return now != null && now.startTime() == seen.startTime();
    }
}
