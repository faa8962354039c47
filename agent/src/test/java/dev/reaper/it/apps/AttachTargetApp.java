package dev.reaper.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM to attach to. Arguments: DIR ORPHANS. Leaves ORPHANS double-forked orphans behind (they
 * stay zombies until something reaps them), writes DIR/ready, then each time DIR/more appears it
 * deletes it, leaves ORPHANS more and writes DIR/more-done. Runs until stopped.
 */
public final class AttachTargetApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int orphans = Integer.parseInt(args[1]);
        leaveOrphans(orphans);
        Files.writeString(dir.resolve("ready"), "");
        while (true) {
            if (Files.deleteIfExists(dir.resolve("more"))) {
                leaveOrphans(orphans);
                Files.writeString(dir.resolve("more-done"), "");
            }
            Thread.sleep(20);
        }
    }

    static void leaveOrphans(int orphans) throws Exception {
        new ProcessBuilder(
                        "sh",
                        "-c",
                        "i=0; while [ $i -lt " + orphans + " ]; do (true &); i=$((i+1)); done")
                .start()
                .waitFor();
    }
}
