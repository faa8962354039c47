package dev.reaper.boot;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The class the manifest names ({@code Premain-Class}, {@code Agent-Class}, {@code Main-Class}),
 * compiled for Java 8 (class-file version 52, see agent/pom.xml) and using nothing but java.*, so
 * that any JVM from 8 on can load it. Given to a fleet through JAVA_TOOL_OPTIONS, an agent whose
 * entry class an older JVM cannot read aborts that JVM (UnsupportedClassVersionError in premain):
 * here an older JVM gets one line on stderr instead, and its application runs. On Java 17 and later
 * it hands over to {@link ReaperAgent} and {@link ReaperMain}, after the check: nothing compiled
 * for 17 is loaded before it. ReaperAgent is called directly, not by reflection: a JVM resolves a
 * call's class only when the call first runs (or, resolving early, must raise any error only then:
 * JVMS 5.4), and the verifier does not load it (the arguments are java.* types); a first
 * Method.invoke costs a JDK 18+ JVM's main thread 10 to 20 ms (JEP 416: it spins method-handle
 * classes).
 */
public final class Entry {
    /** The oldest Java the agent runs on. */
    static final int NEEDED = 17;

    private Entry() {}

    /** {@code -javaagent:reaper.jar[=OPTIONS]}. */
    public static void premain(String arguments, Instrumentation instrumentation) {
        hand("premain", arguments, instrumentation);
    }

    /** Dynamic attach. */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        hand("attach", arguments, instrumentation);
    }

    /** {@code java -jar reaper.jar ...}: on an older Java, one line and status 2. */
    public static void main(String[] args) throws Throwable {
        String old = tooOld(System.getProperty("java.specification.version"));
        if (old != null) {
            System.err.println(old);
            System.exit(2);
        }
        Method main = Class.forName("dev.reaper.boot.ReaperMain").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // as if ReaperMain were the Main-Class
        }
    }

    /**
     * Null if this Java is new enough (or its version cannot be read: then the agent tries), else
     * the line to say, e.g. "reaper needs Java 17 or later; this is Java 11".
     *
     * @param specification {@code java.specification.version}: "1.8" for Java 8, "11", "17", "25"
     *     after
     */
    static String tooOld(String specification) {
        int feature = feature(specification);
        return feature < 0 || feature >= NEEDED
                ? null
                : "reaper needs Java " + NEEDED + " or later; this is Java " + feature;
    }

    /** 8 for "1.8", 11 for "11", 17 for "17.0.1"; -1 if it is none of these forms. */
    static int feature(String specification) {
        if (specification == null) {
            return -1;
        }
        String s = specification.startsWith("1.") ? specification.substring(2) : specification;
        int end = 0;
        while (end < s.length() && end < 9 && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Integer.parseInt(s.substring(0, end));
    }

    /**
     * On an older Java, one line; else calls ReaperAgent's entry point {@code method}. Whatever it
     * throws is said in one line, never a stack trace (premain's would abort the JVM).
     */
    private static void hand(String method, String arguments, Instrumentation instrumentation) {
        String old = tooOld(System.getProperty("java.specification.version"));
        if (old != null) {
            System.err.println(old + ": nothing is reaped");
            return;
        }
        try {
            if (method.equals("premain")) {
                ReaperAgent.premain(arguments, instrumentation);
            } else {
                ReaperAgent.attach(arguments, instrumentation);
            }
        } catch (Throwable e) {
            System.err.println("reaper: could not start (" + e + "): nothing is reaped");
        }
    }
}
