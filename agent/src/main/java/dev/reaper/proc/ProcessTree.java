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
 * children, and so on. Setsid'd and daemonized processes are in it too: a new session does not
 * change a process's parent, and an orphan is re-parented to the JVM (PID 1 or subreaper).
 */
public final class ProcessTree {
    private ProcessTree() {}

    /** What a walk does with each process it finds. */
    public interface Visitor {
        /**
         * Takes one process the walk found.
         *
         * @param parent the process it was found under
         * @param tid the thread of {@code parent} whose children list holds it (tid == parent: the
         *     leader, where orphans go)
         * @return whether to walk on below it
         */
        boolean visit(long parent, long tid, Stat child) throws IOException;
    }

    /** Visits every descendant of {@code root}, parents before their children, zombies included. */
    public static void walk(long root, Visitor visitor) throws IOException {
        Set<Long> seen = new HashSet<>();
        Deque<Long> parents = new ArrayDeque<>();
        parents.add(root);
        while (!parents.isEmpty()) {
            long parent = parents.poll();
            for (long tid : Proc.tasks(parent)) {
                for (long child : Proc.children(parent, tid)) {
                    Stat stat = child != root && seen.add(child) ? Proc.stat(child) : null;
                    // not gone, and not a pid reused since the list was read
                    if (stat != null && stat.ppid() == parent && visitor.visit(parent, tid, stat)) {
                        parents.add(child);
                    }
                }
            }
        }
    }

    /** Every descendant of {@code root}, parents before their children, zombies included. */
    public static List<Stat> descendants(long root) throws IOException {
        List<Stat> found = new ArrayList<>();
        walk(
                root,
                new Visitor() { // a class, not a lambda: see dev.reaper.boot.AgentLoader
                    @Override
                    public boolean visit(long parent, long tid, Stat child) {
                        found.add(child);
                        return true;
                    }
                });
        return found;
    }
}
