package dev.reaper.options;

import dev.reaper.proc.Signal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The agent's options, parsed from {@code key=value} pairs separated by commas.
 *
 * <p>They come from two places: the environment variable {@code REAPER_OPTIONS} and the agent's own
 * arguments ({@code -javaagent:reaper.jar=OPTIONS}). The agent's arguments win on conflict. Within
 * one place a key may be given once.
 *
 * <p>This class runs on the application's main thread before main(), in the boot class loader's
 * copy too (see the agent pom): no lambdas or method references, which would start the JDK's
 * invokedynamic machinery there.
 */
public record Options(
        boolean enabled,
        boolean subreaper,
        LogLevel log,
        Duration sweep,
        Duration grace,
        boolean strict,
        Set<Signal> relay,
        StopOrder stopOrder,
        Duration stopTimeout,
        Duration stopBudget,
        Map<Integer, Integer> exitRemap,
        boolean stopOnExit,
        Jmx jmx) {

    public enum LogLevel {
        OFF,
        WARN,
        INFO,
        DEBUG
    }

    /**
     * When the agent registers its MBean: once the platform MBean server exists, at once (creating
     * it), or never.
     */
    public enum Jmx {
        AUTO,
        TRUE,
        FALSE
    }

    /**
     * When a stop's signal reaches the JVM's descendants: once the JVM's own shutdown hooks have
     * run (systemd's KillMode=mixed: the main process first), or at once, before them
     * (KillMode=control-group).
     */
    public enum StopOrder {
        HOOKS_FIRST,
        ALL_AT_ONCE;

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The JVM's shutdown signals, the ones the agent may relay. */
    public static final Set<Signal> SHUTDOWN_SIGNALS = Set.of(Signal.TERM, Signal.INT, Signal.HUP);

    /**
     * The option table: one line per option, in the order of the record's components. The key is
     * the name in lower case with '-' for '_'; then the kind of value (durations: their bounds),
     * the default, and what the option does. Error messages, {@link #toString}, the command line
     * tool's help and the README's table (a test holds it to this one) all come from here.
     */
    public enum Option {
        ENABLED(Kind.BOOLEAN, "true", "false: the agent does nothing"),
        SUBREAPER(Kind.BOOLEAN, "true", "register as child subreaper unless PID 1"),
        LOG(
                Kind.LOG_LEVEL,
                "warn",
                "what the agent logs through System.Logger; info: one key=value line per reaped zombie and per relayed shutdown"),
        SWEEP(
                "10ms",
                "1h",
                "5s",
                "while the JVM has no child, how often it looks for adopted orphans that no SIGCHLD announced"),
        GRACE(
                "0s",
                "1h",
                "60s",
                "how long a zombie of the JVM's own, not the JDK's, is left to whatever started it before it is reaped"),
        STRICT(Kind.BOOLEAN, "false", "refuse to start the JVM when reaping cannot work"),
        RELAY(
                Kind.SIGNALS,
                "TERM+INT+HUP",
                "the shutdown signals relayed to the JVM's descendants"),
        STOP_ORDER(
                Kind.STOP_ORDER,
                "hooks-first",
                "relay the signal once the JVM's shutdown hooks have run (a server's drain), or at once, before them"),
        STOP_TIMEOUT(
                "0s",
                "1h",
                "3s",
                "how long the descendants get after the relayed signal before SIGKILL"),
        STOP_BUDGET(
                "1s",
                "1h",
                "10s",
                "the time from the signal until the outside world's SIGKILL (docker stop: 10s); the relay, stop-timeout and SIGKILL end 1s before it"),
        EXIT_REMAP(
                Kind.EXIT_REMAP,
                null,
                "exit with TO instead of FROM when a shutdown signal ends the JVM, e.g. 143:0 (may repeat)"),
        STOP_ON_EXIT(
                Kind.BOOLEAN,
                "true",
                "on a normal exit of a container's main process, stop the descendants still running"),
        JMX(
                Kind.JMX,
                "auto",
                "the MBean dev.reaper:type=Reaper: once the JVM has an MBean server (auto), at once (true), never (false)");

        private final Kind kind;
        private final Duration min;
        private final Duration max;
        private final String fallback;
        private final String help;

        Option(Kind kind, String fallback, String help) {
            this(kind, null, null, fallback, help);
        }

        Option(String min, String max, String fallback, String help) {
            this(Kind.DURATION, min, max, fallback, help);
        }

        Option(Kind kind, String min, String max, String fallback, String help) {
            this.kind = kind;
            this.min = min == null ? null : Kind.duration(min, Duration.ZERO, Duration.ofDays(1));
            this.max = max == null ? null : Kind.duration(max, Duration.ZERO, Duration.ofDays(1));
            this.fallback = fallback;
            this.help = help;
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** How its value is written: true|false, DURATION, FROM:TO... */
        public String form() {
            return kind.form;
        }

        /** The default as the README gives it; null: none. */
        public String fallback() {
            return fallback;
        }

        public String help() {
            return help;
        }

        /** What the option accepts, for an error message. */
        public String accepted() {
            return switch (kind) {
                case DURATION ->
                        "a duration from "
                                + Kind.format(min)
                                + " to "
                                + Kind.format(max)
                                + ", e.g. 500ms, 2s, 1m";
                case SIGNALS ->
                        "shutdown signals joined by '+', from TERM, INT, HUP (e.g. TERM+INT), or none";
                case EXIT_REMAP ->
                        "FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat";
                default -> choiceOfWords(kind.form);
            };
        }

        /** "a, b or c" for the form "a|b|c". */
        private static String choiceOfWords(String form) {
            int last = form.lastIndexOf('|');
            return form.substring(0, last).replace("|", ", ") + " or " + form.substring(last + 1);
        }

        /**
         * The value of {@code text}; IllegalArgumentException if it is not one. Not for exit-remap,
         * which may repeat.
         */
        Object parse(String text) {
            return switch (kind) {
                case BOOLEAN -> bool(text);
                case LOG_LEVEL -> named(LogLevel.values(), text.toUpperCase(Locale.ROOT));
                case JMX -> named(Jmx.values(), text.toUpperCase(Locale.ROOT));
                case STOP_ORDER ->
                        named(StopOrder.values(), text.toUpperCase(Locale.ROOT).replace('-', '_'));
                case DURATION -> Kind.duration(text, min, max);
                case SIGNALS -> signals(text);
                case EXIT_REMAP -> throw new IllegalStateException(key());
            };
        }

        /** The value as a user would write it. */
        @SuppressWarnings("unchecked")
        String format(Object value) {
            return switch (kind) {
                case LOG_LEVEL, JMX -> ((Enum<?>) value).name().toLowerCase(Locale.ROOT);
                case STOP_ORDER -> ((StopOrder) value).key();
                case DURATION -> Kind.format((Duration) value);
                case SIGNALS -> signalNames((Set<Signal>) value);
                case BOOLEAN, EXIT_REMAP -> String.valueOf(value);
            };
        }

        private static String signalNames(Set<Signal> signals) {
            Set<String> names = new TreeSet<>();
            for (Signal signal : signals) {
                names.add(signal.name());
            }
            return names.isEmpty() ? "none" : String.join("+", names);
        }

        /**
         * The constant of this name; IllegalArgumentException if none. Not Enum.valueOf, which
         * finds the constants by reflection (a Method.invoke of values(): milliseconds of premain
         * on JDK 18+, JEP 416).
         */
        private static <E extends Enum<E>> E named(E[] constants, String name) {
            for (E constant : constants) {
                if (constant.name().equals(name)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(name);
        }

        static Option of(String key) {
            for (Option option : values()) {
                if (option.key().equals(key)) {
                    return option;
                }
            }
            return null;
        }
    }

    /**
     * The kinds of values, with how each is written. Durations are read and written here, not in
     * Options: the table calls these while it is built, which must not start Options' own
     * initialisation.
     */
    enum Kind {
        BOOLEAN("true|false"),
        LOG_LEVEL("off|warn|info|debug"),
        JMX("auto|true|false"),
        STOP_ORDER("hooks-first|all-at-once"),
        DURATION("DURATION"),
        SIGNALS("TERM+INT+HUP|none"),
        EXIT_REMAP("FROM:TO");

        final String form;

        Kind(String form) {
            this.form = form;
        }

        /** A whole number followed by one of ms, s, m, h; within [min, max]. */
        static Duration duration(String value, Duration min, Duration max) {
            int unitAt = 0;
            while (unitAt < value.length()
                    && unitAt < 10
                    && value.charAt(unitAt) >= '0'
                    && value.charAt(unitAt) <= '9') {
                unitAt++;
            }
            if (unitAt == 0 || unitAt == 10) {
                throw new IllegalArgumentException(value);
            }
            long amount = Long.parseLong(value.substring(0, unitAt));
            Duration d =
                    switch (value.substring(unitAt)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> throw new IllegalArgumentException(value);
                    };
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(value);
            }
            return d;
        }

        static String format(Duration d) {
            long ms = d.toMillis();
            if (ms % 3_600_000 == 0 && ms > 0) {
                return ms / 3_600_000 + "h";
            }
            if (ms % 60_000 == 0 && ms > 0) {
                return ms / 60_000 + "m";
            }
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
    }

    /**
     * Every option at its default. (Not a constant: premain parses the options once, not twice.)
     */
    public static Options defaults() {
        try {
            return parse(null, null);
        } catch (OptionsException e) {
            throw new IllegalStateException(
                    "a default in the option table is not a value of its option: "
                            + e.getMessage());
        }
    }

    /**
     * Parses both sources. {@code fromEnvironment} and {@code fromArguments} may be null or empty.
     *
     * @throws OptionsException naming the source, the bad part, and what is accepted
     */
    public static Options parse(String fromEnvironment, String fromArguments)
            throws OptionsException {
        Map<String, String> values = pairs(fromEnvironment, "REAPER_OPTIONS");
        Map<Integer, Integer> exitRemap =
                remaps(values.remove(Option.EXIT_REMAP.key()), "REAPER_OPTIONS");
        Map<String, String> arguments = pairs(fromArguments, "the agent options");
        exitRemap.putAll(remaps(arguments.remove(Option.EXIT_REMAP.key()), "the agent options"));
        values.putAll(arguments);
        Map<Option, Object> parsed = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            String given = values.get(option.key());
            String text = given != null ? given : option.fallback;
            try {
                parsed.put(
                        option,
                        option == Option.EXIT_REMAP ? Map.copyOf(exitRemap) : option.parse(text));
            } catch (IllegalArgumentException e) {
                throw bad(option, text);
            }
        }
        return of(parsed);
    }

    /** The record from the parsed values. */
    @SuppressWarnings("unchecked") // each option's parse gives its component's type
    private static Options of(Map<Option, Object> v) {
        return new Options(
                (Boolean) v.get(Option.ENABLED),
                (Boolean) v.get(Option.SUBREAPER),
                (LogLevel) v.get(Option.LOG),
                (Duration) v.get(Option.SWEEP),
                (Duration) v.get(Option.GRACE),
                (Boolean) v.get(Option.STRICT),
                (Set<Signal>) v.get(Option.RELAY),
                (StopOrder) v.get(Option.STOP_ORDER),
                (Duration) v.get(Option.STOP_TIMEOUT),
                (Duration) v.get(Option.STOP_BUDGET),
                (Map<Integer, Integer>) v.get(Option.EXIT_REMAP),
                (Boolean) v.get(Option.STOP_ON_EXIT),
                (Jmx) v.get(Option.JMX));
    }

    /** The record's values, by option. */
    private Map<Option, Object> values() {
        Map<Option, Object> v = new EnumMap<>(Option.class);
        v.put(Option.ENABLED, enabled);
        v.put(Option.SUBREAPER, subreaper);
        v.put(Option.LOG, log);
        v.put(Option.SWEEP, sweep);
        v.put(Option.GRACE, grace);
        v.put(Option.STRICT, strict);
        v.put(Option.RELAY, relay);
        v.put(Option.STOP_ORDER, stopOrder);
        v.put(Option.STOP_TIMEOUT, stopTimeout);
        v.put(Option.STOP_BUDGET, stopBudget);
        v.put(Option.EXIT_REMAP, exitRemap);
        v.put(Option.STOP_ON_EXIT, stopOnExit);
        v.put(Option.JMX, jmx);
        return v;
    }

    private static OptionsException bad(Option option, String value) {
        return new OptionsException(
                "bad value '"
                        + value
                        + "' for "
                        + option.key()
                        + "; accepted: "
                        + option.accepted());
    }

    /**
     * The exit-remap values of one source, joined by commas by pairs(): FROM:TO each, FROM at most
     * once.
     */
    private static Map<Integer, Integer> remaps(String joined, String source)
            throws OptionsException {
        Map<Integer, Integer> remaps = new TreeMap<>();
        if (joined == null) {
            return remaps;
        }
        for (String value : joined.split(",", -1)) {
            int colon = value.indexOf(':');
            int from;
            int to;
            try {
                from = status(colon < 0 ? "" : value.substring(0, colon));
                to = status(value.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw bad(Option.EXIT_REMAP, value);
            }
            if (remaps.put(from, to) != null) {
                throw new OptionsException(
                        "exit-remap gives status "
                                + from
                                + " twice in "
                                + source
                                + "; give each FROM once");
            }
        }
        return remaps;
    }

    private static int status(String text) {
        if (text.isEmpty() || text.length() > 3) {
            throw new IllegalArgumentException(text);
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new IllegalArgumentException(text);
            }
        }
        int status = Integer.parseInt(text);
        if (status > 255) {
            throw new IllegalArgumentException(text);
        }
        return status;
    }

    /** TERM+INT+HUP, any order and case, or none. */
    private static Set<Signal> signals(String value) {
        if (value.equalsIgnoreCase("none")) {
            return Set.of();
        }
        Set<Signal> signals = new HashSet<>();
        for (String name : value.split("\\+", -1)) {
            Signal signal = Signal.named(name);
            if (signal == null || !SHUTDOWN_SIGNALS.contains(signal) || !signals.add(signal)) {
                throw new IllegalArgumentException(value);
            }
        }
        return Set.copyOf(signals);
    }

    /**
     * What a malformed option, or a problem under strict=true, does at start-up: one line on
     * stderr, and the JVM stops with status 2 before the application's main runs.
     */
    public static void refuseToStart(String message) {
        System.err.println("reaper: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    /**
     * Splits one source into key/value pairs, refusing what is not {@code key=value} with a known
     * key.
     */
    private static Map<String, String> pairs(String text, String source) throws OptionsException {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return pairs;
        }
        for (String part : text.split(",", -1)) {
            String item = part.strip();
            int eq = item.indexOf('=');
            if (item.isEmpty()) {
                throw new OptionsException(
                        "empty option in "
                                + source
                                + " '"
                                + text
                                + "': write key=value pairs separated by single commas");
            }
            if (eq < 0) {
                throw new OptionsException(
                        "option '"
                                + item
                                + "' in "
                                + source
                                + " has no value: write "
                                + item
                                + "=VALUE");
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            Option option = Option.of(key);
            if (option == null) {
                throw new OptionsException(
                        "unknown option '" + key + "' in " + source + "; accepted: " + keys());
            }
            if (value.isEmpty()) {
                throw new OptionsException(
                        "option '"
                                + key
                                + "' in "
                                + source
                                + " has an empty value; accepted: "
                                + option.accepted());
            }
            String before = pairs.put(key, value);
            if (before != null && option == Option.EXIT_REMAP) {
                // the one key that may repeat; a value never holds a comma
                pairs.put(key, before + "," + value);
            } else if (before != null) {
                throw new OptionsException(
                        "option '" + key + "' is given twice in " + source + "; give it once");
            }
        }
        return pairs;
    }

    private static boolean bool(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(value);
    }

    /** A whole number followed by one of ms, s, m, h; within [min, max]. */
    static Duration duration(String value, Duration min, Duration max) {
        return Kind.duration(value, min, max);
    }

    /** Every key, in the table's order: "enabled, subreaper, ...". */
    private static String keys() {
        StringBuilder keys = new StringBuilder();
        for (Option option : Option.values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(option.key());
        }
        return keys.toString();
    }

    /** These options with another grace. */
    public Options withGrace(Duration newGrace) {
        return new Options(
                enabled,
                subreaper,
                log,
                sweep,
                newGrace,
                strict,
                relay,
                stopOrder,
                stopTimeout,
                stopBudget,
                exitRemap,
                stopOnExit,
                jmx);
    }

    /**
     * The options as {@code key=value} pairs, as a user would write them, in the table's order;
     * exit-remap once per status.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        Map<Option, Object> values = values();
        for (Option option : Option.values()) {
            if (option == Option.EXIT_REMAP) {
                for (Map.Entry<Integer, Integer> remap : new TreeMap<>(exitRemap).entrySet()) {
                    text.append(",exit-remap=")
                            .append(remap.getKey())
                            .append(':')
                            .append(remap.getValue());
                }
            } else {
                text.append(text.length() == 0 ? "" : ",")
                        .append(option.key())
                        .append('=')
                        .append(option.format(values.get(option)));
            }
        }
        return text.toString();
    }

    static String format(Duration d) {
        return Kind.format(d);
    }
}
