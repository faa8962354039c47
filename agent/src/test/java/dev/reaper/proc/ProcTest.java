package dev.reaper.proc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcTest {
    /** How far the scheduler's clocks of two CPUs may be apart (seen here: 0.3 s). */
    static final long CPU_CLOCK_SKEW_MILLIS = 1000;

    private static final long HELD_MILLIS = 2000;

    @Test
    void childrenListsAreSpaceSeparatedPids() {
        assertThat(parse("12 345 6789 ")).containsExactly(12, 345, 6789);
        assertThat(parse("7")).containsExactly(7);
        assertThat(parse("")).isEmpty();
        assertThat(parse("1 ".repeat(1000))).hasSize(1000);
        byte[] buffer = "3 4 5 6".getBytes(StandardCharsets.US_ASCII);
        assertThat(Proc.parsePids(buffer, 3)).as("only the part read").containsExactly(3, 4);
    }

    private static long[] parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Proc.parsePids(bytes, bytes.length);
    }

    @Test
    void aCommandMayHoldSpacesAndParentheses() {
        String line =
                "4242 (a b) (c)) Z 17 4242 4242 0 -1 4227332 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0";
        Stat stat = Stat.parse(line);
        assertThat(stat.pid()).isEqualTo(4242);
        assertThat(stat.command()).isEqualTo("a b) (c)");
        assertThat(stat.state()).isEqualTo('Z');
        assertThat(stat.zombie()).isTrue();
        assertThat(stat.ppid()).isEqualTo(17);
        assertThat(stat.pgrp()).isEqualTo(4242);
        assertThat(stat.session()).isEqualTo(4242);
        assertThat(stat.startTime()).isEqualTo(987654);
    }

    @Test
    void thisProcessReadsAsItself() throws Exception {
        long self = ProcessHandle.current().pid();
        assertThat(Proc.self()).isEqualTo(self);
        Stat stat = Proc.stat(self);
        assertThat(stat.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(stat.state()).isIn('R', 'S');
        assertThat(Proc.tasks(self)).contains(self);
        assertThat(Proc.tasks(self)).as("this thread").contains(Proc.threadSelf());
        assertThat(Proc.selfNamespacePids())
                .as("NSpid: /proc's view first, getpid() last")
                .endsWith(self)
                .startsWith(Proc.self());
        assertThat(Proc.stat(Integer.MAX_VALUE)).isNull();
        assertThat(Proc.children(Integer.MAX_VALUE, Integer.MAX_VALUE)).isEmpty();
    }

    /**
     * A zombie seen dead and then left so for 2 s reads as dead for at least 1 s: the scheduler's
     * clocks of two CPUs may differ by a fraction of a second (see deadForMillis). And for less
     * than a minute: its parent, which never waits for it, is a sleep 60 that still runs.
     */
    @Test
    void aZombieHeldForTwoSecondsIsDeadForAtLeastOne() throws Exception {
        // the child ends once sh has become sleep (had it ended before, sh would have reaped it);
        // sleep never waits for it
        Process parent =
                new ProcessBuilder(
                                "sh",
                                "-c",
                                "(until grep -qx sleep /proc/$$/comm; do sleep 0.01; done) & exec sleep 60")
                        .start();
        try {
            long zombie =
                    Await.value(
                            Duration.ofSeconds(30),
                            () -> zombieChild(parent.pid()),
                            pid -> pid != 0);
            assertThat(zombie).as("a zombie below sleep").isPositive();
            Thread.sleep(HELD_MILLIS); // what is measured: how long it has been a zombie since

            assertThat(Proc.deadForMillis(zombie))
                    .isBetween(HELD_MILLIS - CPU_CLOCK_SKEW_MILLIS, 60_000L);
            assertThat(parent.isAlive()).as("its parent, sleep 60, still runs").isTrue();
        } finally {
            ProcessTable.killTree(parent.toHandle());
        }
    }

    /** A zombie child of {@code parent}; 0 if none. */
    private static long zombieChild(long parent) throws java.io.IOException {
        for (long child : ProcessTable.children(parent)) {
            Stat stat = Proc.stat(child);
            if (stat != null && stat.zombie()) {
                return child;
            }
        }
        return 0;
    }
}
