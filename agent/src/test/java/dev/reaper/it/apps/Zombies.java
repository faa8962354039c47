package dev.reaper.it.apps;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts zombies from /proc, the way ps would: independent of the agent under test. */
public final class Zombies {
    private Zombies() {}

    /** Zombies whose parent is {@code parent}. */
    public static int childrenOf(long parent) throws IOException {
        int zombies = 0;
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : proc) {
                String name = entry.getFileName().toString();
                if (!Character.isDigit(name.charAt(0))) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (fields[0].equals("Z") && Long.parseLong(fields[1]) == parent) {
                    zombies++;
                }
            }
        }
        return zombies;
    }

    /** Waits until no zombie child is left, or the deadline passes; returns how many are left. */
    public static int awaitNone(long parent, long deadlineMillis) throws IOException, InterruptedException {
        long end = System.currentTimeMillis() + deadlineMillis;
        int left = childrenOf(parent);
        while (left > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
            left = childrenOf(parent);
        }
        return left;
    }
}
