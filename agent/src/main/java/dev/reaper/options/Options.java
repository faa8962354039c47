package dev.reaper.options;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The agent's options, parsed from {@code key=value} pairs separated by commas.
 *
 * <p>They come from two places: the environment variable {@code REAPER_OPTIONS} and the agent's
 * own arguments ({@code -javaagent:reaper.jar=OPTIONS}). The agent's arguments win on conflict.
 * Within one place a key may be given once.
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
        Set<String> relay,
        Duration stopTimeout,
        Map<Integer, Integer> exitRemap,
        boolean stopOnExit,
        Jmx jmx) {

    public enum LogLevel { OFF, WARN, INFO, DEBUG }

    /** When the agent registers its MBean: once the platform MBean server exists, at once (creating it), or never. */
    public enum Jmx { AUTO, TRUE, FALSE }

    /** The JVM's shutdown signals, the ones the agent may relay. */
    public static final Set<String> SHUTDOWN_SIGNALS = Set.of("TERM", "INT", "HUP");

    public static final Options DEFAULTS = new Options(true, true, LogLevel.WARN, Duration.ofSeconds(5), Duration.ofSeconds(60), false,
            SHUTDOWN_SIGNALS, Duration.ofSeconds(8), Map.of(), true, Jmx.AUTO);

    /** Every key, with the values it accepts, in the order the README documents them. */
    private static final Map<String, String> ACCEPTED = new LinkedHashMap<>();
    static {
        ACCEPTED.put("enabled", "true or false");
        ACCEPTED.put("subreaper", "true or false");
        ACCEPTED.put("log", "off, warn, info or debug");
        ACCEPTED.put("sweep", "a duration from 10ms to 1h, e.g. 500ms, 2s, 1m");
        ACCEPTED.put("grace", "a duration from 0s to 1h, e.g. 500ms, 30s, 5m");
        ACCEPTED.put("strict", "true or false");
        ACCEPTED.put("relay", "shutdown signals joined by '+', from TERM, INT, HUP (e.g. TERM+INT), or none");
        ACCEPTED.put("stop-timeout", "a duration from 0s to 1h, e.g. 500ms, 8s, 1m");
        ACCEPTED.put("exit-remap", "FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat");
        ACCEPTED.put("stop-on-exit", "true or false");
        ACCEPTED.put("jmx", "auto, true or false");
    }

    /**
     * Parses both sources. {@code fromEnvironment} and {@code fromArguments} may be null or empty.
     *
     * @throws OptionsException naming the source, the bad part, and what is accepted
     */
    public static Options parse(String fromEnvironment, String fromArguments) throws OptionsException {
        Map<String, String> values = pairs(fromEnvironment, "REAPER_OPTIONS");
        Map<Integer, Integer> exitRemap = remaps(values.remove("exit-remap"), "REAPER_OPTIONS");
        Map<String, String> arguments = pairs(fromArguments, "the agent options");
        exitRemap.putAll(remaps(arguments.remove("exit-remap"), "the agent options"));
        values.putAll(arguments);
        boolean enabled = DEFAULTS.enabled;
        boolean subreaper = DEFAULTS.subreaper;
        LogLevel log = DEFAULTS.log;
        Duration sweep = DEFAULTS.sweep;
        Duration grace = DEFAULTS.grace;
        boolean strict = DEFAULTS.strict;
        Set<String> relay = DEFAULTS.relay;
        Duration stopTimeout = DEFAULTS.stopTimeout;
        boolean stopOnExit = DEFAULTS.stopOnExit;
        Jmx jmx = DEFAULTS.jmx;
        for (Map.Entry<String, String> option : values.entrySet()) {
            String key = option.getKey();
            String value = option.getValue();
            try {
                switch (key) {
                    case "enabled" -> enabled = bool(value);
                    case "subreaper" -> subreaper = bool(value);
                    case "log" -> log = LogLevel.valueOf(value.toUpperCase(Locale.ROOT));
                    case "sweep" -> sweep = duration(value, Duration.ofMillis(10), Duration.ofHours(1));
                    case "grace" -> grace = duration(value, Duration.ZERO, Duration.ofHours(1));
                    case "strict" -> strict = bool(value);
                    case "relay" -> relay = signals(value);
                    case "stop-timeout" -> stopTimeout = duration(value, Duration.ZERO, Duration.ofHours(1));
                    case "stop-on-exit" -> stopOnExit = bool(value);
                    case "jmx" -> jmx = Jmx.valueOf(value.toUpperCase(Locale.ROOT));
                    default -> throw new IllegalStateException(key); // pairs() admits known keys only
                }
            } catch (IllegalArgumentException e) {
                throw bad(key, value);
            }
        }
        return new Options(enabled, subreaper, log, sweep, grace, strict, relay, stopTimeout, Map.copyOf(exitRemap), stopOnExit, jmx);
    }

    private static OptionsException bad(String key, String value) {
        return new OptionsException("bad value '" + value + "' for " + key + "; accepted: " + ACCEPTED.get(key));
    }

    /** The exit-remap values of one source, joined by newlines by pairs(): FROM:TO each, FROM at most once. */
    private static Map<Integer, Integer> remaps(String joined, String source) throws OptionsException {
        Map<Integer, Integer> remaps = new TreeMap<>();
        if (joined == null) {
            return remaps;
        }
        for (String value : joined.split("\n")) {
            int colon = value.indexOf(':');
            int from;
            int to;
            try {
                from = status(colon < 0 ? "" : value.substring(0, colon));
                to = status(value.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw bad("exit-remap", value);
            }
            if (remaps.put(from, to) != null) {
                throw new OptionsException("exit-remap gives status " + from + " twice in " + source + "; give each FROM once");
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
    private static Set<String> signals(String value) {
        if (value.equalsIgnoreCase("none")) {
            return Set.of();
        }
        Set<String> signals = new TreeSet<>();
        for (String name : value.toUpperCase(Locale.ROOT).split("\\+", -1)) {
            String bare = name.startsWith("SIG") ? name.substring(3) : name;
            if (!SHUTDOWN_SIGNALS.contains(bare) || !signals.add(bare)) {
                throw new IllegalArgumentException(value);
            }
        }
        return Set.copyOf(signals);
    }

    /**
     * What a malformed option, or a problem under strict=true, does at start-up: one line on stderr,
     * and the JVM stops with status 2 before the application's main runs.
     */
    public static void refuseToStart(String message) {
        System.err.println("reaper: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    /** Splits one source into key/value pairs, refusing what is not {@code key=value} with a known key. */
    private static Map<String, String> pairs(String text, String source) throws OptionsException {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return pairs;
        }
        for (String part : text.split(",", -1)) {
            String item = part.strip();
            int eq = item.indexOf('=');
            if (item.isEmpty()) {
                throw new OptionsException("empty option in " + source + " '" + text + "': write key=value pairs separated by single commas");
            }
            if (eq < 0) {
                throw new OptionsException("option '" + item + "' in " + source + " has no value: write " + item + "=VALUE");
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            if (!ACCEPTED.containsKey(key)) {
                throw new OptionsException("unknown option '" + key + "' in " + source + "; accepted: " + String.join(", ", ACCEPTED.keySet()));
            }
            if (value.isEmpty()) {
                throw new OptionsException("option '" + key + "' in " + source + " has an empty value; accepted: " + ACCEPTED.get(key));
            }
            String before = pairs.put(key, value);
            if (before != null && key.equals("exit-remap")) {
                pairs.put(key, before + "\n" + value); // the one key that may repeat
            } else if (before != null) {
                throw new OptionsException("option '" + key + "' is given twice in " + source + "; give it once");
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
        int unitAt = 0;
        while (unitAt < value.length() && unitAt < 10 && value.charAt(unitAt) >= '0' && value.charAt(unitAt) <= '9') {
            unitAt++;
        }
        if (unitAt == 0 || unitAt == 10) {
            throw new IllegalArgumentException(value);
        }
        long amount = Long.parseLong(value.substring(0, unitAt));
        Duration d = switch (value.substring(unitAt)) {
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

    /** The options as {@code key=value} pairs, as a user would write them. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("enabled=" + enabled + ",subreaper=" + subreaper + ",log=" + log.name().toLowerCase(Locale.ROOT)
                + ",sweep=" + format(sweep) + ",grace=" + format(grace) + ",strict=" + strict
                + ",relay=" + (relay.isEmpty() ? "none" : String.join("+", new TreeSet<>(relay)))
                + ",stop-timeout=" + format(stopTimeout) + ",stop-on-exit=" + stopOnExit + ",jmx=" + jmx.name().toLowerCase(Locale.ROOT));
        for (Map.Entry<Integer, Integer> remap : new TreeMap<>(exitRemap).entrySet()) {
            text.append(",exit-remap=").append(remap.getKey()).append(':').append(remap.getValue());
        }
        return text.toString();
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
