package dev.reaper.linux;

import dev.reaper.proc.ProcessId;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The kernel through what java.base has already mapped (libjava), which needs no file of the
 * agent's own: it works from the agent's first millisecond, before JNA has loaded, and where JNA
 * cannot load at all (a read-only root, a noexec /tmp).
 *
 * <ul>
 *   <li>Zombies are found in /proc (each child's state in /proc/PID/stat): it cannot wait for a
 *       child to exit, so the reaper waits for SIGCHLD or its next look.
 *   <li>A zombie is reaped by the JDK's own native waitpid, {@code
 *       java.lang.ProcessHandleImpl.waitForProcessExit0(long pid, boolean reap)}: with {@code reap}
 *       true it calls {@code waitpid(pid, &status, 0)}, retried on EINTR, and returns the exit
 *       status, or 0x80 + the signal for a child killed by one; -2 (the JDK's NOT_A_CHILD) on
 *       ECHILD; -1 on any other error (the same in JDK 9 to 25, ProcessHandleImpl_unix.c). It
 *       blocks on a child that is not a zombie, so the child's state, parent and start time are
 *       checked just before: no pidfd pins it, and a window of microseconds remains in which its
 *       pid could be reaped by another and reused.
 *   <li>Signals go through {@code ProcessHandle.destroy}, which checks the start time too and can
 *       send SIGTERM and SIGKILL only: SIGINT and SIGHUP go out as SIGTERM.
 * </ul>
 *
 * Needs java.lang opened to the agent's module.
 */
public final class JdkKernel implements Kernel {
    /** What the JDK's waitpid returns for a pid that is not (any more) a child of this JVM. */
    static final int NOT_A_CHILD = -2;

    /**
     * JDK 18 and later call a Method through method handles (JEP 416), and its first call costs 5
     * to 20 ms: there the native is called through a method handle, whose first call costs a
     * quarter of that. On JDK 17 the reverse: its Method.invoke costs nothing to start, a first
     * method handle 5 to 25 ms.
     */
    private static final boolean HANDLES = Runtime.version().feature() >= 18;

    private final long self;
    private final Method waitForProcessExit;

    /** On JDK 18+, made at the first reap, not at the agent's start. */
    private MethodHandle waitForProcessExitHandle;

    private JdkKernel(long self, Method waitForProcessExit) {
        this.self = self;
        this.waitForProcessExit = waitForProcessExit;
    }

    /**
     * Finds the JDK's native; throws if this JDK has no such method, or it cannot be reached.
     * Initialises nothing: ProcessHandleImpl's initialisation (the JDK's own reaper thread pool)
     * costs 10 to 15 ms, which the first reap pays, if any, not the agent's start.
     */
    public static JdkKernel find(long self) throws ReflectiveOperationException {
        Method method =
                Class.forName("java.lang.ProcessHandleImpl", false, null)
                        .getDeclaredMethod("waitForProcessExit0", long.class, boolean.class);
        method.setAccessible(true);
        return new JdkKernel(self, method);
    }

    @Override
    public long self() {
        return self;
    }

    @Override
    public boolean wakesOnExit() {
        return false;
    }

    @Override
    public boolean pins() {
        return false;
    }

    @Override
    public long zombie(boolean wait) {
        return UNKNOWN;
    }

    @Override
    public boolean anyChild() throws IOException {
        for (long tid : threads()) {
            if (children(tid).length > 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isZombie(long pid) throws IOException {
        Stat stat = stat(pid);
        return stat != null && stat.zombie() && stat.ppid() == self;
    }

    @Override
    public int pin(long pid) {
        return UNPINNED;
    }

    @Override
    public void unpin(int pin) {}

    @Override
    public int reap(long pid, long startTime, int pin) throws IOException {
        Stat now = stat(pid);
        if (now == null
                || !now.zombie()
                || now.ppid() != self
                || (startTime != ProcessId.UNKNOWN && now.startTime() != startTime)) {
            // gone, reaped by another, or no longer this JVM's zombie: waitpid would block on it
            return NOT_REAPED;
        }
        int status;
        try {
            status =
                    HANDLES
                            ? (int) handle().invokeExact(pid, true)
                            : (Integer) waitForProcessExit.invoke(null, pid, true);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new IOException("the JDK's waitpid failed", e.getCause());
        } catch (RuntimeException | Error e) {
            throw e;
            // from invokeExact, which declares Throwable; the native throws nothing checked
        } catch (Throwable e) {
            throw new IOException("the JDK's waitpid failed", e);
        }
        // NOT_A_CHILD: reaped by another meanwhile; -1: an error, nothing reaped
        return status < 0 ? NOT_REAPED : status;
    }

    /** The reaper's thread alone reaps: no lock. */
    private MethodHandle handle() throws IllegalAccessException {
        if (waitForProcessExitHandle == null) {
            waitForProcessExitHandle = MethodHandles.lookup().unreflect(waitForProcessExit);
        }
        return waitForProcessExitHandle;
    }

    @Override
    public boolean signal(Stat seen, Signal signal) throws IOException {
        // reads the start time it will check before kill(2)
        Optional<ProcessHandle> handle = ProcessHandle.of(seen.pid());
        Stat now = stat(seen.pid());
        if (handle.isEmpty() || now == null || now.startTime() != seen.startTime()) {
            return false;
        }
        return signal == Signal.KILL ? handle.get().destroyForcibly() : handle.get().destroy();
    }
}
