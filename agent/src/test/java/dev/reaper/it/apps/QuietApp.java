package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.time.Duration;

/**
 * Prints nothing on stdout unless asked. Arguments: ORPHANS WAIT_MILLIS [report]. Leaves ORPHANS
 * double-forked orphans behind; waits until the agent, if loaded, has started or given up (its
 * thread "reaper-starting" is gone: by then it has said what it had to say) and until no child of
 * this JVM still runs (the orphans, and anything the JVM inherited, have ended); then waits up to
 * WAIT_MILLIS for no zombie child to be left, and prints zombies_left if asked to report. Its main
 * returns while the agent's threads still run: the JVM must exit anyway.
 */
public final class QuietApp {
    private static final Duration SETTLE = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        int orphans = Integer.parseInt(args[0]);
        long waitMillis = Long.parseLong(args[1]);
        boolean report = args.length > 2 && args[2].equals("report");
        long self = ProcessHandle.current().pid();
        if (orphans > 0) {
            new ProcessBuilder(
                            "sh",
                            "-c",
                            "i=0; while [ $i -lt " + orphans + " ]; do (true &); i=$((i+1)); done")
                    .start()
                    .waitFor();
        }
        Await.until(
                "the agent started or gave up",
                SETTLE,
                () ->
                        Thread.getAllStackTraces().keySet().stream()
                                .noneMatch(t -> t.getName().equals("reaper-starting")));
        Await.until(
                "every child of this JVM ended",
                SETTLE,
                () -> ProcessTable.all().stream().noneMatch(p -> p.ppid() == self && !p.zombie()));
        int left = Zombies.awaitNone(self, waitMillis);
        if (report) {
            System.out.println("zombies_left=" + left);
        }
    }
}
