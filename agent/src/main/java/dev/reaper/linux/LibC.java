package dev.reaper.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The C library calls the agent makes: a direct-mapped JNA binding, one line per call, constants
 * beside it. Values are those of Linux on x86-64 and aarch64.
 *
 * <p>A call returns -1 and leaves errno in {@link #errno()} ({@link #error} says it in words);
 * {@code throws LastErrorException} is not used because JNA raises it whenever errno is non-zero,
 * even after a successful call.
 */
public final class LibC {
    /*
     * Registered against the process's own symbols (dlopen(NULL)), among which the C library's: the
     * JVM is linked to it. Registering by name instead ("c") costs JNA a failed dlopen of libc.so (a
     * linker script on glibc systems), an UnsatisfiedLinkError and a scan of every library directory
     * for libc.so.*. (Through the process's symbols, an LD_PRELOAD library that defines one of these
     * calls gets the agent's calls too, as it gets any C program's.)
     *
     * The first use of NativeLibrary also runs /sbin/ldconfig -p (a fork, ~30 ms on the agent's
     * thread) to build its search path for libraries given by name, and keeps it in the system
     * property jna.platform.library.path, unless that is set already. That is left as it is: setting
     * the property for that moment would save the fork, but an application's own JNA that
     * initialised in that moment would read it, and find no library by name.
     */
    static {
        Native.register(LibC.class, NativeLibrary.getProcess());
    }

    private LibC() {}

    // prctl(2)
    public static final int PR_SET_CHILD_SUBREAPER = 36;

    // waitid(2): idtype and options; siginfo_t is read as int[SIGINFO_INTS]
    public static final int P_ALL = 0;
    public static final int P_PID = 1;
    public static final int P_PIDFD = 3;
    public static final int WNOHANG = 0x1;
    public static final int WEXITED = 0x4;
    public static final int WNOWAIT = 0x01000000;
    // __WNOTHREAD: the calling thread's children only
    public static final int WNOTHREAD = 0x20000000;
    public static final int SIGINFO_INTS = 32;
    public static final int SI_CODE = 2;
    public static final int SI_PID = 4;
    public static final int SI_STATUS = 6;
    public static final int CLD_EXITED = 1;
    public static final int CLD_DUMPED = 3;

    // open(2)
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    // errno(3): the ones the agent tells apart; and the names of errnos 1 to 38 (the same on x86-64
    // and aarch64), for messages
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    private static final String[] NAMES =
            ("- EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT"
                            + " ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS"
                            + " EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS")
                    .split(" ");

    // syscall(2) numbers, the same on x86-64 and aarch64
    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    public static final long SYS_PIDFD_OPEN = 434;

    public static native int getpid();

    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    public static native int waitid(int idtype, int id, int[] siginfo, int options);

    /**
     * The same, with siginfo_t in native memory ({@link #SIGINFO_INTS} ints): no copy in and out,
     * for the reaper's loop.
     */
    public static native int waitid(int idtype, int id, Pointer siginfo, int options);

    public static native int kill(int pid, int signal);

    public static native int close(int fd);

    public static native int open(String path, int flags);

    public static native long pread(int fd, Pointer buffer, long count, long offset);

    public static native String strerror(int errno);

    /**
     * syscall(2) is variadic, which direct mapping cannot declare: it is declared here with four
     * fixed long arguments instead. That is the same call for integer arguments on the two ABIs
     * these numbers are for: on x86-64 variadic integers travel in the same registers as fixed ones
     * (the count in %al concerns vector registers only, and glibc's syscall reads none), and
     * Linux's aarch64 ABI passes variadic arguments as fixed ones (unlike Apple's). The unused ones
     * are ignored by the kernel. No JNA internals (its flags for fixed-argument counts are
     * private), no reflective proxy.
     */
    private static native long syscall(long number, long arg1, long arg2, long arg3, long arg4);

    public static int pidfdOpen(int pid) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
    }

    public static int pidfdSendSignal(int pidfd, int signal) {
        return (int) syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
    }

    public static int errno() {
        return Native.getLastError();
    }

    /** An errno as tini and strerror(3) say it, with its name: "ECHILD (No child processes)". */
    public static String error(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : "errno " + errno;
        return name + " (" + strerror(errno) + ")";
    }
}
