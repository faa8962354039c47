package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.PidReuseApp;
import dev.reaper.kit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pid reuse for real: Linux 6.14 and later give each pid namespace its own pid_max, and with 400
 * the pids wrap every hundred forks or so (the kernel hands out 300 to 399 once it has wrapped).
 * The JVM runs as PID 1 of such a namespace: JDK children with random exit codes, NuProcess
 * children and orphans, until pids have wrapped many times, then a relayed stop. No exit status may
 * be wrong, and no process that must not get the stop's signal may get one: the bystanders that
 * each worker runs on SIGTERM and that the shutdown hook starts, and the sleeps they run one after
 * another, start after the stop began, on pids just freed (by the workers' own sleeps, which the
 * relay finds and which end by themselves, among others).
 */
@ExtendWith(Jvm.Cleanup.class)
class PidReuseIT {
    private static final int PID_MAX = 400;
    private static final int WRAPS = 20;
    private static final int WORKERS = 12;
    private static final Path HOST_PID_MAX = Path.of("/proc/sys/kernel/pid_max");

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}, stop-order={1}")
    @CsvSource({"JDK17, hooks-first", "JDK25, all-at-once"})
    void noWrongExitStatusAndNoSignalToAWrongProcessWhilePidsWrap(Jdk jdk, String stopOrder)
            throws Exception {
        // Before 6.14 pid_max is global: writing it inside a namespace would change the host's.
        assumeTrue(
                kernelAtLeast(6, 14),
                "Linux 6.14 or later is needed for a pid_max per pid namespace; this is "
                        + System.getProperty("os.version"));
        String hostPidMax = Files.readString(HOST_PID_MAX).strip();
        Jvm jvm =
                Jvm.on(jdk)
                        // On SIGTERM a worker waits for its bystander, and with hooks-first for
                        // the hook's too: some 60 forks, each ~50 ms on a slow machine; time
                        // enough before the relay's SIGKILL.
                        .withAgent("stop-order=" + stopOrder + ",stop-timeout=10s,stop-budget=30s")
                        .asPid1()
                        .afterShell("echo " + PID_MAX + " > " + HOST_PID_MAX)
                        .classPath(Jvm.APP_JNA + ":" + Jvm.NUPROCESS);
        if (jdk == Jdk.JDK25) {
            // for the application's own JNA (NuProcess's)
            jvm.option("--enable-native-access=ALL-UNNAMED");
        }
        Running running =
                jvm.start(PidReuseApp.class, dir.toString(), "" + WRAPS, "" + WORKERS, stopOrder);
        Await.until(
                "the mixed run over and the workers started",
                Duration.ofSeconds(60),
                () -> Files.exists(dir.resolve("ready")));
        assertThat(Files.readString(HOST_PID_MAX).strip())
                .as("the host's pid_max")
                .isEqualTo(hostPidMax);
        running.signal("TERM");
        // from now on the workers' sleeps start after the stop began
        Files.writeString(dir.resolve("stopped"), "");
        Result result = running.await(Duration.ofSeconds(60));

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(result.values()).as("%s", result).containsEntry("sigchld_caught", "true");
        assertThat(result.number("wraps")).as("%s", result).isGreaterThanOrEqualTo(WRAPS);
        assertThat(result.number("mismatches")).as("%s", result).isZero();
        assertThat(result.number("checked"))
                .as("%s", result)
                .isEqualTo(7 * result.number("rounds"));
        assertThat(result.number("zombies_left")).as("%s", result).isZero();
        assertThat(result.number("hook_checked")).as("%s", result).isEqualTo(5);
        assertThat(result.number("hook_mismatches")).as("%s", result).isZero();
        Map<String, Integer> outcomes = outcomes();
        assertThat(outcomes)
                .as("what the workers and their bystanders wrote; %s", result)
                .isEqualTo(
                        Map.of(
                                "started",
                                WORKERS,
                                "graceful",
                                WORKERS,
                                "bystander",
                                WORKERS + PidReuseApp.BYSTANDERS));
        assertThat(result.stderr()).as("%s", result).isEmpty();
    }

    /**
     * How many files of each kind the tree wrote: NAME.started, .graceful, .bystander, and .wrong
     * (with what each says).
     */
    private Map<String, Integer> outcomes() throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.matches("[wh]\\d+\\.\\w+")) {
                    String kind = name.substring(name.indexOf('.') + 1);
                    counts.merge(
                            kind.equals("wrong")
                                    ? "wrong: " + Files.readString(file).strip()
                                    : kind,
                            1,
                            Integer::sum);
                }
            }
        }
        return counts;
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] version = System.getProperty("os.version").split("[.-]", -1);
        int have = Integer.parseInt(version[0]) * 1000 + Integer.parseInt(version[1]);
        return have >= major * 1000 + minor;
    }
}
