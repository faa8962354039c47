package dev.reaper.kit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.reaper.kit.LeavesNoProcesses;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Code that gives up on a command past its timeout must not leave what the command started behind.
 */
@LeavesNoProcesses
class CommandTimeoutTest {
    /**
     * The code under test: runs a command; past the timeout, kills it and everything it started,
     * and returns -1.
     */
    static int run(Duration timeout, String... command) throws Exception {
        Process process = new ProcessBuilder(command).start();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        // Without this line the orphaned sleep runs on, and the guard fails the class, naming it.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        return -1;
    }

    @Test
    void aCommandPastItsTimeoutIsKilledWithWhatItStarted() throws Exception {
        assertEquals(-1, run(Duration.ofSeconds(1), "sh", "-c", "sleep 1000 & sleep 1000"));
    }
}
