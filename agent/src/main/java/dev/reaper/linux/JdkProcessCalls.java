package dev.reaper.linux;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The one system call the agent borrows from java.base when JNA cannot load (a read-only root, a
 * noexec /tmp): {@code java.lang.ProcessHandleImpl.waitForProcessExit0(long pid, boolean reap)}, the
 * JDK's own native, already mapped with libjava, which needs no file of ours to be mapped.
 *
 * <p>With {@code reap} true it calls {@code waitpid(pid, &status, 0)}, retried on EINTR, and returns
 * the exit status, or 128 + the signal for a child killed by one (as shells do); -2 (the JDK's
 * NOT_A_CHILD) on ECHILD; -1 on any other error. It blocks until the pid exits: call it only on a
 * zombie child (state Z, parent this JVM), which it then reaps at once. Same in JDK 9 to 25
 * (src/java.base/unix/native/libjava/ProcessHandleImpl_unix.c). Needs java.lang opened to this module.
 */
public final class JdkProcessCalls {
    /** What {@link #reap} returns for a pid that is not (any more) a child of this JVM. */
    public static final int NOT_A_CHILD = -2;

    private final Method waitForProcessExit;

    private JdkProcessCalls(Method waitForProcessExit) {
        this.waitForProcessExit = waitForProcessExit;
    }

    /** Finds the JDK's native; throws if this JDK has no such method, or it cannot be reached. */
    public static JdkProcessCalls find() throws ReflectiveOperationException {
        Method method = Class.forName("java.lang.ProcessHandleImpl").getDeclaredMethod("waitForProcessExit0", long.class, boolean.class);
        method.setAccessible(true);
        return new JdkProcessCalls(method);
    }

    /** Reaps a zombie child: its shell status (0 to 255), {@link #NOT_A_CHILD}, or -1. */
    public int reap(long pid) {
        try {
            return (Integer) waitForProcessExit.invoke(null, pid, true);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
