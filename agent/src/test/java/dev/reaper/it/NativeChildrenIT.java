package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.NativeChildApp;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An application with its own, older JNA starts children from native code: the one it waits for
 * itself keeps its exit status through the grace period; the one it abandons is reaped after it.
 */
@ExtendWith(Jvm.Cleanup.class)
class NativeChildrenIT {

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void nativeChildrenGetTheGracePeriodAndTheApplicationKeepsItsOwnJna(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk).withAgent("grace=3s,sweep=200ms").classPath(Jvm.APP_JNA.toString()).asPid1();
        if (jdk == Jdk.JDK25) {
            jvm.option("--enable-native-access=ALL-UNNAMED"); // for the application's own JNA, which is not the agent's business
        }
        Result result = jvm.run(NativeChildApp.class, Duration.ofSeconds(60), "2000", "10000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.values()).as("%s", result)
                .containsEntry("waited_status", "7")
                .containsEntry("zombies_left", "0");
        assertThat(result.values().get("app_jna")).startsWith("5.13.0");
        assertThat(result.values().get("app_jna_jar")).endsWith("app-jna.jar");
        // reaped after the grace (3 s), at the latest one scan of the threads later (grace/4 = 750 ms), plus slack
        assertThat(result.number("abandoned_reaped_after_ms")).as("%s", result).isBetween(3000L, 5500L);
        assertThat(result.stderr()).isEmpty();
    }
}
