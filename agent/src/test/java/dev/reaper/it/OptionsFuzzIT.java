package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.QuietApp;
import dev.reaper.options.OptionStrings;
import dev.reaper.options.Options;
import dev.reaper.options.OptionsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Property, through real launches: a JVM given any string as the agent's options (after
 * -javaagent:reaper.jar=, or in REAPER_OPTIONS) either runs main, or stops before main with one
 * line on stderr and status 2; never a stack trace. The parser's verdict on each string decides
 * which is expected; half the launches get strings it accepts, half strings it refuses. One launch
 * in four is on JDK 25. A few dozen launches of generated strings (OptionStrings, ASCII as a
 * command line carries it whatever the locale); the parser alone takes tens of thousands in
 * OptionsFuzzTest.
 */
@ExtendWith(Jvm.Cleanup.class)
class OptionsFuzzIT {
    private static final int LAUNCHES = 40;

    /**
     * How many generated strings a launch may draw to find one of the kind it wants (about one in
     * eleven is accepted: with 40 launches of random strings, all were refused in about 2 runs of
     * 100).
     */
    private static final int MAX_DRAWS = 10_000;

    @Test
    void anyOptionsStartMainOrStopTheJvmWithOneLineAndStatus2() throws Exception {
        OptionStrings strings = new OptionStrings(true);
        for (int i = 0; i < LAUNCHES; i++) {
            boolean fromEnvironment = i % 2 == 1;
            // Half the launches get a string the parser accepts, half one it refuses, from each
            // source, whatever the seed: the generator's next string of the kind wanted.
            boolean refuse = i / 2 % 2 == 1;
            String text = null;
            String refusal = null;
            for (int draw = 0; text == null; draw++) {
                assertThat(draw)
                        .as(
                                "a string the parser %s, within %d drawn, seed %d",
                                refuse ? "refuses" : "accepts", MAX_DRAWS, strings.seed)
                        .isLessThan(MAX_DRAWS);
                String candidate = strings.next();
                String verdict = refusal(candidate, fromEnvironment);
                if ((verdict != null) == refuse) {
                    text = candidate;
                    refusal = verdict;
                }
            }
            String said =
                    "launch "
                            + i
                            + " of seed "
                            + strings.seed
                            + " (-Dreaper.fuzz.seed="
                            + strings.seed
                            + "), "
                            + (fromEnvironment ? "REAPER_OPTIONS=" : "-javaagent:reaper.jar=")
                            + OptionStrings.quote(text);
            Jvm jvm = Jvm.on(i % 4 < 3 ? Jdk.JDK17 : Jdk.JDK25);
            jvm =
                    fromEnvironment
                            ? jvm.env("REAPER_OPTIONS", text).withAgent(null)
                            : jvm.withAgent(text);
            Result result = jvm.run(QuietApp.class, Duration.ofSeconds(60), "0", "0", "report");

            assertThat(result.stderr())
                    .as("%s%n%s", said, result)
                    .doesNotContain("Exception", "\tat ");
            if (refusal == null) {
                assertThat(result.stdout())
                        .as("%s: accepted, so main runs%n%s", said, result)
                        .isEqualTo("zombies_left=0\n");
            } else {
                assertThat(result.stdout())
                        .as("%s: refused, so main never runs%n%s", said, result)
                        .isEmpty();
                assertThat(result.status()).as("%s%n%s", said, result).isEqualTo(2);
                assertThat(result.stderr())
                        .as("%s: refused in one line%n%s", said, result)
                        .isEqualTo(refusal)
                        .satisfies(
                                line ->
                                        assertThat(line.indexOf('\n'))
                                                .isEqualTo(line.length() - 1));
            }
        }
    }

    /**
     * The parser's verdict: null if it accepts {@code text} from that source, else the line the JVM
     * must print.
     */
    private static String refusal(String text, boolean fromEnvironment) {
        try {
            Options.parse(fromEnvironment ? text : null, fromEnvironment ? null : text);
            return null;
        } catch (OptionsException e) {
            return "reaper: " + e.getMessage() + "\n";
        }
    }
}
