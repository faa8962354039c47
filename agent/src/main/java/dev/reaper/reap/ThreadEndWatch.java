package dev.reaper.reap;

import static dev.reaper.linux.LibC.ECHILD;
import static dev.reaper.linux.LibC.P_ALL;
import static dev.reaper.linux.LibC.WEXITED;
import static dev.reaper.linux.LibC.WNOHANG;
import static dev.reaper.linux.LibC.WNOTHREAD;
import static dev.reaper.linux.LibC.WNOWAIT;

import com.sun.jna.Pointer;
import dev.reaper.linux.Jvmti;
import dev.reaper.linux.LibC;
import dev.reaper.log.Log;
import dev.reaper.proc.Proc;
import dev.reaper.proc.Stat;

/**
 * Records each ending Java thread's children in the owned set, before the kernel moves them to the
 * leader thread's list: HotSpot posts JVMTI ThreadEnd on the ending thread, after Thread.exit() and
 * before do_exit. Every Java thread ends this way, whatever started its children (the JDK,
 * NuProcess, JNA, JNI, a virtual thread's carrier).
 *
 * <p>The start makes it once JNA has loaded: nothing the reaper needs before that (the owned set
 * first) may name it, as it is a JNA callback, and loading a JNA class builds JNA's module layer
 * (tens of milliseconds on JDK 24 and later; see dev.reaper.boot.AgentLoader).
 */
public final class ThreadEndWatch implements Jvmti.ThreadEnd {
    private final OwnedChildren owned;
    private volatile boolean failed;

    /** Records in {@code owned}. */
    public ThreadEndWatch(OwnedChildren owned) {
        this.owned = owned;
    }

    /** On the ending thread. Never throws into the thread's exit. */
    @Override
    public void ended(long jvmti, long jni, long thread) {
        try {
            if (threadHasChild()) {
                for (long pid : Proc.childrenOfThisThread()) {
                    Stat stat = Proc.stat(pid);
                    if (stat != null) {
                        owned.record(stat);
                    }
                }
            }
        } catch (Throwable e) { // even an OutOfMemoryError: a thread's end must go on
            if (!failed) {
                try {
                    failed =
                            Log.warn(
                                    "could not record the children of an ending thread ("
                                            + e
                                            + "); they may be taken for orphans");
                } catch (Throwable outOfMemory) {
                    // the line could not be made: the next thread's end that fails says it
                }
            }
        }
    }

    /**
     * Whether waitid takes __WNOTHREAD (Linux 4.7 and later): probed once, so that a thread's end
     * costs one call, not two (errno).
     */
    private static final boolean PER_THREAD =
            LibC.waitid(P_ALL, 0, (Pointer) null, WEXITED | WNOHANG | WNOWAIT | WNOTHREAD) == 0
                    || LibC.errno() == ECHILD;

    /**
     * Whether the calling thread has any child, running or not: one system call (ECHILD if none),
     * and most threads end with none, even in a JVM that has children on other threads. The kernel
     * fills no siginfo when given none. Where waitid lacks __WNOTHREAD: whether the process has
     * any.
     */
    private static boolean threadHasChild() {
        return LibC.waitid(
                        P_ALL,
                        0,
                        (Pointer) null,
                        WEXITED | WNOHANG | WNOWAIT | (PER_THREAD ? WNOTHREAD : 0))
                == 0;
    }
}
