package dev.reaper.it.apps;

import dev.reaper.kit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts, through a shell, a tree of workers of three kinds, ten of each: plain background children
 * of the shell, setsid'd children, and double-forked orphans (re-parented to the JVM). Each worker,
 * and the shell, writes NAME.started, and on SIGTERM or SIGHUP cleans up, writes NAME.graceful and
 * exits 0 (worker.sh).
 *
 * <p>Arguments: DIR [bare|stubborn] [exit|exit-later] [handler=KIND] [hook] [hanging-hook]. The
 * first thing main does is write DIR/main. With "bare" it starts no tree and waits for a signal.
 * With "stubborn" one more worker ignores SIGTERM. With "exit" main returns once the tree is up (a
 * normal exit with descendants running), with "exit-later" a second later (after the agent has
 * started, as in a JVM that lives longer than its first second); otherwise the JVM runs until a
 * signal stops it. handler=KIND is how the workers clean up: builtin (the default), fork, fork2s or
 * pipeline (see worker.sh). With "hook" the application has a shutdown hook that runs a 1 s
 * external command, as one that deregisters the service would, and waits for it; it writes
 * DIR/hook.done when done. With "hanging-hook" it has one that writes DIR/hook.hanging and never
 * ends.
 */
public final class ShutdownApp {
    public static final int PER_KIND = 10;

    /** The scripts, from this class's resources: worker.sh and tree.sh. */
    static final String[] SCRIPTS = {"worker.sh", "tree.sh"};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.writeString(dir.resolve("main"), "");
        List<String> flags = new ArrayList<>(List.of(args).subList(1, args.length));
        String handler = "builtin";
        for (String flag : List.copyOf(flags)) {
            if (flag.startsWith("handler=")) {
                handler = flag.substring("handler=".length());
                flags.remove(flag);
            }
        }
        if (flags.remove("hook")) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> deregister(dir), "application hook"));
        }
        if (flags.remove("hanging-hook")) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> hang(dir), "application hook that hangs"));
        }
        if (flags.contains("bare")) {
            Files.writeString(dir.resolve("ready"), "no tree");
            Thread.sleep(Long.MAX_VALUE);
        }
        boolean stubborn = flags.contains("stubborn");
        String last = flags.isEmpty() ? "" : flags.get(flags.size() - 1);
        copyScripts(dir);
        new ProcessBuilder(
                        "sh",
                        dir.resolve("tree.sh").toString(),
                        dir.toString(),
                        stubborn ? "stubborn" : "-",
                        handler)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int expected = 3 * PER_KIND + 1 + (stubborn ? 1 : 0);
        Await.value(Duration.ofSeconds(30), () -> started(dir), n -> n >= expected);
        Files.writeString(dir.resolve("ready"), "" + started(dir));
        switch (last) {
            case "exit" -> {}
            case "exit-later" -> Thread.sleep(1000);
            default -> Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Copies worker.sh and tree.sh into {@code dir}. */
    public static void copyScripts(Path dir) throws Exception {
        for (String script : SCRIPTS) {
            try (InputStream in = ShutdownApp.class.getResourceAsStream(script)) {
                Files.copy(in, dir.resolve(script));
            }
        }
    }

    private static void deregister(Path dir) {
        try {
            new ProcessBuilder("sh", "-c", "sleep 1 && touch \"$0/hook.done\"", dir.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void hang(Path dir) {
        try {
            Files.writeString(dir.resolve("hook.hanging"), "");
            Thread.sleep(Long.MAX_VALUE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long started(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".started")).count();
        }
    }
}
