package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.AttachTargetApp;
import dev.reaper.it.apps.Zombies;
import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code attach PID} from the host to a JVM in a real container (runc): the host's path of
 * reaper.jar does not exist in there, so the tool copies the jar into the container's /tmp.
 */
class AttachIntoContainerIT {
    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void attachedFromTheHostItReapsTheContainersZombies(Jdk jdk) throws Exception {
        try (Container container = Container.create(tmp)) {
            container.start(
                    jdk.java()
                            + " -XX:-UsePerfData -cp /app/classes "
                            + AttachTargetApp.class.getName()
                            + " /work 20");
            long pid = container.pid();
            awaitFile(container.work().resolve("ready"));
            assertThat(Zombies.childrenOf(pid))
                    .as("without the agent the orphans stay zombies")
                    .isEqualTo(20);
            assertThat(Path.of("/proc/" + pid + "/root" + Jvm.AGENT))
                    .as("the host's reaper.jar, in the container")
                    .doesNotExist();

            // the zombies there may be children of threads that ended before the attach: they get
            // the grace period
            Result attach = ReaperCli.run("attach", "" + pid, "grace=2s");

            assertThat(attach.status()).as("%s", attach).isZero();
            assertThat(attach.stdout().lines().toList())
                    .first()
                    .asString()
                    .matches(
                            "attached to "
                                    + pid
                                    + ": reaper \\S+ running as PID 1, \\d+ zombies reaped so far");
            String copied =
                    attach.stdout()
                            .replaceFirst("(?s).*copied there as (/tmp/reaper-\\d+\\.jar).*", "$1");
            assertThat(copied).as("%s", attach).startsWith("/tmp/reaper-");
            assertThat(Path.of("/proc/" + pid + "/root" + copied))
                    .as("the copy, seen from the host")
                    .isRegularFile();
            assertThat(Zombies.awaitNone(pid, 30_000)).isZero();

            Files.writeString(container.work().resolve("more"), "");
            awaitFile(container.work().resolve("more-done"));
            assertThat(Zombies.awaitNone(pid, 10_000)).as("new ones are reaped too").isZero();
            Result status = ReaperCli.run("status", "" + pid);
            assertThat(status.stdout())
                    .as("%s", status)
                    .contains("state:               running", "zombies reaped:      40");

            container.kill("KILL");
            container.await(Duration.ofSeconds(30));
        }
    }

    private static void awaitFile(Path file) throws Exception {
        Await.file(file, Duration.ofSeconds(30));
    }
}
