package dev.reaper.reap;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The children the JDK waits for itself: every pid that {@code ProcessHandleImpl.completions}
 * holds. The JDK adds a child there (and starts a thread blocked in waitpid for it) right after
 * starting it, on the thread that started it, and removes it only after that waitpid has returned;
 * a child the agent reaped first would report exit status 0 to the application. So a pid in this
 * map is never the agent's to reap.
 *
 * <p>The table is read when the reaper first asks about a zombie, not at the start: reading it
 * initialises {@code ProcessHandleImpl} (the JDK's reaper thread pool, 10 to 15 ms) where the
 * application has started no process yet, and then the JDK has no child, and the table is empty. A
 * child the JDK starts meanwhile is on its starting thread's list, never the leader's, until the
 * table holds it (see Ownership). Read by Field.get, whose first call costs little on every JDK (a
 * first Method.invoke costs a JDK 18+ JVM 5 to 20 ms, JEP 416; a first method handle, JDK 17 as
 * much).
 */
public final class JdkChildren implements LongPredicate {
    private final Field field;
    private final String unknownBecause;
    private volatile Map<?, ?> completions;

    private JdkChildren(Field field, Map<?, ?> completions, String unknownBecause) {
        this.field = field;
        this.completions = completions;
        this.unknownBecause = unknownBecause;
    }

    /**
     * Needs java.lang opened to this module (Instrumentation.redefineModule does that). Initialises
     * nothing.
     */
    public static JdkChildren find() {
        try {
            Field field =
                    Class.forName("java.lang.ProcessHandleImpl", false, null)
                            .getDeclaredField("completions");
            field.setAccessible(true);
            return new JdkChildren(field, null, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new JdkChildren(null, null, e.toString());
        }
    }

    /** A table of these pids, for tests. */
    static JdkChildren of(Set<Long> pids) {
        Map<Long, Boolean> table = new HashMap<>();
        for (long pid : pids) {
            table.put(pid, true);
        }
        return new JdkChildren(null, table, null);
    }

    /**
     * False if this JDK keeps its children elsewhere; then no child can be told apart from an
     * orphan.
     */
    public boolean known() {
        return unknownBecause == null;
    }

    public String unknownBecause() {
        return unknownBecause;
    }

    public boolean waitsFor(long pid) {
        Map<?, ?> table = table();
        return table != null && table.containsKey(pid);
    }

    /** {@link #waitsFor}, for {@link Ownership#decide}. */
    @Override
    public boolean test(long pid) {
        return waitsFor(pid);
    }

    /** The JDK's table (the same map for the JVM's life); null if unknown. */
    private Map<?, ?> table() {
        Map<?, ?> table = completions;
        if (table != null || field == null) {
            return table;
        }
        try {
            table = (Map<?, ?>) field.get(null);
            completions = table;
            return table;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the JDK's table of its children", e);
        }
    }
}
