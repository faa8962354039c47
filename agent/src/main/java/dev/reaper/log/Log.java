package dev.reaper.log;

import dev.reaper.options.Options.LogLevel;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The agent's log: filtered first by the {@code log=} option, then handed to {@link System.Logger},
 * so that the application's logging decides where it goes.
 *
 * <p>The {@code System.Logger} is looked up only when the first line passes the filter: looking it
 * up can initialise the application's logging framework, which must not happen just because the
 * agent was loaded.
 */
public final class Log {
    private static volatile LogLevel level = LogLevel.WARN;
    private static volatile Logger logger;
    private static volatile boolean shuttingDown;

    private Log() {}

    public static void setLevel(LogLevel newLevel) {
        level = newLevel;
    }

    /**
     * The JVM has begun to shut down: the application's logging closes its handlers in a shutdown
     * hook of its own (java.util.logging's LogManager, Logback and Log4j each do), at any moment
     * from now. So from now on the agent's lines go straight to stderr, as the line a plain
     * java.util.logging console shows ("INFO: reaper: ..."), since nothing else might show them.
     */
    public static void shuttingDown() {
        shuttingDown = true;
    }

    public static boolean enabled(LogLevel wanted) {
        return wanted != LogLevel.OFF && level.compareTo(wanted) >= 0;
    }

    /**
     * Whether the line was handed on (or filtered out) without the application's logging failing.
     */
    public static boolean warn(String message) {
        return log(LogLevel.WARN, Level.WARNING, message);
    }

    public static void info(String message) {
        log(LogLevel.INFO, Level.INFO, message);
    }

    public static void debug(String message) {
        log(LogLevel.DEBUG, Level.DEBUG, message);
    }

    /**
     * Key=value fields for a line a log pipeline parses (logfmt): {@code fields("pid", 12,
     * "command", "tmux: server")} gives {@code pid=12 command="tmux: server"}. A value that is
     * empty or holds a space, a quote, a backslash or '=' is quoted, with quote, backslash and
     * newline escaped; null is {@code -}.
     */
    public static String fields(Object... keysAndValues) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            String value =
                    String.valueOf(keysAndValues[i + 1] == null ? "-" : keysAndValues[i + 1]);
            line.append(i == 0 ? "" : " ").append(keysAndValues[i]).append('=');
            if (needsQuotes(value)) {
                line.append('"')
                        .append(
                                value.replace("\\", "\\\\")
                                        .replace("\"", "\\\"")
                                        .replace("\n", "\\n"))
                        .append('"');
            } else {
                line.append(value);
            }
        }
        return line.toString();
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || c == '=') {
                return true;
            }
        }
        return value.isEmpty();
    }

    private static boolean log(LogLevel ours, Level theirs, String message) {
        if (!enabled(ours)) {
            return true;
        }
        try {
            if (shuttingDown) {
                System.err.println(
                        (theirs == Level.DEBUG ? "FINE" : theirs.getName())
                                + ": reaper: "
                                + message);
                return true;
            }
            Logger l = logger;
            if (l == null) {
                logger = l = System.getLogger("dev.reaper");
            }
            l.log(theirs, "reaper: " + message);
            return true;
        } catch (Throwable e) {
            // The application's logging failed, with whatever it threw (under EMFILE,
            // java.util.logging's first line throws a java.lang.Error from the time zone's static
            // initialiser): the agent has nowhere else to say it.
            return false;
        }
    }
}
