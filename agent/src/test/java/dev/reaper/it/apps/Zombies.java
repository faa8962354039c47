package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.time.Duration;

/**
 * Counts zombies from /proc, the way ps would: independent of the agent under test (the kit's
 * {@link ProcessTable}).
 */
public final class Zombies {
    private Zombies() {}

    /** Zombies whose parent is {@code parent}. */
    public static int childrenOf(long parent) throws IOException {
        return ProcessTable.zombieChildren(parent);
    }

    /** Waits until no zombie child is left, or the deadline passes; returns how many are left. */
    public static int awaitNone(long parent, long deadlineMillis)
            throws IOException, InterruptedException {
        return Await.value(
                Duration.ofMillis(deadlineMillis),
                () -> ProcessTable.zombieChildren(parent),
                left -> left == 0);
    }
}
