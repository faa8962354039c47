package dev.reaper.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The binding against this machine's C library and kernel. */
class LibCTest {

    @Test
    void errorsAreSaidByNameAndMeaning() {
        assertThat(LibC.error(LibC.ECHILD)).isEqualTo("ECHILD (No child processes)");
        assertThat(LibC.error(LibC.ESRCH)).isEqualTo("ESRCH (No such process)");
        assertThat(LibC.error(38)).isEqualTo("ENOSYS (Function not implemented)");
        assertThat(LibC.error(200)).isEqualTo("errno 200 (Unknown error 200)");
    }

    @Test
    void theSyscallsGoThroughWithTheirArguments() {
        int self = LibC.getpid();
        assertThat(self).isEqualTo((int) ProcessHandle.current().pid());
        int pidfd = LibC.pidfdOpen(self);
        assertThat(pidfd).as("pidfd_open(self): %s", LibC.error(LibC.errno())).isNotNegative();
        try {
            assertThat(LibC.pidfdSendSignal(pidfd, 0))
                    .as("signal 0 through the pidfd: %s", LibC.error(LibC.errno()))
                    .isZero();
            assertThat(LibC.pidfdSendSignal(pidfd, 65)).as("no signal 65").isEqualTo(-1);
            assertThat(LibC.errno()).isEqualTo(22); // EINVAL: the signal number reached the kernel
        } finally {
            LibC.close(pidfd);
        }
        assertThat(LibC.pidfdOpen(Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(LibC.errno()).isEqualTo(LibC.ESRCH);
    }

    /**
     * The ThreadEnd watch's first question: has the ending thread itself any child? Another
     * thread's child must not count.
     */
    @Test
    void waitidWithWnothreadSeesOnlyTheCallingThreadsChildren() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start(); // a child of this thread
        try {
            int[] siginfo = new int[LibC.SIGINFO_INTS];
            int options = LibC.WEXITED | LibC.WNOHANG | LibC.WNOWAIT | LibC.WNOTHREAD;
            assertThat(LibC.waitid(LibC.P_ALL, 0, siginfo, options))
                    .as("this thread has a child")
                    .isZero();
            int[] other = new int[2];
            Thread thread =
                    new Thread(
                            () -> {
                                other[0] =
                                        LibC.waitid(
                                                LibC.P_ALL, 0, new int[LibC.SIGINFO_INTS], options);
                                other[1] = LibC.errno();
                            });
            thread.start();
            thread.join();
            assertThat(other)
                    .as("another thread has none of its own")
                    .containsExactly(-1, LibC.ECHILD);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
