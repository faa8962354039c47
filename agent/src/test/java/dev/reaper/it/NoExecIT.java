package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.ExactApp;
import dev.reaper.it.apps.StormApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No writable directory that allows exec, as in {@code docker run --read-only --tmpfs /tmp} (Docker
 * mounts a --tmpfs noexec) or a hardened pod: JNA finds nowhere to map its native library.
 * Simulated as the issue saw it: the JVM is PID 1 of a pid namespace, with {@code user.home} and
 * {@code java.io.tmpdir} on a noexec tmpfs mounted in its own mount namespace (no jna.tmpdir, no
 * XDG_CACHE_HOME). The agent then reaps through the JDK's own waitpid and /proc, and says in one
 * warning what is lost.
 */
@ExtendWith(Jvm.Cleanup.class)
class NoExecIT {
    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutExecMappingItStillReapsExactlyAndRelaysTerm(Jdk jdk) throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Running jvm =
                withoutExecDirectory(jdk).start(ExactApp.class, work.toString(), "256", "100");

        SeccompIT.assertExact(work);
        WorkerTree.awaitReady(work);
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        List<String> warnings =
                result.stderr().lines().filter(line -> line.startsWith("WARNING:")).toList();
        assertThat(warnings)
                .as("%s", result)
                .singleElement()
                .asString()
                .startsWith("WARNING: reaper: JNA cannot load its native library (")
                .contains("failed to map segment from shared object")
                .contains("reaping through the JDK's own calls and /proc instead; lost: ")
                .contains("no JVMTI ThreadEnd watch")
                .contains("SIGINT and SIGHUP reach the descendants as SIGTERM")
                .doesNotContain("subreaper") // PID 1 needs none
                .endsWith("give JNA a writable directory that allows exec: -Djna.tmpdir=DIR");
        // without JNA the relay goes through the JDK's ProcessHandle.destroy (JdkKernel)
        assertThat(WorkerTree.graceful(work))
                .as("SIGTERM relayed to the whole tree through the JDK")
                .isEqualTo(WorkerTree.ALL_GRACEFUL);
    }

    /**
     * Children started by threads that die before the children exit sit on the leader's list beside
     * the orphans: only the JDK's table keeps their exit statuses from being stolen.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anOrphanStormBesideChildrenOfEndedThreadsKeepsEveryExitCode(Jdk jdk) throws Exception {
        Result result =
                withoutExecDirectory(jdk)
                        .run(
                                StormApp.class,
                                Duration.ofMinutes(2),
                                "1000",
                                "4",
                                "4",
                                "25",
                                "10000");

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.number("checked"))
                .as("%s", result)
                .isEqualTo(4 * 4 * (25 + StormApp.FAST_PER_BATCH) + 1);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
    }

    private Jvm withoutExecDirectory(Jdk jdk) throws IOException {
        Path noexec = Files.createDirectories(tmp.resolve("noexec"));
        return Jvm.on(jdk)
                .withAgent(null)
                .asPid1()
                .afterShell(
                        "mount -t tmpfs -o noexec,mode=1777 tmpfs "
                                + noexec
                                + " && unset XDG_CACHE_HOME")
                .option("-Duser.home=" + noexec)
                .option("-Djava.io.tmpdir=" + noexec);
    }
}
