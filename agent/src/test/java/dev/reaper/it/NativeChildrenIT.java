package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.NativeChildApp;
import dev.reaper.it.apps.NativeSpawnApp;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An application with its own, older JNA starts children from native code: the one it waits for
 * itself keeps its exit status through the grace period; the one it abandons is reaped after it.
 */
@ExtendWith(Jvm.Cleanup.class)
class NativeChildrenIT {

    /**
     * grace=1h: the application waits for its child 2 s late and gets its status; the abandoned one
     * is still a zombie when it stops watching. Nothing here depends on how fast the machine is:
     * the grace period is far longer than the test.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void nativeChildrenAreLeftAloneThroughTheGracePeriodAndTheApplicationKeepsItsOwnJna(Jdk jdk)
            throws Exception {
        Result result =
                jvm(jdk, "1h").run(NativeChildApp.class, Duration.ofSeconds(60), "2000", "3000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.values())
                .as("%s", result)
                .containsEntry("waited_status", "7")
                .containsEntry("abandoned_reaped_after_ms", "-1")
                .containsEntry("zombies_left", "1");
        assertThat(result.values().get("app_jna")).startsWith("5.13.0");
        assertThat(result.values().get("app_jna_jar")).endsWith("app-jna.jar");
        assertThat(result.stderr()).isEmpty();
    }

    /**
     * grace=1s: the abandoned child is reaped once its grace is over, long before the application
     * stops watching (60 s).
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anAbandonedNativeChildIsReapedAfterTheGracePeriod(Jdk jdk) throws Exception {
        Result result =
                jvm(jdk, "1s").run(NativeChildApp.class, Duration.ofSeconds(90), "0", "60000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("abandoned_reaped_after_ms"))
                .as("reaped, not -1%n%s", result)
                .isNotNegative();
        assertThat(result.values()).as("%s", result).containsEntry("zombies_left", "0");
        assertThat(result.stderr()).isEmpty();
    }

    private static Jvm jvm(Jdk jdk, String grace) {
        Jvm jvm =
                Jvm.on(jdk)
                        .withAgent("grace=" + grace + ",sweep=200ms")
                        .classPath(Jvm.APP_JNA.toString())
                        .asPid1();
        if (jdk == Jdk.JDK25) {
            // for the application's own JNA, which is not the agent's business
            jvm.option("--enable-native-access=ALL-UNNAMED");
        }
        return jvm;
    }

    /**
     * Children of native code (NuProcess, posix_spawn) keep their exit codes, also when the thread
     * that started them has died and the kernel has moved them to the leader thread, beside the
     * orphans of a storm that are reaped meanwhile.
     */
    @ParameterizedTest(name = "{0}, PID 1: {1}")
    @CsvSource({"JDK17, true", "JDK17, false", "JDK25, true", "JDK25, false"})
    void nativeChildrenOfDeadThreadsKeepTheirExitCodesDuringAnOrphanStorm(Jdk jdk, boolean pid1)
            throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent(null).classPath(Jvm.APP_JNA + ":" + Jvm.NUPROCESS);
        if (pid1) {
            jvm.asPid1();
        }
        if (jdk == Jdk.JDK25) {
            jvm.option("--enable-native-access=ALL-UNNAMED");
        }
        Result result = jvm.run(NativeSpawnApp.class, Duration.ofMinutes(2), "1000", "150");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("checked")).as("%s", result).isEqualTo(300);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
    }
}
