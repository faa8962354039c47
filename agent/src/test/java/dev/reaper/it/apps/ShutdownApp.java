package dev.reaper.it.apps;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts, through a shell, a tree of workers of three kinds, ten of each: plain background children
 * of the shell, setsid'd children, and double-forked orphans (re-parented to the JVM). Each worker,
 * and the shell, writes NAME.started, and on SIGTERM or SIGHUP writes NAME.graceful and exits 0.
 *
 * <p>Arguments: DIR [bare|stubborn] [exit|exit-later]. With "bare" it starts no tree and waits for a signal. With "stubborn" one more worker ignores SIGTERM.
 * With "exit" main returns once the tree is up (a normal exit with descendants running), with
 * "exit-later" a second later (after the agent has started, as in a JVM that lives longer than its
 * first second); otherwise the JVM runs until a signal stops it.
 */
public final class ShutdownApp {
    public static final int PER_KIND = 10;

    /** The scripts, from this class's resources: worker.sh and tree.sh. */
    static final String[] SCRIPTS = {"worker.sh", "tree.sh"};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("bare")) {
            Files.writeString(dir.resolve("ready"), "no tree");
            Thread.sleep(Long.MAX_VALUE);
        }
        boolean stubborn = args.length > 1 && args[1].equals("stubborn");
        String last = args[args.length - 1];
        for (String script : SCRIPTS) {
            try (InputStream in = ShutdownApp.class.getResourceAsStream(script)) {
                Files.copy(in, dir.resolve(script));
            }
        }
        new ProcessBuilder("sh", dir.resolve("tree.sh").toString(), dir.toString(), stubborn ? "stubborn" : "-")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int expected = 3 * PER_KIND + 1 + (stubborn ? 1 : 0);
        long deadline = System.currentTimeMillis() + 30_000;
        while (started(dir) < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        Files.writeString(dir.resolve("ready"), "" + started(dir));
        switch (last) {
            case "exit" -> { }
            case "exit-later" -> Thread.sleep(1000);
            default -> Thread.sleep(Long.MAX_VALUE);
        }
    }

    static long started(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".started")).count();
        }
    }
}
