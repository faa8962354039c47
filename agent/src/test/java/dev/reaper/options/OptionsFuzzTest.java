package dev.reaper.options;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Property: any string as the agent's options, from -javaagent or from REAPER_OPTIONS, is either
 * accepted or refused with one line saying what is wrong; nothing else escapes the parser, and
 * accepted options, written back, parse to the same. Generated inputs (OptionStrings), tens of
 * thousands per run; a failure is shrunk to a short string and says its seed. The same property
 * through real -javaagent launches is OptionsFuzzIT.
 */
class OptionsFuzzTest {
    private static final int TRIES = 20_000;

    @Test
    void anyStringAsTheAgentsArgumentsIsAcceptedOrRefusedInOneLine() {
        holdsForAll(text -> problem(null, text));
    }

    @Test
    void anyStringInTheEnvironmentIsAcceptedOrRefusedInOneLine() {
        holdsForAll(text -> problem(text, null));
    }

    @Test
    void anyPairOfSourcesIsAcceptedOrRefusedInOneLine() {
        // both sources in one string, split at the first NUL (which neither source can hold in a
        // real process)
        holdsForAll(
                text ->
                        text.indexOf('\0') < 0
                                ? problem(text, text)
                                : problem(
                                        text.substring(0, text.indexOf('\0')),
                                        text.substring(text.indexOf('\0') + 1)));
    }

    private static void holdsForAll(java.util.function.Function<String, String> problem) {
        OptionStrings strings = new OptionStrings(false);
        for (int i = 0; i < TRIES; i++) {
            String text = strings.next();
            String found = problem.apply(text);
            if (found != null) {
                Predicate<String> fails = candidate -> problem.apply(candidate) != null;
                String smallest = OptionStrings.shrink(text, fails);
                throw new AssertionError(
                        "try "
                                + i
                                + " of seed "
                                + strings.seed
                                + " (-Dreaper.fuzz.seed="
                                + strings.seed
                                + "): "
                                + found
                                + "\n  shrunk to "
                                + OptionStrings.quote(smallest)
                                + ": "
                                + problem.apply(smallest));
            }
        }
    }

    /** What is wrong with a refusal's message; null if nothing. */
    static String refusalProblem(String input, String message) {
        if (message == null || message.isBlank()) {
            return input + " refused without a message";
        }
        if (message.contains("\n") || message.contains("\r")) {
            return input + " refused in more than one line: " + OptionStrings.quote(message);
        }
        return null;
    }

    /** What is wrong with how the parser takes this pair of sources; null if nothing. */
    static String problem(String environment, String arguments) {
        String input = OptionStrings.quote(environment) + " / " + OptionStrings.quote(arguments);
        Options options;
        try {
            options = Options.parse(environment, arguments);
        } catch (OptionsException refused) {
            return refusalProblem(input, refused.getMessage());
        } catch (RuntimeException | Error e) {
            return input + " threw " + e;
        }
        try {
            Options again = Options.parse(null, options.toString());
            return again.equals(options)
                    ? null
                    : input + " accepted as " + options + ", which parses to " + again;
        } catch (OptionsException | RuntimeException e) {
            return input + " accepted as " + options + ", which is refused: " + e;
        }
    }

    @Test
    void theCheckFindsABrokenParser() {
        // the property must be able to fail: a refusal that quotes a line break is caught (as the
        // parser's did before OptionsException escaped control characters), and so is a parser that
        // throws
        assertThat(refusalProblem("'lo\\ng=x'", "unknown option 'lo\ng'"))
                .contains("refused in more than one line");
        assertThat(problem(null, "lo\ng=x")).isNull();
        assertThat(
                        OptionStrings.shrink(
                                "abcXdefXgh", s -> s.chars().filter(c -> c == 'X').count() >= 2))
                .isEqualTo("XX");
    }
}
