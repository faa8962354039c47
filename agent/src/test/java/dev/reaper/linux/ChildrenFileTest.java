package dev.reaper.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.kit.ProcessTable;
import dev.reaper.proc.Proc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reaper's way of reading a thread's children list (pread from offset 0, one system call when
 * the list fits in a page) against the plain way (Files.readAllBytes), on a real process whose list
 * is short, then longer than the kernel's page of 4,096 bytes: the early end of a read must never
 * cut it.
 */
class ChildrenFileTest {
    /**
     * A shell that starts 100 children, says so, waits for a line, then starts more until its list
     * is over 4,600 bytes long (or it has 3,000, in a machine short of pids: the test then says
     * so), and says so again.
     */
    private static final String SHELL =
            "for i in $(seq 100); do sleep 120 & done; echo ready; read go; n=100;"
                    + " while [ $n -lt 3000 ]; do for i in $(seq 50); do sleep 120 & done; n=$((n + 50));"
                    + " read -r -d '' list < /proc/$$/task/$$/children; [ ${#list} -gt 4600 ] && break; done; echo ready; wait";

    @Test
    void aListLongerThanOnePageIsReadWhole() throws Exception {
        Process shell =
                new ProcessBuilder("bash", "-c", SHELL)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        try {
            BufferedReader said =
                    new BufferedReader(
                            new InputStreamReader(
                                    shell.getInputStream(), StandardCharsets.US_ASCII));
            long pid = shell.pid();
            ChildrenFile file = new ChildrenFile(pid, pid);
            assertThat(said.readLine()).isEqualTo("ready");
            long[] few = Proc.children(pid, pid);
            assertThat(few).hasSize(100);
            assertThat(file.read()).containsExactlyInAnyOrder(few);

            shell.getOutputStream().write('\n');
            shell.getOutputStream().flush();
            assertThat(said.readLine()).isEqualTo("ready");
            long[] all = Proc.children(pid, pid);
            assertThat(
                            String.join(" ", Arrays.stream(all).mapToObj(Long::toString).toList())
                                    .length())
                    .as(
                            "the length of the list of the shell's %d children: more than a page, or the test proves nothing",
                            all.length)
                    .isGreaterThan(4096);
            assertThat(file.read())
                    .as("a list of %d children, longer than a page", all.length)
                    .containsExactlyInAnyOrder(all);
            for (long child : all) {
                assertThat(file.lists(child)).as("lists %d", child).isTrue();
            }
            assertThat(file.lists(pid)).as("the shell itself").isFalse();
            assertThat(file.lists(1)).isFalse();
            assertThat(file.read()).as("read again from the start").containsExactlyInAnyOrder(all);
        } finally {
            ProcessTable.killTree(shell.toHandle());
            shell.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
