package dev.reaper.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what a reaper must never break, in whatever environment it runs (a seccomp profile, say),
 * then stays to be stopped. Arguments: DIR CHILDREN ORPHANS.
 *
 * <p>Waits until the agent's thread is up (its Java name: a profile that denies prctl leaves the
 * native thread names alone), then starts CHILDREN children of its own that exit with statuses
 * spread over 0 to 255, while ORPHANS orphans die around them; counts the statuses Process.waitFor
 * got wrong, waits until no zombie child is left, and writes DIR/exact as key=value lines (agent,
 * wrong, zombies_left). Then it starts ShutdownApp's worker tree in DIR and waits for a signal.
 */
public final class ExactApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int children = Integer.parseInt(args[1]);
        int orphans = Integer.parseInt(args[2]);
        boolean agent = AgentReady.started(20_000);
        Process storm =
                new ProcessBuilder(
                                "sh",
                                "-c",
                                "i=0; while [ $i -lt "
                                        + orphans
                                        + " ]; do (true &); i=$((i+1)); done")
                        .start();
        List<Process> own = new ArrayList<>();
        for (int i = 0; i < children; i++) {
            own.add(new ProcessBuilder("sh", "-c", "exit " + status(i)).start());
        }
        int wrong = storm.waitFor() == 0 ? 0 : 1;
        for (int i = 0; i < children; i++) {
            if (own.get(i).waitFor() != status(i)) {
                wrong++;
            }
        }
        int left = Zombies.awaitNone(ProcessHandle.current().pid(), 20_000);
        Files.writeString(
                dir.resolve("exact.tmp"),
                "agent=" + agent + "\nwrong=" + wrong + "\nzombies_left=" + left + "\n");
        Files.move(dir.resolve("exact.tmp"), dir.resolve("exact"));
        ShutdownApp.main(new String[] {dir.toString()});
    }

    /** The exit status of child i: all of 0 to 255 for 256 children. */
    public static int status(int i) {
        return i * 157 % 256;
    }
}
