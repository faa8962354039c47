package dev.reaper.cli;

import dev.reaper.proc.Proc;
import dev.reaper.proc.ProcessTree;
import dev.reaper.proc.Stat;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code zombies [PID]}: the zombies on this machine, or among the descendants of PID, in the style
 * of ps.
 */
final class ZombieList {
    private final PrintStream out;

    ZombieList(PrintStream out) {
        this.out = out;
    }

    int print(Long root) throws IOException {
        List<Stat> zombies = new ArrayList<>();
        if (root == null) {
            for (long pid : Proc.pids()) {
                Stat stat = Proc.stat(pid);
                if (stat != null && stat.zombie()) {
                    zombies.add(stat);
                }
            }
        } else {
            for (Stat stat : ProcessTree.descendants(root)) {
                if (stat.zombie()) {
                    zombies.add(stat);
                }
            }
        }
        if (zombies.isEmpty()) {
            out.println(
                    root == null ? "no zombies" : "no zombies among the descendants of " + root);
            return Cli.OK;
        }
        out.printf("%8s %8s %10s  %-16s %s%n", "PID", "PPID", "DEAD FOR", "COMMAND", "PARENT");
        for (Stat zombie : zombies) {
            Stat parent = Proc.stat(zombie.ppid());
            out.printf(
                    "%8d %8d %10s  %-16s %s%n",
                    zombie.pid(),
                    zombie.ppid(),
                    duration(Proc.deadForMillis(zombie.pid())),
                    zombie.command(),
                    parent == null ? "?" : parent.command());
        }
        out.println(zombies.size() + (zombies.size() == 1 ? " zombie" : " zombies"));
        return Cli.OK;
    }

    static String duration(long millis) {
        if (millis < 0) {
            return "?";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds < 60) {
            return String.format("%.1fs", millis / 1000.0);
        }
        if (seconds < 3600) {
            return String.format("%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format("%dh%02dm", seconds / 3600, seconds / 60 % 60);
    }
}
