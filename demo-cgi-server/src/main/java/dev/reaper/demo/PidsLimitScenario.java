package dev.reaper.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outage a zombie leak ends in: the server as PID 1 in a cgroup with a pids.max (a container
 * run with {@code --pids-limit}), serving rounds of requests. Each round sends, at once, {@value
 * #SLOW} requests to grep.sh that time out (each orphans a subshell and grep: two zombies without
 * the reaper) and {@value #QUICK} to hello.sh (answered at once). Zombies count against the limit;
 * once it is reached, the server can neither fork a script nor start a thread, and requests that
 * have nothing to do with the leak fail. The rounds stop after the first one with a failure.
 */
final class PidsLimitScenario {
    static final int SLOW = 2;
    static final int QUICK = 3;

    /** The server's --timeout here: short, so that a round takes about this long. */
    static final Duration TIMEOUT = Duration.ofMillis(500);

    /** grep.sh's slow: its pipeline ends half a second after the server gave up on the script. */
    static final String SLOW_SECONDS = "1";

    /**
     * How long the server has to exit after SIGTERM before it is SIGKILLed, as docker stop does
     * after its 10 s.
     */
    static final Duration STOP = Duration.ofSeconds(10);

    /**
     * What one run found.
     *
     * @param answered requests answered as they should be (504 for grep.sh, 200 for hello.sh)
     *     before the first that was not
     * @param firstFailure that request and what it got, or null if none failed
     * @param peak the most pids in use at once (pids.peak), -1 if the kernel does not say
     * @param refused forks and clones the limit refused (pids.events)
     * @param firstError the first error line the server printed (see {@link #firstError}), or null
     * @param killed whether the server did not exit within {@link #STOP} of SIGTERM, and was
     *     SIGKILLed: a JVM starts a thread to handle a signal, and under a full limit it cannot
     */
    record Outcome(
            int limit,
            int requests,
            int answered,
            String firstFailure,
            long peak,
            long refused,
            String firstError,
            boolean killed) {}

    private PidsLimitScenario() {}

    /**
     * {@code rounds} rounds against {@code server}, PID 1 in {@code cgroup}, listening on {@code
     * port}.
     */
    static Outcome run(
            LaunchedServer server,
            PidsCgroup cgroup,
            int limit,
            int port,
            boolean reaper,
            int rounds)
            throws IOException, InterruptedException {
        DemoClient client = new DemoClient(port);
        client.awaitUp(reaper, Duration.ofSeconds(30));
        int answered = 0;
        String firstFailure = null;
        for (int round = 0; round < rounds && firstFailure == null; round++) {
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < SLOW; i++) {
                paths.add("/cgi-bin/grep.sh?slow=" + SLOW_SECONDS + "&pattern=" + round + "x" + i);
            }
            for (int i = 0; i < QUICK; i++) {
                paths.add("/cgi-bin/hello.sh");
            }
            List<Integer> statuses = client.getAll(paths);
            for (int i = 0; i < paths.size() && firstFailure == null; i++) {
                int expected = i < SLOW ? 504 : 200;
                if (statuses.get(i) == expected) {
                    answered++;
                } else {
                    String script = paths.get(i).replaceAll("^/cgi-bin/|\\?.*$", "");
                    firstFailure =
                            "request "
                                    + (answered + 1)
                                    + ", "
                                    + script
                                    + ": "
                                    + (statuses.get(i) < 0 ? "no answer" : statuses.get(i));
                }
            }
        }
        long peak = cgroup.peak();
        long refused = cgroup.refused();
        boolean killed = false;
        server.pid1().signal("TERM");
        try {
            server.pid1().awaitExit(STOP);
        } catch (IllegalStateException notEnded) {
            server.pid1().signal("KILL");
            server.pid1().awaitExit(Duration.ofSeconds(30));
            killed = true;
        }
        return new Outcome(
                limit,
                rounds * (SLOW + QUICK),
                answered,
                firstFailure,
                peak,
                refused,
                firstError(server.output()),
                killed);
    }

    /**
     * The first line of the server's output that is neither its start-up line nor its note on a
     * script killed at the timeout (grep.sh asks for those): its messages, and the JVM's. The
     * scripts' own messages are left out: bash starts them with the script's path.
     */
    static String firstError(String output) {
        return output.lines()
                .filter(
                        line ->
                                !line.isBlank()
                                        && !line.startsWith("/")
                                        && !line.startsWith("demo-cgi-server: http://")
                                        && !line.endsWith(
                                                "ran past the timeout ("
                                                        + TIMEOUT.toMillis()
                                                        + " ms): killed"))
                .findFirst()
                .orElse(null);
    }
}
