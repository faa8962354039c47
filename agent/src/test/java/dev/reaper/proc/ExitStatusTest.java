package dev.reaper.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exit statuses and signals, in the shell's convention the reaper reports and the JVM exits with.
 */
class ExitStatusTest {
    @Test
    void everyExitCodeIsItself() {
        for (int code = 0; code <= 255; code++) {
            ExitStatus status = ExitStatus.of(ExitStatus.CLD_EXITED, code);
            assertThat(status.exited()).isTrue();
            assertThat(status.shellStatus()).as("exit code %d", code).isEqualTo(code);
            assertThat(status).hasToString("exit status " + code);
        }
    }

    @Test
    void everySignalIs128PlusItsNumber() {
        int killed = 2; // CLD_KILLED
        for (int signal = 1; signal <= 64; signal++) {
            assertThat(ExitStatus.of(killed, signal).shellStatus())
                    .as("signal %d", signal)
                    .isEqualTo(128 + signal);
            assertThat(ExitStatus.of(ExitStatus.CLD_DUMPED, signal).shellStatus())
                    .isEqualTo(128 + signal);
        }
        assertThat(ExitStatus.of(ExitStatus.CLD_DUMPED, 11))
                .hasToString("killed by signal 11 (core dumped)");
        assertThat(ExitStatus.of(killed, 9)).hasToString("killed by signal 9");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            TERM    | TERM | 15 | 143
            sigterm | TERM | 15 | 143
            INT     | INT  | 2  | 130
            SIGHUP  | HUP  | 1  | 129
            kill    | KILL | 9  | 137
            """)
    void signalsByName(String name, Signal signal, int number, int exitStatus) {
        assertThat(Signal.named(name)).isEqualTo(signal);
        assertThat(signal.number()).isEqualTo(number);
        assertThat(signal.exitStatus()).isEqualTo(exitStatus);
    }

    @Test
    void otherNamesAreNoneOfThem() {
        assertThat(Signal.named("QUIT")).isNull();
        assertThat(Signal.named("")).isNull();
        assertThat(Signal.named("SIG")).isNull();
    }
}
