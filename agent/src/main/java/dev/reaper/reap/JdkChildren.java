package dev.reaper.reap;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Set;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The children the JDK waits for itself: every pid that {@code ProcessHandleImpl.completions} holds.
 * The JDK adds a child there (and starts a thread blocked in waitpid for it) right after starting it,
 * and removes it only after that waitpid has returned; a child the agent reaped first would report
 * exit status 0 to the application. So a pid in this map is never the agent's to reap.
 */
public final class JdkChildren implements LongPredicate {
    private final Map<?, ?> completions;
    private final String unknownBecause;

    private JdkChildren(Map<?, ?> completions, String unknownBecause) {
        this.completions = completions;
        this.unknownBecause = unknownBecause;
    }

    /** Needs java.lang opened to this module (Instrumentation.redefineModule does that). */
    public static JdkChildren find() {
        try {
            Field field = Class.forName("java.lang.ProcessHandleImpl").getDeclaredField("completions");
            field.setAccessible(true);
            return new JdkChildren((Map<?, ?>) field.get(null), null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new JdkChildren(null, e.toString());
        }
    }

    /** A table of these pids, for tests. */
    static JdkChildren of(Set<Long> pids) {
        Map<Long, Boolean> table = new HashMap<>();
        for (long pid : pids) {
            table.put(pid, true);
        }
        return new JdkChildren(table, null);
    }

    /** False if this JDK keeps its children elsewhere; then no child can be told apart from an orphan. */
    public boolean known() {
        return completions != null;
    }

    public String unknownBecause() {
        return unknownBecause;
    }

    public boolean waitsFor(long pid) {
        return completions != null && completions.containsKey(pid);
    }

    /** {@link #waitsFor}, for {@link Ownership#decide}. */
    @Override
    public boolean test(long pid) {
        return waitsFor(pid);
    }
}
