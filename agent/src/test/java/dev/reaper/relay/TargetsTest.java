package dev.reaper.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.proc.Stat;
import dev.reaper.reap.Ownership.Whose;
import dev.reaper.relay.Targets.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The relay's rule (src/docs/shutdown.md): signal what existed when the stop began, leave alone
 * what the stop itself starts while its starter runs, signal orphans whenever they started; a JVM
 * that is not a main process leaves what is detached from it alone. The stop began at tick 1000;
 * the JVM's session is 50.
 */
class TargetsTest {
    private static final long BEGAN = 1000;
    private static final long SESSION = 50;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            textBlock =
                    """
            a child that existed before the stop                        | S | 999  | 50 | OWN     | true  | false | SIGNAL
            a deeper descendant that existed before the stop            | S | 10   | 50 | -       | true  | false | SIGNAL
            a process the stop started (a TERM handler's cleanup)       | S | 1000 | 50 | -       | true  | false | WAIT
            a child the stop started, its starter running               | R | 1200 | 50 | OWN     | true  | false | WAIT
            an orphan the stop's cleanup left: nothing else stops it    | S | 1200 | 50 | ADOPTED | true  | false | SIGNAL
            a child the JDK waits for, started by a hook in the stop    | S | 1200 | 50 | JDK     | true  | false | WAIT
            a process signalled already                                 | S | 999  | 50 | OWN     | true  | true  | WAIT
            a zombie: gone                                              | Z | 999  | 50 | OWN     | true  | false | ENDED
            not a main process: a child in the JVM's session            | S | 999  | 50 | OWN     | false | false | SIGNAL
            not a main process: a setsid'd child, detached              | S | 999  | 77 | OWN     | false | false | OUT_OF_SCOPE
            not a main process: an adopted orphan, detached             | S | 999  | 50 | ADOPTED | false | false | OUT_OF_SCOPE
            a main process: a setsid'd child gets it too                | S | 999  | 77 | OWN     | true  | false | SIGNAL
            """)
    void whatTheRelayDoes(
            String name,
            char state,
            long startTime,
            long session,
            Whose whose,
            boolean wholeTree,
            boolean signalled,
            Target expected) {
        Stat process = new Stat(4242, "worker", state, 1, 4242, session, startTime);

        assertThat(Targets.choose(process, whose, BEGAN, wholeTree ? -1 : SESSION, signalled))
                .as(name)
                .isEqualTo(expected);
    }
}
