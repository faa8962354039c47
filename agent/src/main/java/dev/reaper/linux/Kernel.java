package dev.reaper.linux;

import dev.reaper.proc.Proc;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import java.io.IOException;

/**
 * What the reaper and the relay ask of the kernel about the JVM's children: the mechanics, with no
 * rule in them (the rules are in dev.reaper.reap.Ownership and dev.reaper.relay.Targets). Two
 * implementations: {@link NativeKernel}, through JNA (waitid, pidfds, any signal), and {@link
 * JdkKernel}, through the JDK's own natives and /proc, which works from the agent's first
 * millisecond and where JNA cannot load. Unit tests give the reaper a fake one.
 *
 * <p>The /proc queries default to the one /proc reader, {@link Proc}.
 */
public interface Kernel {
    /** {@link #zombie}: no child is a zombie now (or the wait was interrupted). */
    long NONE = 0;

    /** {@link #zombie}: the JVM has no child at all. */
    long NO_CHILD = -1;

    /** {@link #zombie}: this kernel cannot tell without a look at /proc. */
    long UNKNOWN = -2;

    /** {@link #pin}: the process is gone (reaped by someone else). */
    int GONE = -1;

    /** {@link #pin}: no pidfd to be had; the process is checked by its start time instead. */
    int UNPINNED = -2;

    /** {@link #reap}: nothing was reaped. */
    int NOT_REAPED = -1;

    /** The JVM's pid, as its /proc shows it. */
    long self();

    /**
     * Whether {@code zombie(true)} blocks until a child exits; if not, only SIGCHLD or a timeout
     * wakes the reaper.
     */
    boolean wakesOnExit();

    /**
     * A zombie child of the JVM, reaping nothing: its pid; {@link #NONE}, {@link #NO_CHILD}, or
     * {@link #UNKNOWN}. With {@code wait}, blocks until a child has exited (if {@link
     * #wakesOnExit}).
     */
    long zombie(boolean wait) throws IOException;

    /** Whether the JVM has any child, running or not. */
    boolean anyChild() throws IOException;

    /** Whether this child of the JVM is a zombie now. */
    boolean isZombie(long pid) throws IOException;

    /** The leader thread's children: where the kernel puts the orphans the JVM adopts. */
    default long[] leaderChildren() throws IOException {
        return Proc.children(self(), self());
    }

    /** The JVM's threads. */
    default long[] threads() throws IOException {
        return Proc.tasks(self());
    }

    /** One thread's children. */
    default long[] children(long tid) throws IOException {
        return Proc.children(self(), tid);
    }

    /** A process's stat, or null once it is gone. */
    default Stat stat(long pid) throws IOException {
        return Proc.stat(pid);
    }

    /**
     * Pins a process against pid reuse: a handle for {@link #reap} or {@link #unpin}, {@link
     * #GONE}, or {@link #UNPINNED}.
     */
    int pin(long pid);

    void unpin(int pin);

    /**
     * Reaps a zombie child, pinned or not, if it is still the process {@code startTime} names
     * ({@link dev.reaper.proc.ProcessId#UNKNOWN}: any, for a pinned one): its status in the shell's
     * convention (exit code, or 128 + signal), or {@link #NOT_REAPED}.
     */
    int reap(long pid, long startTime, int pin) throws IOException;

    /**
     * Sends {@code signal} to the very process {@code seen} describes, never to a pid reused since;
     * whether it was sent.
     */
    boolean signal(Stat seen, Signal signal) throws IOException;

    /**
     * Whether it pins processes (pidfds): without, a window of microseconds remains for a reused
     * pid.
     */
    boolean pins();
}
