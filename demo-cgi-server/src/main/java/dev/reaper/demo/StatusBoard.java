package dev.reaper.demo;

import dev.reaper.kit.ProcessTable;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What the status page shows: zombies now and over the last two minutes, zombies reaped, requests
 * served and timed out. Sampled every {@value #SAMPLE_MILLIS} ms on a thread of its own, so that
 * the chart has no gaps when nobody is looking.
 */
final class StatusBoard {
    static final int SAMPLE_MILLIS = 500;
    private static final int SAMPLES = 240; // two minutes

    private final Stats stats;
    private final ReaperFigures reaper;
    private final History zombies = new History(SAMPLES);
    private final long started = System.currentTimeMillis();

    /** The sampling task, once started; done only if sampling stopped, which the status says. */
    private volatile ScheduledFuture<?> sampling;

    StatusBoard(Stats stats, ReaperFigures reaper) {
        this.stats = stats;
        this.reaper = reaper;
    }

    void startSampling() {
        ScheduledExecutorService sampler =
                Executors.newSingleThreadScheduledExecutor(
                        ScriptProcess.daemons("status-sampler-"));
        sampling =
                sampler.scheduleAtFixedRate(
                        () -> {
                            try {
                                zombies.add(ProcessTable.zombies());
                            } catch (RuntimeException e) {
                                // /proc unreadable for a moment: a gap in the chart, not the end of
                                // sampling (a task that throws is never run again)
                            }
                        },
                        0,
                        SAMPLE_MILLIS,
                        TimeUnit.MILLISECONDS);
    }

    /** The status as JSON, for /status and the page's script. */
    String json() {
        ReaperFigures.Snapshot figures = reaper.read();
        String history =
                Arrays.stream(zombies.toArray())
                        .mapToObj(Integer::toString)
                        .collect(Collectors.joining(","));
        return "{\"reaper\":"
                + figures.on()
                + ",\"role\":\""
                + figures.role().replace("\\", "\\\\").replace("\"", "\\\"")
                + "\""
                + ",\"pid\":"
                + ProcessHandle.current().pid()
                + ",\"zombies\":"
                + ProcessTable.zombies()
                + ",\"zombiesReaped\":"
                + (figures.on() ? Long.toString(figures.zombiesReaped()) : "null")
                + ",\"requests\":"
                + stats.requests()
                + ",\"timedOut\":"
                + stats.timedOutCount()
                + ",\"uptimeMillis\":"
                + (System.currentTimeMillis() - started)
                + ",\"sampleMillis\":"
                + SAMPLE_MILLIS
                + ",\"sampling\":"
                + (sampling != null && !sampling.isDone())
                + ",\"zombieHistory\":["
                + history
                + "]}";
    }
}
