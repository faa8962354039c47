package dev.reaper.reap;

import dev.reaper.linux.Kernel;
import dev.reaper.proc.ProcessId;
import dev.reaper.proc.Signal;
import dev.reaper.proc.Stat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A process table for the reaper's unit tests, at the Kernel interface: the JVM (pid {@link #SELF},
 * threads SELF and {@link #WORKER}) and its children, each on one thread's list, running or a
 * zombie. What a real kernel does to a pid once it is reaped (free it for reuse) the tests do by
 * hand.
 */
class FakeKernel implements Kernel {
    static final long SELF = 10;
    static final long WORKER = 11;

    /** One child of the JVM. */
    static final class Child {
        final long pid;
        long startTime;
        long tid;
        boolean zombie;
        int status;

        Child(long pid, long startTime, long tid) {
            this.pid = pid;
            this.startTime = startTime;
            this.tid = tid;
        }
    }

    final Map<Long, Child> children = new LinkedHashMap<>();
    final List<Long> reaped = new ArrayList<>();
    private final boolean wakesOnExit;
    private final boolean pins;
    private int pinned;

    FakeKernel(boolean wakesOnExit, boolean pins) {
        this.wakesOnExit = wakesOnExit;
        this.pins = pins;
    }

    /**
     * A child on thread {@code tid}'s list (SELF: the leader's, where orphans and dead threads'
     * children are).
     */
    Child child(long pid, long startTime, long tid) {
        Child child = new Child(pid, startTime, tid);
        children.put(pid, child);
        return child;
    }

    /** A zombie with that exit status. */
    Child zombie(long pid, long startTime, long tid, int status) {
        Child child = child(pid, startTime, tid);
        child.zombie = true;
        child.status = status;
        return child;
    }

    /** How many pins are held: every pin must be given back. */
    int pinsHeld() {
        return pinned;
    }

    @Override
    public long self() {
        return SELF;
    }

    @Override
    public boolean wakesOnExit() {
        return wakesOnExit;
    }

    @Override
    public boolean pins() {
        return pins;
    }

    @Override
    public long zombie(boolean wait) {
        if (!wakesOnExit) {
            return UNKNOWN;
        }
        if (children.isEmpty()) {
            return NO_CHILD;
        }
        for (Child child : children.values()) {
            if (child.zombie) {
                return child.pid;
            }
        }
        return NONE;
    }

    @Override
    public boolean anyChild() {
        return !children.isEmpty();
    }

    @Override
    public boolean isZombie(long pid) {
        Child child = children.get(pid);
        return child != null && child.zombie;
    }

    @Override
    public long[] leaderChildren() {
        return children(SELF);
    }

    @Override
    public long[] threads() {
        return new long[] {SELF, WORKER};
    }

    @Override
    public long[] children(long tid) {
        return children.values().stream().filter(c -> c.tid == tid).mapToLong(c -> c.pid).toArray();
    }

    @Override
    public Stat stat(long pid) {
        Child child = children.get(pid);
        return child == null
                ? null
                : new Stat(pid, "child", child.zombie ? 'Z' : 'S', SELF, pid, pid, child.startTime);
    }

    @Override
    public int pin(long pid) {
        if (!pins) {
            return UNPINNED;
        }
        if (!children.containsKey(pid)) {
            return GONE;
        }
        pinned++;
        return (int) pid;
    }

    @Override
    public void unpin(int pin) {
        if (pin >= 0) {
            pinned--;
        }
    }

    @Override
    public int reap(long pid, long startTime, int pin) {
        Child child = children.get(pid);
        if (child == null
                || !child.zombie
                || (startTime != ProcessId.UNKNOWN && child.startTime != startTime)) {
            return NOT_REAPED;
        }
        children.remove(pid);
        reaped.add(pid);
        return child.status;
    }

    @Override
    public boolean signal(Stat seen, Signal signal) {
        return false;
    }
}
