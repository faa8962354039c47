package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.CrowdApp;
import dev.reaper.it.apps.StormApp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Thousands of orphans, and meanwhile thousands of the JVM's own children with random exit codes.
 */
@ExtendWith(Jvm.Cleanup.class)
class OrphanStormIT {
    private static final int ORPHANS = 3000;
    private static final int THREADS = 4;
    private static final int BATCHES = 10;
    private static final int BATCH = 25;
    private static final int CHECKED = THREADS * BATCHES * (BATCH + StormApp.FAST_PER_BATCH) + 1;

    @ParameterizedTest(name = "{0}, PID 1: {1}")
    @CsvSource({"JDK17, true", "JDK17, false", "JDK25, true", "JDK25, false"})
    void everyOrphanIsReapedAndEveryExitCodeStaysExact(Jdk jdk, boolean pid1) throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent(null);
        if (pid1) {
            jvm.asPid1();
        }
        Result result =
                jvm.run(
                        StormApp.class,
                        Duration.ofMinutes(2),
                        "" + ORPHANS,
                        "" + THREADS,
                        "" + BATCHES,
                        "" + BATCH,
                        "10000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("checked")).as("%s", result).isEqualTo(CHECKED);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.stderr())
                .as("nothing from the agent, JNA or the JDK on stderr")
                .isEmpty();
    }

    @Test
    void aThousandLiveOrphansDoNotHideTheZombiesAdoptedAfterThem() throws Exception {
        // The kernel hands out /proc/PID/task/TID/children a page at a time: about 700 pids.
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .asPid1()
                        .run(CrowdApp.class, Duration.ofMinutes(1), "1000", "20");

        assertThat(result.number("adopted")).as("%s", result).isGreaterThanOrEqualTo(1000);
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
    }

    @Test
    void withoutTheAgentTheStormLeavesAZombieForEveryOrphan() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .run(StormApp.class, Duration.ofMinutes(1), "500", "1", "2", "5", "1000");

        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isEqualTo(500);
    }
}
