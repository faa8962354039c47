package dev.reaper.demo;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's command line: {@code --port N --scripts DIR --timeout DURATION --marker-dir DIR},
 * each as {@code --flag value} or {@code --flag=value}, each optional.
 *
 * @param scripts null: the example scripts bundled in the jar
 * @param markerDir where the example script job.sh records how its jobs ended
 */
record ServerFlags(int port, Path scripts, Duration timeout, Path markerDir) {
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Path DEFAULT_MARKER_DIR =
            Path.of(System.getProperty("java.io.tmpdir"), "cgi-demo-markers");

    /** Every flag and what it accepts, for the one line a bad flag gets. */
    private static final Map<String, String> ACCEPTED = new LinkedHashMap<>();

    static {
        ACCEPTED.put(
                "--port",
                "a TCP port from 0 to 65535 (default " + DEFAULT_PORT + "; 0 picks a free one)");
        ACCEPTED.put("--scripts", "a directory of CGI scripts (default: the bundled examples)");
        ACCEPTED.put(
                "--timeout",
                "a duration from 100ms to 1h, e.g. 500ms, 5s, 2m (default "
                        + DEFAULT_TIMEOUT.toSeconds()
                        + "s)");
        ACCEPTED.put(
                "--marker-dir",
                "a directory for job.sh's markers (default " + DEFAULT_MARKER_DIR + ")");
    }

    /** A flag the server cannot start with; the message is the whole line the user sees. */
    public static final class BadFlag extends Exception {
        BadFlag(String message) {
            super(message, null, false, false);
        }
    }

    public static ServerFlags parse(String... args) throws BadFlag {
        int port = DEFAULT_PORT;
        Path scripts = null;
        Duration timeout = DEFAULT_TIMEOUT;
        Path markerDir = DEFAULT_MARKER_DIR;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String flag = eq > 0 ? arg.substring(0, eq) : arg;
            if (!ACCEPTED.containsKey(flag)) {
                throw new BadFlag(
                        "unknown flag '"
                                + arg
                                + "'; accepted: "
                                + String.join(", ", ACCEPTED.keySet())
                                + " (--help says more)");
            }
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadFlag(flag + " needs a value; accepted: " + ACCEPTED.get(flag));
            }
            switch (flag) {
                case "--port" -> port = port(value);
                case "--scripts" -> scripts = directory(flag, value);
                case "--timeout" -> timeout = duration(value);
                case "--marker-dir" -> markerDir = path(flag, value);
                default -> throw new IllegalStateException(flag);
            }
        }
        return new ServerFlags(port, scripts, timeout, markerDir);
    }

    /** What --help prints: one line per flag. */
    public static String help() {
        StringBuilder text =
                new StringBuilder("usage: java -jar demo-cgi-server.jar [FLAG VALUE]...\n");
        ACCEPTED.forEach(
                (flag, accepted) -> text.append(String.format("  %-13s %s%n", flag, accepted)));
        return text.append(
                        "Without the reaper: REAPER_OPTIONS=enabled=false java -jar demo-cgi-server.jar\n")
                .toString();
    }

    private static BadFlag bad(String flag, String value) {
        return new BadFlag(
                "bad value '" + value + "' for " + flag + "; accepted: " + ACCEPTED.get(flag));
    }

    private static int port(String value) throws BadFlag {
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) > 65535) {
            throw bad("--port", value);
        }
        return Integer.parseInt(value);
    }

    private static Path directory(String flag, String value) throws BadFlag {
        Path dir = path(flag, value);
        if (!Files.isDirectory(dir)) {
            throw bad(flag, value);
        }
        return dir;
    }

    private static Path path(String flag, String value) throws BadFlag {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw bad(flag, value);
        }
    }

    /** A whole number with ms, s, m or h, from 100 ms to an hour. */
    static Duration duration(String value) throws BadFlag {
        Matcher match = Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(value);
        if (!match.matches()) {
            throw bad("--timeout", value);
        }
        long amount = Long.parseLong(match.group(1));
        Duration d =
                switch (match.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
        if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw bad("--timeout", value);
        }
        return d;
    }
}
