package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.demo.PidsLimitScenario.Outcome;
import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outage the leak ends in, as the regression demo shows it ({@link PidsLimitScenario}): the
 * server as PID 1 of a pid namespace, in a cgroup with pids.max {@value #LIMIT}. Without the reaper
 * the zombies of the timed-out scripts take the pids, and requests fail with the kernel's EAGAIN
 * (error=11); with it, every request is answered. The limit leaves the server with the reaper about
 * fifteen pids to spare here (its peak was 61 to 70 in runs on 2 busy cores), and the one without
 * it runs out about half-way through the {@value #ROUNDS} rounds.
 */
@ExtendWith(Jvm.Cleanup.class)
class PidsLimitIT {
    static final int LIMIT = 85;
    static final int ROUNDS = 20;

    @BeforeAll
    static void cgroupsWritable() {
        Tools.requirePidNamespaces();
        String why = PidsCgroup.whyNot();
        Tools.require(why == null, "no pids cgroup can be made here: " + why);
    }

    @Test
    void withoutTheReaperRequestsFailOnceTheZombiesHoldTheLimit() throws Exception {
        Outcome outcome = run(false);

        assertThat(outcome.firstFailure())
                .as("the first request that failed, in %s", outcome)
                .isNotNull();
        assertThat(outcome.answered()).as("answered before it").isLessThan(outcome.requests());
        assertThat(outcome.refused()).as("forks and clones the limit refused").isPositive();
        // a fork (ProcessBuilder: "error=11, Resource temporarily unavailable") or a thread
        // (HotSpot: "pthread_create failed (EAGAIN)")
        assertThat(outcome.firstError())
                .as("the server's first error line")
                .containsPattern("error=11, Resource temporarily unavailable|EAGAIN");
    }

    @Test
    void withTheReaperEveryRequestIsAnswered() throws Exception {
        Outcome outcome = run(true);

        assertThat(outcome.firstFailure())
                .as("the first request that failed, in %s", outcome)
                .isNull();
        assertThat(outcome.answered())
                .isEqualTo(ROUNDS * (PidsLimitScenario.SLOW + PidsLimitScenario.QUICK));
        assertThat(outcome.refused()).as("forks and clones the limit refused").isZero();
        assertThat(outcome.firstError()).as("the server's first error line").isNull();
        assertThat(outcome.killed())
                .as("SIGKILLed: it did not exit within %s of SIGTERM", PidsLimitScenario.STOP)
                .isFalse();
    }

    private static Outcome run(boolean reaper) throws Exception {
        try (PidsCgroup cgroup = PidsCgroup.create(LIMIT)) {
            int port = RegressionDemo.freePort();
            LaunchedServer.Launch launch =
                    new LaunchedServer.Launch(
                            Jdk.JDK17.java(),
                            DemoServer.JAR,
                            reaper,
                            port,
                            PidsLimitScenario.TIMEOUT);
            try (LaunchedServer server = LaunchedServer.unshared(launch, cgroup)) {
                Outcome outcome =
                        PidsLimitScenario.run(server, cgroup, LIMIT, port, reaper, ROUNDS);
                System.out.println(
                        "PidsLimitIT: reaper " + (reaper ? "on" : "off") + ": " + outcome);
                return outcome;
            }
        }
    }
}
