package dev.reaper.reap;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The children the JDK waits for itself: every pid that {@code ProcessHandleImpl.completions} holds.
 * The JDK adds a child there (and starts a thread blocked in waitpid for it) right after starting it,
 * on the thread that started it, and removes it only after that waitpid has returned; a child the
 * agent reaped first would report exit status 0 to the application. So a pid in this map is never
 * the agent's to reap.
 *
 * <p>The table is read once {@code ProcessHandleImpl} has been initialised, not before: initialising
 * it (the JDK's reaper thread pool) costs the agent's start 10 to 15 ms, and until the application
 * starts a process it is not initialised, and the JDK has no child. A child the JDK starts meanwhile
 * is on its starting thread's list, never the leader's, until the table holds it (see Ownership).
 */
public final class JdkChildren implements LongPredicate {
    private final Field field;
    /** jdk.internal.misc.Unsafe's getUnsafe() and shouldBeInitialized(Class): until the table is read. */
    private final Method getUnsafe;
    private final Method shouldBeInitialized;
    private final String unknownBecause;
    private volatile Map<?, ?> completions;
    /** The Unsafe, got at the first look into the table, not at the start. */
    private Object unsafe;

    private JdkChildren(Field field, Method getUnsafe, Method shouldBeInitialized, Map<?, ?> completions, String unknownBecause) {
        this.field = field;
        this.getUnsafe = getUnsafe;
        this.shouldBeInitialized = shouldBeInitialized;
        this.completions = completions;
        this.unknownBecause = unknownBecause;
    }

    /**
     * Needs java.lang opened to this module and jdk.internal.misc exported to it
     * (Instrumentation.redefineModule does that). Initialises nothing, and invokes nothing: a JDK
     * 18+ JVM's first Method.invoke of each kind costs milliseconds (JEP 416), which the agent's
     * start need not pay for a table the reaper reads only once it finds a zombie.
     */
    public static JdkChildren find() {
        try {
            Field field = Class.forName("java.lang.ProcessHandleImpl", false, null).getDeclaredField("completions");
            field.setAccessible(true);
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe", false, null);
            if (!unsafeClass.getModule().isExported(unsafeClass.getPackageName(), JdkChildren.class.getModule())) {
                throw new IllegalAccessException(unsafeClass.getPackageName() + " is not exported to the agent");
            }
            return new JdkChildren(field, unsafeClass.getMethod("getUnsafe"), unsafeClass.getMethod("shouldBeInitialized", Class.class), null, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new JdkChildren(null, null, null, null, e.toString());
        }
    }

    /** A table of these pids, for tests. */
    static JdkChildren of(Set<Long> pids) {
        Map<Long, Boolean> table = new HashMap<>();
        for (long pid : pids) {
            table.put(pid, true);
        }
        return new JdkChildren(null, null, null, table, null);
    }

    /** False if this JDK keeps its children elsewhere; then no child can be told apart from an orphan. */
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

    /** The JDK's table, once ProcessHandleImpl is initialised; null before (the JDK has no child then), or if unknown. */
    private Map<?, ?> table() {
        Map<?, ?> table = completions;
        return table != null || field == null ? table : readTable();
    }

    private synchronized Map<?, ?> readTable() {
        try {
            if (unsafe == null) {
                unsafe = getUnsafe.invoke(null);
            }
            if ((Boolean) shouldBeInitialized.invoke(unsafe, field.getDeclaringClass())) {
                return null;
            }
            Map<?, ?> table = (Map<?, ?>) field.get(null);
            completions = table;
            return table;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the JDK's table of its children", e);
        }
    }
}
