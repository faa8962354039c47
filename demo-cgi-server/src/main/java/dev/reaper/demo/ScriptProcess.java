package dev.reaper.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one CGI script: the request body on its stdin, its stdout read whole (up to a cap), its
 * stderr to the server's. A script still running at its deadline is killed, the way real servers
 * kill a CGI script past its time: SIGKILL to the script's process only. Its children are not
 * looked for; those still running are orphaned, and in a container it is PID 1 (this JVM) that
 * inherits them, and then their zombies.
 */
final class ScriptProcess {
    /** What a run gave. */
    sealed interface Result {}

    /** The script's whole output (not a copy: the server reads it once). */
    static final class Output implements Result {
        private final byte[] bytes;

        Output(byte[] bytes) {
            this.bytes = bytes;
        }

        byte[] bytes() {
            return bytes;
        }
    }

    record TimedOut() implements Result {}

    record TooLarge() implements Result {}

    record Broken(String why) implements Result {}

    static final int MAX_OUTPUT = 10 << 20;

    /**
     * Threads for the pipes: a blocked read or write must never hold up a request thread past its
     * deadline.
     */
    private static final ExecutorService PIPES =
            Executors.newCachedThreadPool(daemons("cgi-pipe-"));

    /** Kills, at its deadline, a script that closed its stdout but kept running. */
    private static final Timer DEADLINES = new Timer("cgi-deadline", true);

    private ScriptProcess() {}

    static Result run(Path script, Map<String, String> environment, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(List.of(script.toString()))
                        .directory(script.getParent().toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(environment);
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = builder.start();
        feed(process, body);
        InputStream stdout = process.getInputStream();
        Future<byte[]> output = PIPES.submit(() -> stdout.readNBytes(MAX_OUTPUT + 1));
        try {
            byte[] bytes = output.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (bytes.length > MAX_OUTPUT) {
                kill(process, stdout);
                return new TooLarge();
            }
            if (process.isAlive()) {
                DEADLINES.schedule(
                        new TimerTask() {
                            @Override
                            public void run() {
                                process.destroyForcibly();
                            }
                        },
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            return new Output(bytes);
        } catch (TimeoutException e) {
            kill(process, stdout);
            return new TimedOut();
        } catch (ExecutionException e) {
            kill(process, stdout);
            return new Broken("reading the script's output failed: " + e.getCause());
        } catch (InterruptedException e) {
            kill(process, stdout);
            throw e;
        }
    }

    /**
     * Kills the script, and closes this end of its stdout without waiting for the end of it: the
     * script's orphaned children may hold the pipe open for long. (The reading thread stays blocked
     * until one of them writes or the last one exits: a read on a pipe cannot be interrupted in
     * Java.)
     */
    private static void kill(Process process, InputStream stdout) {
        process.destroyForcibly();
        try {
            stdout.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    /**
     * Writes the body to the script's stdin and closes it, on a pipe thread: a script need not read
     * it.
     */
    private static void feed(Process process, byte[] body) throws IOException {
        OutputStream stdin = process.getOutputStream();
        if (body.length == 0) {
            stdin.close();
            return;
        }
        PIPES.execute(
                () -> {
                    try (stdin) {
                        stdin.write(body);
                    } catch (IOException ended) {
                        // the script ended, or closed its stdin, before reading it all: its choice
                    }
                });
    }

    static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
