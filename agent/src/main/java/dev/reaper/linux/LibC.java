package dev.reaper.linux;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C library calls the agent makes: a direct-mapped JNA binding, one line per call, constants
 * beside it. Values are those of Linux on x86-64 and aarch64.
 *
 * <p>A call returns -1 and leaves errno in {@link #errno()}; {@code throws LastErrorException} is
 * not used because JNA raises it whenever errno is non-zero, even after a successful call.
 */
public final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {}

    // prctl(2)
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_GET_CHILD_SUBREAPER = 37;

    // waitid(2): idtype and options; siginfo_t is read as int[SIGINFO_INTS]
    public static final int P_ALL = 0;
    public static final int P_PID = 1;
    public static final int P_PIDFD = 3;
    public static final int WNOHANG = 0x1;
    public static final int WEXITED = 0x4;
    public static final int WNOWAIT = 0x01000000;
    public static final int SIGINFO_INTS = 32;
    public static final int SI_CODE = 2;
    public static final int SI_PID = 4;
    public static final int SI_STATUS = 6;
    public static final int CLD_EXITED = 1;
    public static final int CLD_KILLED = 2;
    public static final int CLD_DUMPED = 3;

    // sigaction(2): the old action is read as long[SIGACTION_LONGS]; its first word is the handler
    public static final int SIGACTION_LONGS = 20;
    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;

    // open(2)
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    // errno(3)
    public static final int ECHILD = 10;
    public static final int ESRCH = 3;
    public static final int EMFILE = 24;
    public static final int EINTR = 4;
    public static final int ENOSYS = 38;

    // syscall(2) numbers, the same on x86-64 and aarch64
    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    public static final long SYS_PIDFD_OPEN = 434;

    public static native int getpid();
    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    public static native int waitid(int idtype, int id, int[] siginfo, int options);
    public static native int kill(int pid, int signal);
    public static native int sigaction(int signal, Pointer action, long[] oldAction);
    public static native int close(int fd);
    public static native int open(String path, int flags);
    public static native long pread(int fd, Pointer buffer, long count, long offset);

    /**
     * syscall(2) is variadic, which direct mapping cannot express. A JNA Function told how many
     * arguments are fixed (one: the number) makes a true variadic call, without the reflective proxy
     * an interface mapping would generate.
     */
    private static final int ONE_FIXED_ARGUMENT = 1 << 7; // the fixed-argument count sits above bit 7 of JNA's call flags
    private static final Function SYSCALL = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("syscall", ONE_FIXED_ARGUMENT);

    public static int pidfdOpen(int pid) {
        return (int) SYSCALL.invokeLong(new Object[] {SYS_PIDFD_OPEN, (long) pid, 0L});
    }

    public static int pidfdSendSignal(int pidfd, int signal) {
        return (int) SYSCALL.invokeLong(new Object[] {SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, 0L, 0L});
    }

    public static int errno() {
        return Native.getLastError();
    }
}
