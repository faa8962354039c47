package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** 200 requests at once, half of them past the timeout: every one answered, and no zombie left with the reaper. */
@ExtendWith(Jvm.Cleanup.class)
class LoadIT {
    private static final int REQUESTS = 200;

    @TempDir
    Path dir;

    @Test
    void twoHundredConcurrentRequestsHalfTimingOut() throws Exception {
        // A timeout of 3 s: on 2 cores, the slowest of 100 quick greps started at once takes about one.
        try (DemoServer server = DemoServer.start(Jdk.JDK17, true, Duration.ofSeconds(3), dir)) {
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                paths.add(i % 2 == 0 ? "/cgi-bin/grep.sh?pattern=" + i : "/cgi-bin/grep.sh?slow=4&pattern=" + i);
            }
            List<Integer> statuses = server.client.getAll(paths);

            Map<Integer, Long> counted = statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(counted).as("status: how many").isEqualTo(Map.of(200, 100L, 504, 100L));

            long pid = server.pid();
            Scenario.awaitOnlyZombiesBelow(pid, Duration.ofSeconds(30));
            assertThat(Scenario.zombiesLeftBelow(pid, Duration.ofSeconds(5))).as("zombies below the server").isZero();
            String status = server.client.status();
            assertThat(DemoClient.field(status, "zombiesReaped")).as("each timed-out request orphans a subshell and grep").isGreaterThanOrEqualTo(2 * 100);
            assertThat(DemoClient.field(status, "requests")).isEqualTo(REQUESTS);
            assertThat(DemoClient.field(status, "timedOut")).isEqualTo(100);
            assertThat(server.client.get("/cgi-bin/hello.sh").statusCode()).as("still serving").isEqualTo(200);

            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(server.result().stderr()).doesNotContain("Exception");
        }
    }
}
