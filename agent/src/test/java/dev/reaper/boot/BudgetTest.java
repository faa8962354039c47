package dev.reaper.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stop's arithmetic (src/docs/shutdown.md, "Within the stop-budget"), in milliseconds from the
 * signal.
 */
class BudgetTest {
    private static final long MS = 1_000_000;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            the defaults under docker stop: hooks to themselves 6 s       | 10000 | 3000  | true  | 6000 | 0    | 3000
            Kubernetes' 30 s                                              | 30000 | 3000  | true  | 26000| 0    | 3000
            the relay begun late by the deadline: SIGKILL at budget - 1 s | 10000 | 3000  | true  | 6000 | 6000 | 9000
            hooks that ended after 8 s: the budget cuts stop-timeout      | 10000 | 3000  | true  | 6000 | 8000 | 9000
            hooks that ended past the budget's end: SIGKILL at once       | 10000 | 3000  | true  | 6000 | 9500 | 9500
            stop-timeout that does not fit: relayed at once               | 10000 | 30000 | false | 0    | 0    | 9000
            stop-timeout of 0: SIGKILL as the relay begins                | 10000 | 0     | true  | 9000 | 2000 | 2000
            """)
    void theRelaysMoments(
            String name,
            long budget,
            long timeout,
            boolean fits,
            long relayBy,
            long relayAt,
            long killAt) {
        Budget b = new Budget(Duration.ofMillis(budget), Duration.ofMillis(timeout));
        long began = 7 * MS; // System.nanoTime may be anything

        assertThat(b.fits()).as(name).isEqualTo(fits);
        assertThat(b.relayBy(began) - began).as(name).isEqualTo(relayBy * MS);
        assertThat(b.killAt(began, began + relayAt * MS) - began).as(name).isEqualTo(killAt * MS);
    }
}
