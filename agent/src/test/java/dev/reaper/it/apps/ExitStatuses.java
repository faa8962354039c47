package dev.reaper.it.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exit statuses a test application checked, and those that came out wrong, from any thread;
 * printed as the key=value lines the tests read: checked, mismatches, and the first twenty
 * "mismatch:" lines.
 */
final class ExitStatuses {
    private final AtomicInteger checked = new AtomicInteger();
    private final List<String> mismatches = new ArrayList<>();

    /**
     * A JDK child's status as waitFor, exitValue and onExit each read it; an onExit that does not
     * complete within 30 s is a mismatch.
     */
    void check(String what, Process p, int expected)
            throws InterruptedException, ExecutionException {
        int waited = p.waitFor();
        int value = p.exitValue();
        int onExit;
        try {
            onExit = p.onExit().get(30, TimeUnit.SECONDS).exitValue();
        } catch (TimeoutException e) {
            mismatch(what + " pid " + p.pid() + ": onExit did not complete");
            return;
        }
        checked.incrementAndGet();
        if (waited != expected || value != expected || onExit != expected) {
            mismatch(
                    what
                            + " pid "
                            + p.pid()
                            + ": expected "
                            + expected
                            + ", waitFor "
                            + waited
                            + ", exitValue "
                            + value
                            + ", onExit "
                            + onExit);
        }
    }

    /** A status read some other way (NuProcess, waitpid). */
    void compare(String what, int got, int expected) {
        checked.incrementAndGet();
        if (got != expected) {
            mismatch(what + ": expected " + expected + ", got " + got);
        }
    }

    void mismatch(String message) {
        synchronized (mismatches) {
            mismatches.add(message);
        }
    }

    void print() {
        System.out.println("checked=" + checked.get());
        synchronized (mismatches) {
            System.out.println("mismatches=" + mismatches.size());
            mismatches.stream().limit(20).forEach(m -> System.out.println("mismatch: " + m));
        }
    }
}
