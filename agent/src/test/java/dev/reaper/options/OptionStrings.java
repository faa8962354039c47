package dev.reaper.options;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Generated option strings for the property tests (OptionsFuzzTest in-process, OptionsFuzzIT
 * through real -javaagent launches): any characters, and lists of nearly right key=value pairs,
 * which reach the parser's deeper paths. Seeded, so that a failure can be replayed: each test says
 * its seed, and {@code -Dreaper.fuzz.seed=N} runs it again.
 */
public final class OptionStrings {
    /** The keys the README documents. */
    static final List<String> KEYS =
            List.of(
                    "enabled",
                    "subreaper",
                    "log",
                    "sweep",
                    "grace",
                    "strict",
                    "relay",
                    "stop-order",
                    "stop-timeout",
                    "stop-budget",
                    "exit-remap",
                    "stop-on-exit",
                    "jmx");

    /** Values near the edges of what each key accepts. */
    static final List<String> VALUES =
            List.of(
                    "true",
                    "false",
                    "TRUE",
                    "fAlSe",
                    "yes",
                    "0",
                    "1",
                    "off",
                    "warn",
                    "info",
                    "debug",
                    "loud",
                    "auto",
                    "hooks-first",
                    "all-at-once",
                    "HOOKS_FIRST",
                    "none",
                    "NONE",
                    "TERM",
                    "INT",
                    "HUP",
                    "KILL",
                    "SIGTERM",
                    "sigint",
                    "TERM+INT+HUP",
                    "TERM+TERM",
                    "TERM+",
                    "+",
                    "143:0",
                    "0:0",
                    "255:255",
                    "256:0",
                    "0:256",
                    ":",
                    "1:",
                    ":1",
                    "1:2:3",
                    "-1:0",
                    "0010:1",
                    "10ms",
                    "9ms",
                    "0s",
                    "500ms",
                    "1h",
                    "61m",
                    "3601s",
                    "999999999h",
                    "9999999999s",
                    "1d",
                    "-1s",
                    "1.5s",
                    "1 s",
                    "",
                    " ",
                    "=",
                    "==");

    /** What separates keys from values and pairs from pairs, rightly and wrongly. */
    private static final List<String> EQUALS = List.of("=", "=", "=", "", " = ", "==", ":");

    private static final List<String> COMMAS = List.of(",", ",", ", ", ",,", ";", " ");

    /** Characters the parser treats specially, and some it may not expect. */
    private static final String SPECIAL = ",=:+ \t-0123456789msh";

    private static final String CONTROL = "\n\r\u000b\f\u0085\u2028\u2029\u001b\u007f";
    private static final String FOREIGN =
            "\u00e9\u00df\u0130\u0131\u212a\u017f\u00a0\u3000\u200b\ufeff\ud83d\ude00";

    public final long seed;
    private final Random random;
    private final boolean commandLine;

    /**
     * {@code commandLine}: only what survives a trip through a process's arguments and environment
     * whatever the locale (ASCII without NUL); otherwise any char, lone surrogates and NUL
     * included.
     */
    public OptionStrings(boolean commandLine) {
        this.seed = Long.getLong("reaper.fuzz.seed", System.nanoTime());
        this.random = new Random(seed);
        this.commandLine = commandLine;
    }

    /** Either a list of nearly right options, or any characters; both as often. */
    public String next() {
        return random.nextBoolean() ? optionList() : anyChars(random.nextInt(40));
    }

    /**
     * Up to six options, each a key (known or not), an equals sign (or not) and a value (edge or
     * junk), separated by commas (or not).
     */
    public String optionList() {
        StringBuilder text = new StringBuilder();
        int options = random.nextInt(7);
        for (int i = 0; i < options; i++) {
            if (i > 0) {
                text.append(pick(COMMAS));
            }
            if (random.nextInt(8) == 0) {
                text.append(anyChars(random.nextInt(6)));
                continue;
            }
            text.append(random.nextInt(4) > 0 ? pick(KEYS) : anyChars(random.nextInt(8)));
            text.append(pick(EQUALS));
            int kind = random.nextInt(4);
            text.append(
                    kind < 2
                            ? pick(VALUES)
                            : kind == 2
                                    ? from(SPECIAL, random.nextInt(12))
                                    : anyChars(random.nextInt(8)));
        }
        return text.toString();
    }

    public String anyChars(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 4) {
                text.append((char) (0x20 + random.nextInt(0x5f))); // printable ASCII
            } else if (kind < 7) {
                text.append(SPECIAL.charAt(random.nextInt(SPECIAL.length())));
            } else if (commandLine) {
                text.append(
                        kind == 7 ? '\t' : kind == 8 ? '\n' : (char) (1 + random.nextInt(0x7f)));
            } else {
                text.append(
                        kind == 7
                                ? CONTROL.charAt(random.nextInt(CONTROL.length()))
                                : kind == 8
                                        ? FOREIGN.charAt(random.nextInt(FOREIGN.length()))
                                        : (char) random.nextInt(0x10000));
            }
        }
        return text.toString();
    }

    private String pick(List<String> list) {
        return list.get(random.nextInt(list.size()));
    }

    private String from(String chars, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(chars.charAt(random.nextInt(chars.length())));
        }
        return text.toString();
    }

    /**
     * The shortest string found by deleting characters from {@code failing} that still {@code
     * fails}: the failure, readable.
     */
    public static String shrink(String failing, Predicate<String> fails) {
        String smallest = failing;
        boolean shrunk = true;
        while (shrunk) {
            shrunk = false;
            for (int width = smallest.length(); width > 0 && !shrunk; width /= 2) {
                for (int at = 0; at + width <= smallest.length(); at++) {
                    String candidate = smallest.substring(0, at) + smallest.substring(at + width);
                    if (fails.test(candidate)) {
                        smallest = candidate;
                        shrunk = true;
                        break;
                    }
                }
            }
        }
        return smallest;
    }

    /** A string as Java source would write it, so that a failure shows its control characters. */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            quoted.append(
                    c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
                            ? String.valueOf(c)
                            : String.format("\\u%04x", (int) c));
        }
        return quoted.append('"').toString();
    }
}
