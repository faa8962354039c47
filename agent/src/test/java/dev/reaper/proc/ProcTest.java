package dev.reaper.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcTest {
    /** How far the scheduler's clocks of two CPUs may be apart (seen here: 0.3 s). */
    static final long CPU_CLOCK_SKEW_MILLIS = 1000;

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
        String line = "4242 (a b) (c)) Z 17 4242 4242 0 -1 4227332 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0";
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
        assertThat(Proc.selfNamespacePids()).as("NSpid: /proc's view first, getpid() last").endsWith(self).startsWith(Proc.self());
        assertThat(Proc.stat(Integer.MAX_VALUE)).isNull();
        assertThat(Proc.children(Integer.MAX_VALUE, Integer.MAX_VALUE)).isEmpty();
    }

    @Test
    void aZombieIsDeadForNoLongerThanItHasExisted() throws Exception {
        long before = System.nanoTime();
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 60").start(); // sleep never waits for true
        try {
            long zombie = 0;
            for (int i = 0; i < 3000 && zombie == 0; i++) {
                for (ProcessHandle child : parent.children().toList()) {
                    Stat stat = Proc.stat(child.pid());
                    zombie = stat != null && stat.zombie() ? child.pid() : 0;
                }
                Thread.sleep(10);
            }
            assertThat(zombie).as("a zombie below sh").isPositive();
            long dead = Proc.deadForMillis(zombie);
            long existed = (System.nanoTime() - before) / 1_000_000;
            // the scheduler's clocks of two CPUs may differ by a fraction of a second (see deadForMillis)
            assertThat(dead).as("dead for, in ms, against the %d ms since it was started", existed).isBetween(0L, existed + CPU_CLOCK_SKEW_MILLIS);
        } finally {
            parent.destroyForcibly();
        }
    }
}
