package dev.reaper.demo;

import java.util.concurrent.atomic.LongAdder;

/** What the CGI handler has done, for the status page. */
final class Stats {
    private final LongAdder requests = new LongAdder();
    private final LongAdder timedOut = new LongAdder();

    void requested() {
        requests.increment();
    }

    void timedOut() {
        timedOut.increment();
    }

    long requests() {
        return requests.sum();
    }

    long timedOutCount() {
        return timedOut.sum();
    }
}
