package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.StormApp;
import dev.reaper.it.apps.ThrowingLogHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An Error thrown inside the agent's own reaping thread, for real: the agent logs through the
 * application's logging, and the application's log handler throws an AssertionError for every
 * record. With log=info the agent logs each zombie it reaps, so the Error comes at every reap,
 * after the zombie was reaped. The agent reaps on and the application runs on, with exact exit
 * codes; it cannot say anything (its logging is what is broken), and prints no stack trace.
 */
@ExtendWith(Jvm.Cleanup.class)
class ErrorInAgentThreadIT {
    private static final int THREADS = 2;
    private static final int BATCHES = 4;
    private static final int BATCH = 10;

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anErrorFromTheApplicationsLogHandlerDoesNotStopTheReaping(Jdk jdk) throws Exception {
        Path logging =
                Files.writeString(
                        dir.resolve("logging.properties"),
                        "handlers=" + ThrowingLogHandler.class.getName() + "\n");
        Result result =
                Jvm.on(jdk)
                        .withAgent("log=info")
                        .asPid1()
                        .option("-Djava.util.logging.config.file=" + logging)
                        .run(
                                StormApp.class,
                                Duration.ofMinutes(1),
                                "1000",
                                "" + THREADS,
                                "" + BATCHES,
                                "" + BATCH,
                                "10000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("checked"))
                .as("%s", result)
                .isEqualTo(THREADS * BATCHES * (BATCH + StormApp.FAST_PER_BATCH) + 1);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.stderr()).as("%s", result).isEmpty();
    }
}
