package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.apps.ExactApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent in a container under a seccomp profile that takes away what it prefers to use. Under
 * each, the JVM's own children keep their exact exit statuses, adopted orphans are reaped, a
 * shutdown signal reaches the descendants the agent can still see, and the agent says once what is
 * lost.
 */
@ExtendWith(Jvm.Cleanup.class)
class SeccompIT {
    /**
     * An older Docker default: no pidfds (pidfd_open, pidfd_send_signal, waitid with idtype P_PIDFD
     * = 3).
     */
    static final String NO_PIDFDS =
            """
            { "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [
                { "names": [ "pidfd_open", "pidfd_send_signal" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 },
                { "names": [ "waitid" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                  "args": [ { "index": 0, "value": 3, "op": "SCMP_CMP_EQ" } ] } ] }""";

    /** No prctl at all (HotSpot's thread names included). */
    static final String NO_PRCTL =
            """
            { "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [ { "names": [ "prctl" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }""";

    private static final String APP =
            " -XX:-UsePerfData -javaagent:/app/reaper.jar -cp /app/classes "
                    + ExactApp.class.getName()
                    + " /work 256 50";

    @TempDir Path tmp;

    @BeforeEach
    void runcHasSeccomp() {
        Tools.requireRunc();
        Tools.require(
                runcVersion().contains("libseccomp:"),
                "runc is built without libseccomp (Debian's runc has it)");
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutPidfdsReapingAndTheRelayStayExact(Jdk jdk) throws Exception {
        try (Container container = Container.create(tmp).seccomp(NO_PIDFDS)) {
            container.start(jdk.java() + APP);
            long jvm = container.pid();
            assertThat(seccompFilters(jvm)).as("the profile is in force").isEqualTo(1);
            assertExact(container.work());
            WorkerTree.awaitReady(container.work());
            container.kill("TERM");
            Result result = container.await(Duration.ofSeconds(30));

            assertThat(result.status()).as("%s", result).isEqualTo(143);
            assertThat(WorkerTree.graceful(container.work())).isEqualTo(WorkerTree.ALL_GRACEFUL);
            assertOneWarning(result, "pidfd");
        }
    }

    /**
     * prctl is only called when the JVM is not PID 1 (PID 1 needs no subreaper): here a shell is
     * the container's PID 1 and the JVM its child. Orphans then go to the shell, which the warning
     * says; the JVM's own children and the workers still under it are handled as always.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutPrctlReapingAndTheRelayStayExactForWhatTheJvmStillHas(Jdk jdk) throws Exception {
        try (Container container = Container.create(tmp).seccomp(NO_PRCTL)) {
            container.start("sh -c '" + jdk.java() + APP + "; exit $?'");
            long shell = container.pid();
            // the JVM under the container's shell
            long jvm = Await.child(shell, Duration.ofSeconds(20));
            assertThat(seccompFilters(jvm)).as("the profile is in force").isEqualTo(1);
            assertExact(container.work());
            WorkerTree.awaitReady(container.work());
            assertThat(new ProcessBuilder("kill", "-TERM", "" + jvm).inheritIO().start().waitFor())
                    .isZero();
            Result result = container.await(Duration.ofSeconds(30));

            assertThat(result.status()).as("%s", result).isEqualTo(143);
            assertThat(WorkerTree.graceful(container.work()))
                    .as("all but the orphans, which the shell adopted\n%s", result)
                    .containsAllEntriesOf(
                            Map.of("plain", WorkerTree.N, "setsid", WorkerTree.N, "shell", 1));
            assertOneWarning(result, "prctl(PR_SET_CHILD_SUBREAPER) failed (EPERM");
        }
    }

    /** Waits for ExactApp's findings in {@code work}, and checks them (also used by NoExecIT). */
    static void assertExact(Path work) throws Exception {
        Path exact = work.resolve("exact");
        Await.file(exact, Duration.ofSeconds(60)); // the app checked its children
        assertThat(Jvm.keyValues(Files.readString(exact)))
                .as("agent up, exit statuses of 256 own children, zombies left")
                .isEqualTo(Map.of("agent", "true", "wrong", "0", "zombies_left", "0"));
    }

    /**
     * One warning from the agent (java.util.logging's two lines), saying {@code what}; nothing
     * else.
     */
    private static void assertOneWarning(Result result, String what) {
        List<String> lines = result.stderr().lines().toList();
        assertThat(lines).as("%s", result).hasSize(2);
        assertThat(lines.get(1)).as("%s", result).startsWith("WARNING: reaper: ").contains(what);
    }

    private static long seccompFilters(long pid) {
        return ProcessTable.statusNumber(pid, "Seccomp_filters");
    }

    private static String runcVersion() {
        try {
            Process runc =
                    new ProcessBuilder("runc", "--version").redirectErrorStream(true).start();
            String out = new String(runc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            runc.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
