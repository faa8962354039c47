package dev.reaper.demo;

import dev.reaper.kit.Await;
import dev.reaper.kit.Pid1;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The regression scenario, on one server that is PID 1: N requests that time out, the zombies they
 * leave, then a stop (SIGTERM) while jobs are running, and how those jobs ended.
 *
 * <ol>
 *   <li>N requests to grep.sh?slow=3 at once; the server's timeout is 2 s, so each gets 504, and
 *       the server kills its script, orphaning the script's grep pipeline.
 *   <li>Wait (at most 20 s) until everything below the server has ended: the orphans finish a
 *       second later. Then count the zombies below it, from outside, once they have had {@link
 *       #SETTLE} to go. Without the reaper there are at least N (each pipeline leaves two: its
 *       subshell and grep); with it, none.
 *   <li>{@value #JOBS} requests to job.sh, which runs until stopped; once all have started, SIGTERM
 *       to the server. A job that gets SIGTERM records that it stopped gracefully; the reaper
 *       relays it, and without the reaper the kernel SIGKILLs them when PID 1 exits.
 * </ol>
 */
final class Scenario {
    /** The server's --timeout: long enough that the jobs are stopped well within it. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** grep.sh's slow: its pipeline ends a second after the server gave up on the script. */
    public static final int SLOW_SECONDS = 3;

    public static final int JOBS = 3;

    /**
     * How long zombies may take to go, once the orphans have ended: a reaper needs milliseconds,
     * its first reap up to ~100.
     */
    public static final Duration SETTLE = Duration.ofSeconds(2);

    /** What one run found. */
    public record Outcome(
            int requests,
            int timedOut,
            int zombies,
            long reaped,
            int stopStatus,
            long stopMillis,
            int jobs,
            int graceful) {}

    private Scenario() {}

    /**
     * The scenario on {@code server}, PID 1, whose --marker-dir is {@code markers} (seen from
     * here).
     */
    public static Outcome run(Pid1 server, Path markers, int port, boolean reaper, int requests)
            throws IOException, InterruptedException {
        DemoClient client = new DemoClient(port);
        long pid = server.pid();
        client.awaitUp(reaper, Duration.ofSeconds(30));

        List<String> slow =
                IntStream.range(0, requests)
                        .mapToObj(i -> "/cgi-bin/grep.sh?slow=" + SLOW_SECONDS + "&pattern=" + i)
                        .toList();
        int timedOut = (int) client.getAll(slow).stream().filter(status -> status == 504).count();
        awaitOnlyZombiesBelow(pid, Duration.ofSeconds(20));
        int zombies = zombiesLeftBelow(pid, SETTLE);
        long reaped = DemoClient.field(client.status(), "zombiesReaped");

        // answered, if at all, at the stop: what they got is not this scenario's concern
        List<CompletableFuture<?>> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(client.getLater("/cgi-bin/job.sh?seconds=60&id=job" + i));
        }
        awaitMarkers(markers, ".started", JOBS, Duration.ofSeconds(20));
        long stopping = System.nanoTime();
        server.signal("TERM");
        int status = server.awaitExit(Duration.ofSeconds(30));
        long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
        jobs.forEach(job -> job.cancel(true));
        return new Outcome(
                requests,
                timedOut,
                zombies,
                reaped,
                status,
                stopMillis,
                JOBS,
                markers(markers, ".graceful"));
    }

    /**
     * Waits until nothing below {@code pid} runs any more: the orphans of the timed-out scripts
     * have ended.
     */
    static void awaitOnlyZombiesBelow(long pid, Duration within)
            throws IOException, InterruptedException {
        Await.until(
                "everything below " + pid + " has ended",
                within,
                () -> ProcessTable.onlyZombiesBelow(pid));
    }

    /** The zombies below {@code pid} once they are gone, or once {@code within} has passed. */
    static int zombiesLeftBelow(long pid, Duration within)
            throws IOException, InterruptedException {
        return Await.value(within, () -> ProcessTable.zombiesBelow(pid), zombies -> zombies == 0);
    }

    static void awaitMarkers(Path dir, String suffix, int count, Duration within)
            throws IOException, InterruptedException {
        Await.until(count + " jobs started", within, () -> markers(dir, suffix) >= count);
    }

    static int markers(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }
}
