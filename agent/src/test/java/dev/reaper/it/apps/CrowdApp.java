package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.time.Duration;

/**
 * A crowd of long-lived orphans, then a few short ones. Arguments: LIVE SHORT. The JVM adopts LIVE
 * orphans that sleep a minute (its leader thread's children list grows past the page the kernel
 * hands out per read), then SHORT orphans that exit at once; prints zombies_left after waiting for
 * none to be left.
 */
public final class CrowdApp {
    public static void main(String[] args) throws Exception {
        int live = Integer.parseInt(args[0]);
        int brief = Integer.parseInt(args[1]);
        long self = ProcessHandle.current().pid();
        new ProcessBuilder(
                        "sh",
                        "-c",
                        "i=0; while [ $i -lt " + live + " ]; do (sleep 60 &); i=$((i+1)); done")
                .start()
                .waitFor();
        System.out.println(
                "adopted="
                        + Await.value(
                                Duration.ofSeconds(30),
                                () -> childCount(self),
                                adopted -> adopted >= live));
        AttachTargetApp.leaveOrphans(brief);
        System.out.println("zombies_left=" + Zombies.awaitNone(self, 10_000));
    }

    /** The children on the leader thread's list, where the orphans the JVM adopts go. */
    private static int childCount(long self) {
        return ProcessTable.threadChildren(self, self).size();
    }
}
