package dev.reaper.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.kit.ProcessTable.Entry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit's reader of /proc, against this JVM and processes it starts. */
@LeavesNoProcesses
class ProcessTableTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aCommandMayHoldSpacesAndParentheses() {
        Entry e =
                ProcessTable.parse(
                        4242,
                        "4242 (a b) (c)) Z 17 4243 4244 0 -1 4227332 0 0 0 0 25 5 0 0 20 0 1 0 987654 0 0");

        assertThat(e).isEqualTo(new Entry(4242, 17, 'Z', 4243, 4244, 987654, 30, "a b) (c)"));
        assertThat(e.zombie()).isTrue();
        assertThat(e.id()).isEqualTo(new ProcessTable.Id(4242, 987654));
    }

    @Test
    void thisJvmReadsAsItself() {
        Entry self = ProcessTable.stat(SELF).orElseThrow();

        assertThat(self.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(self.command()).isEqualTo("java");
        assertThat(self.startTicks()).isPositive().isLessThanOrEqualTo(ProcessTable.uptimeTicks());
        assertThat(ProcessTable.all()).extracting(Entry::id).contains(self.id());
        assertThat(ProcessTable.tasks(SELF)).extracting(ProcessTable.Task::tid).contains(SELF);
        assertThat(ProcessTable.hasThread(SELF, "Finalizer")).isTrue();
        assertThat(ProcessTable.statusNumber(SELF, "Threads"))
                .isEqualTo(ProcessTable.tasks(SELF).size());
        assertThat(ProcessTable.status(SELF, SELF)).containsKey("voluntary_ctxt_switches");
        assertThat(ProcessTable.threadCpuNanos(SELF, SELF)).isPositive();
        assertThat(ProcessTable.openFiles(SELF)).isPositive();
        assertThat(ProcessTable.commandLine(SELF))
                .startsWith(ProcessHandle.current().info().command().orElseThrow());
        assertThat(ProcessTable.stat(Integer.MAX_VALUE)).isEmpty();
        assertThat(ProcessTable.children(Integer.MAX_VALUE)).isEmpty();
    }

    @Test
    void childrenDescendantsAndZombies() throws Exception {
        // sleep never waits for the child it inherits from sh, which ends once sh has become sleep:
        // a zombie
        Process sleep =
                new ProcessBuilder(
                                "sh",
                                "-c",
                                "(until grep -qx sleep /proc/$$/comm; do sleep 0.01; done) & exec sleep 1000")
                        .start();
        try {
            Await.until(
                    "a zombie below sleep",
                    DEADLINE,
                    () -> ProcessTable.zombieChildren(sleep.pid()) == 1);

            assertThat(ProcessTable.children(SELF)).contains(sleep.pid());
            assertThat(ProcessTable.threadChildren(sleep.pid(), sleep.pid())).hasSize(1);
            List<Entry> below = ProcessTable.descendants(sleep.pid());
            assertThat(below)
                    .singleElement()
                    .satisfies(
                            z -> {
                                assertThat(z.zombie()).isTrue();
                                assertThat(z.ppid()).isEqualTo(sleep.pid());
                                assertThat(z.session())
                                        .as("the session it inherited")
                                        .isEqualTo(ProcessTable.stat(SELF).orElseThrow().session());
                            });
            assertThat(ProcessTable.zombiesBelow(sleep.pid())).isOne();
            assertThat(ProcessTable.onlyZombiesBelow(sleep.pid())).isTrue();
            assertThat(ProcessTable.commandLine(sleep.pid())).isEqualTo("sleep 1000");
            assertThat(ProcessTable.commandLine(below.get(0).pid()))
                    .as("a zombie has none")
                    .isEmpty();
        } finally {
            sleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void killTreeLeavesNoShellLoopToStartAnotherChild() throws Exception {
        Process loop =
                new ProcessBuilder("sh", "-c", "while :; do sleep 1000 & wait $!; done").start();
        Await.until(
                "the loop's sleep", DEADLINE, () -> ProcessTable.children(loop.pid()).size() == 1);
        long sleep = ProcessTable.children(loop.pid()).get(0);

        ProcessTable.killTree(loop.toHandle());

        assertThat(loop.waitFor()).isEqualTo(137);
        Await.until(
                "the sleep killed",
                DEADLINE,
                () -> ProcessTable.stat(sleep).filter(p -> !p.zombie()).isEmpty());
        // and nothing new: the class's leak guard would fail it
    }

    @Test
    void theReaperOfThisJvmIsAnAncestorOrPid1() {
        long reaper = ProcessTable.reaperOfThisProcess();
        ProcessHandle ancestor = ProcessHandle.current();
        boolean found = reaper == 1;
        while (!found && ancestor.parent().isPresent()) {
            ancestor = ancestor.parent().get();
            found = ancestor.pid() == reaper;
        }
        assertThat(found).as("reaper %d: PID 1 or an ancestor (a subreaper)", reaper).isTrue();
    }
}
