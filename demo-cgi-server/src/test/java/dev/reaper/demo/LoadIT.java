package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 requests at once, half of them slow, far past the timeout: every request is answered, each
 * slow one with 504, no zombie is left, and the server still serves. How many of the quick ones
 * beat the timeout is the machine's business (on 2 busy cores, 100 greps started at once may not):
 * a quick one answers 200 or 504.
 */
@ExtendWith(Jvm.Cleanup.class)
class LoadIT {
    private static final int REQUESTS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /**
     * The slow ones' grep gets its input that late: well past the timeout, however busy the
     * machine.
     */
    private static final int SLOW_SECONDS = 8;

    @TempDir Path dir;

    @Test
    void twoHundredConcurrentRequestsHalfTimingOut() throws Exception {
        try (DemoServer server = DemoServer.start(Jdk.JDK17, true, TIMEOUT, dir)) {
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                paths.add(
                        slow(i)
                                ? "/cgi-bin/grep.sh?slow=" + SLOW_SECONDS + "&pattern=" + i
                                : "/cgi-bin/grep.sh?pattern=" + i);
            }
            List<Integer> statuses = server.client.getAll(paths);

            int timedOut = 0;
            for (int i = 0; i < REQUESTS; i++) {
                assertThat(statuses.get(i))
                        .as("%s", paths.get(i))
                        .isIn(slow(i) ? List.of(504) : List.of(200, 504));
                timedOut += statuses.get(i) == 504 ? 1 : 0;
            }
            long pid = server.pid();
            Scenario.awaitOnlyZombiesBelow(pid, Duration.ofSeconds(60));
            assertThat(Scenario.zombiesLeftBelow(pid, Duration.ofSeconds(30)))
                    .as("zombies below the server")
                    .isZero();
            String status = server.client.status();
            assertThat(DemoClient.field(status, "requests")).isEqualTo(REQUESTS);
            assertThat(DemoClient.field(status, "timedOut"))
                    .as("the server's count of 504s")
                    .isEqualTo(timedOut);
            assertThat(DemoClient.field(status, "zombiesReaped"))
                    .as("the orphans of the timed-out scripts, reaped")
                    .isPositive();
            assertThat(server.client.get("/cgi-bin/hello.sh").statusCode())
                    .as("still serving")
                    .isEqualTo(200);

            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(server.result().stderr()).doesNotContain("Exception");
        }
    }

    private static boolean slow(int request) {
        return request % 2 == 1;
    }
}
