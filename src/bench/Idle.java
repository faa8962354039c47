import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessFigures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An idle JVM with and without the agent, on each JDK, all at once: CPU time over SECONDS from
 * /proc/PID/task/TID/schedstat (nanoseconds on the CPU), of the whole JVM and of the agent's own
 * threads. The window opens once each agent is ready and 5 s have passed (the JVMs' start-up, their
 * JIT and the agent's own settling are not idle). Settings: idle (60, seconds).
 */
final class Idle {
    private static final long SETTLE_MILLIS = 5000;

    private Idle() {}

    static void run() throws Exception {
        int seconds = Harness.setting("idle", 60);
        // ends by itself should the bench be stopped
        long stay = SETTLE_MILLIS + seconds * 1000L + 30_000;
        List<Harness.Subject> subjects =
                Harness.subjects(
                        Map.of(),
                        Map.of(),
                        (jdk, options) -> Harness.roleJvm(jdk, options, "idle", "" + stay));
        List<Process> jvms = new ArrayList<>();
        try {
            for (Harness.Subject s : subjects) {
                jvms.add(new ProcessBuilder(s.command()).inheritIO().start());
            }
            for (int i = 0; i < subjects.size(); i++) {
                if (subjects.get(i).agent() != null) {
                    long pid = jvms.get(i).pid();
                    Await.until(
                            subjects.get(i).name() + ": the agent ready",
                            Duration.ofSeconds(30),
                            () -> AgentView.ready(pid));
                }
            }
            // part of the measurement's definition: idle means past start-up
            Thread.sleep(SETTLE_MILLIS);
            long[][] before = cpu(jvms);
            Thread.sleep(seconds * 1000L); // the measurement window
            long[][] after = cpu(jvms);
            Harness.title(
                    "Idle JVM over " + seconds + " s (CPU time from /proc/PID/task/*/schedstat)");
            Harness.header("", "CPU per minute", "of which the agent's threads");
            double perMinute = 60.0 / seconds / 1e6;
            for (int i = 0; i < subjects.size(); i++) {
                Harness.Subject s = subjects.get(i);
                double agent = (after[i][1] - before[i][1]) * perMinute;
                System.out.printf(
                        "| %s | %.1f ms | %s |%n",
                        s.name(),
                        (after[i][0] - before[i][0]) * perMinute,
                        s.agent() == null ? "" : String.format("%.1f ms", agent));
            }
            System.out.println();
            for (int i = 0; i < subjects.size(); i++) {
                Harness.Subject s = subjects.get(i);
                if (s.jdk() != null && s.name().equals(Harness.reaperRow(s.jdk()))) {
                    double agent = (after[i][1] - before[i][1]) * perMinute;
                    Goals.print(
                            s.jdk().label(),
                            List.of(
                                    Goals.goal(
                                            "idle: agent's threads ≤ 10 ms of CPU a minute",
                                            String.format("%.1f ms", agent),
                                            agent <= 10)));
                }
            }
            System.out.println();
        } finally {
            for (Process jvm : jvms) {
                jvm.destroyForcibly().waitFor();
            }
        }
    }

    /** For each JVM: the CPU nanoseconds of all its threads, and of the agent's. */
    private static long[][] cpu(List<Process> jvms) {
        long[][] cpu = new long[jvms.size()][];
        for (int i = 0; i < jvms.size(); i++) {
            long pid = jvms.get(i).pid();
            cpu[i] =
                    new long[] {
                        ProcessFigures.threadsCpuNanos(pid, name -> true),
                        ProcessFigures.threadsCpuNanos(pid, AgentView::agentThread)
                    };
        }
        return cpu;
    }
}
