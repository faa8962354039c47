package dev.reaper.proc;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The processes below one process, found from /proc: the children of each of its threads, their
 * children, and so on. Setsid'd and daemonized processes are in it too: a new session does not change
 * a process's parent, and an orphan is re-parented to the JVM (PID 1 or subreaper).
 */
public final class ProcessTree {
    private ProcessTree() {}

    /** Every descendant of {@code root}, parents before their children, zombies included. */
    public static List<Stat> descendants(long root) throws IOException {
        List<Stat> found = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        Deque<Long> parents = new ArrayDeque<>();
        parents.add(root);
        while (!parents.isEmpty()) {
            long parent = parents.poll();
            for (long tid : Proc.tasks(parent)) {
                for (long child : Proc.children(parent, tid)) {
                    Stat stat = child != root && seen.add(child) ? Proc.stat(child) : null;
                    if (stat != null && stat.ppid() == parent) { // not a pid reused since the list was read
                        found.add(stat);
                        parents.add(child);
                    }
                }
            }
        }
        return found;
    }
}
