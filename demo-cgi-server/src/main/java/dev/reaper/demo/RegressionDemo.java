package dev.reaper.demo;

import dev.reaper.kit.Bundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The regression demo: the server as PID 1, of a pid namespace and of a runc container, each
 * without and with the reaper, through the same {@link Scenario}; then a table of what each run
 * left behind. Then the outage the leak ends in: the server under a pids limit, without and with
 * the reaper, through the same {@link PidsLimitScenario}, and a table of how far each got. Run as
 * root from the repository: {@code java -cp demo-cgi-server/target/demo-cgi-server.jar
 * dev.reaper.demo.RegressionDemo [N] [--bundle DIR]}. Exits 0 if every run came out as it should.
 */
public final class RegressionDemo {
    static final int DEFAULT_REQUESTS = 20;

    /** pids.max of the run under a limit: what {@code docker run --pids-limit 100} sets. */
    static final int PIDS_LIMIT = 100;

    /**
     * Rounds of that run: 100 requests; without the reaper the limit is reached after about 60
     * here.
     */
    static final int PIDS_ROUNDS = 20;

    /** One line of the table: how the server ran, and what came out (or why nothing did). */
    record Row(String runtime, boolean reaper, Scenario.Outcome outcome, String problem) {
        boolean asExpected() {
            if (outcome == null) {
                return false;
            }
            boolean leakAsShown =
                    reaper ? outcome.zombies() == 0 : outcome.zombies() >= outcome.requests();
            boolean stopAsShown = outcome.graceful() == (reaper ? outcome.jobs() : 0);
            return outcome.timedOut() == outcome.requests()
                    && leakAsShown
                    && stopAsShown
                    && outcome.stopStatus() == 143;
        }
    }

    /** One line of the table of the run under a pids limit. */
    record PidsRow(boolean reaper, PidsLimitScenario.Outcome outcome, String problem) {
        boolean asExpected() {
            if (outcome == null) {
                return false;
            }
            return reaper
                    ? outcome.firstFailure() == null
                            && outcome.answered() == outcome.requests()
                            && outcome.refused() == 0
                            && !outcome.killed()
                    : outcome.firstFailure() != null && outcome.refused() > 0;
        }

        boolean skipped() {
            return problem != null && problem.startsWith("skipped");
        }
    }

    private RegressionDemo() {}

    public static void main(String[] args) throws Exception {
        int requests = DEFAULT_REQUESTS;
        Path bundle = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--bundle") && i + 1 < args.length) {
                bundle = Path.of(args[++i]);
            } else if (args[i].matches("\\d{1,3}") && Integer.parseInt(args[i]) > 0) {
                requests = Integer.parseInt(args[i]);
            } else {
                refuse(
                        "bad argument '"
                                + args[i]
                                + "'; accepted: N (requests that time out, 1 to 999, default "
                                + DEFAULT_REQUESTS
                                + "), --bundle DIR (the runc bundle, default src/container)");
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            refuse("run it as root: it makes pid namespaces and runs runc");
        }
        Path jar = ownJar();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        bundle = bundle != null ? bundle : findBundle(jar);
        String noRunc = whyNoRunc(bundle, java);

        System.out.printf(
                "Regression demo: demo-cgi-server as PID 1, without and with the reaper (java %s).%n"
                        + "Each run: %d requests to grep.sh?slow=%d, timeout %d s (the server kills each script; its grep pipeline is orphaned);%n"
                        + "then SIGTERM with %d jobs (job.sh) in flight.%n%n",
                Runtime.version().feature(),
                requests,
                Scenario.SLOW_SECONDS,
                Scenario.TIMEOUT.toSeconds(),
                Scenario.JOBS);
        List<Row> rows = new ArrayList<>();
        for (String runtime : List.of("pid namespace", "runc container")) {
            for (boolean reaper : List.of(false, true)) {
                if (runtime.startsWith("runc") && noRunc != null) {
                    rows.add(new Row(runtime, reaper, null, "skipped: " + noRunc));
                    continue;
                }
                System.err.println(
                        "running: " + runtime + ", reaper " + (reaper ? "on" : "off") + "...");
                rows.add(run(runtime, reaper, requests, java, jar, bundle));
            }
        }
        print(rows, requests);

        System.out.printf(
                "%nUnder a pids limit: the server as PID 1 of a pid namespace, in a cgroup with pids.max %d (what%n"
                        + "docker run --pids-limit %d sets; zombies count against it). Each round: %d requests to grep.sh?slow=%s,%n"
                        + "timeout %d ms (each orphans a subshell and grep), and %d to hello.sh; %d rounds (%d requests), until one fails.%n%n",
                PIDS_LIMIT,
                PIDS_LIMIT,
                PidsLimitScenario.SLOW,
                PidsLimitScenario.SLOW_SECONDS,
                PidsLimitScenario.TIMEOUT.toMillis(),
                PidsLimitScenario.QUICK,
                PIDS_ROUNDS,
                PIDS_ROUNDS * (PidsLimitScenario.SLOW + PidsLimitScenario.QUICK));
        String noCgroup = PidsCgroup.whyNot();
        List<PidsRow> pidsRows = new ArrayList<>();
        for (boolean reaper : List.of(false, true)) {
            if (noCgroup != null) {
                pidsRows.add(new PidsRow(reaper, null, "skipped: " + noCgroup));
                continue;
            }
            System.err.println(
                    "running: pid namespace, pids.max "
                            + PIDS_LIMIT
                            + ", reaper "
                            + (reaper ? "on" : "off")
                            + "...");
            pidsRows.add(runUnderLimit(reaper, java, jar));
        }
        printPids(pidsRows);
        boolean allAsExpected =
                rows.stream()
                                .allMatch(
                                        r ->
                                                r.asExpected()
                                                        || (r.problem() != null
                                                                && r.problem()
                                                                        .startsWith("skipped")))
                        && pidsRows.stream().allMatch(r -> r.asExpected() || r.skipped());
        System.exit(allAsExpected ? 0 : 1);
    }

    private static PidsRow runUnderLimit(boolean reaper, Path java, Path jar) {
        try (PidsCgroup cgroup = PidsCgroup.create(PIDS_LIMIT)) {
            int port = freePort();
            LaunchedServer.Launch launch =
                    new LaunchedServer.Launch(java, jar, reaper, port, PidsLimitScenario.TIMEOUT);
            try (LaunchedServer server = LaunchedServer.unshared(launch, cgroup)) {
                try {
                    return new PidsRow(
                            reaper,
                            PidsLimitScenario.run(
                                    server, cgroup, PIDS_LIMIT, port, reaper, PIDS_ROUNDS),
                            null);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(
                            e.getMessage() + "; the server printed: " + server.output(), e);
                }
            }
        } catch (Exception e) {
            return new PidsRow(reaper, null, "failed: " + e.getMessage());
        }
    }

    private static Row run(
            String runtime, boolean reaper, int requests, Path java, Path jar, Path bundle) {
        try {
            int port = freePort();
            LaunchedServer.Launch launch =
                    new LaunchedServer.Launch(java, jar, reaper, port, Scenario.TIMEOUT);
            try (LaunchedServer server =
                    runtime.startsWith("runc")
                            ? LaunchedServer.inContainer(bundle, launch)
                            : LaunchedServer.unshared(launch)) {
                try {
                    return new Row(
                            runtime,
                            reaper,
                            Scenario.run(server.pid1(), server.markers(), port, reaper, requests),
                            null);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(
                            e.getMessage() + "; the server printed: " + server.output(), e);
                }
            }
        } catch (Exception e) {
            return new Row(runtime, reaper, null, "failed: " + e.getMessage());
        }
    }

    private static void print(List<Row> rows, int requests) {
        List<String[]> cells = new ArrayList<>();
        cells.add(
                new String[] {
                    "runtime",
                    "reaper",
                    "timed out",
                    "zombies after " + requests + " requests",
                    "reaped",
                    "stop: status, time",
                    "jobs ended gracefully"
                });
        for (Row row : rows) {
            Scenario.Outcome o = row.outcome();
            if (o == null) {
                cells.add(new String[] {row.runtime(), row.reaper() ? "on" : "off", row.problem()});
                continue;
            }
            cells.add(
                    new String[] {
                        row.runtime(),
                        row.reaper() ? "on" : "off",
                        o.timedOut() + " of " + o.requests(),
                        Integer.toString(o.zombies()),
                        row.reaper() ? Long.toString(o.reaped()) : "-",
                        o.stopStatus() + " after " + o.stopMillis() + " ms",
                        o.graceful() + " of " + o.jobs()
                    });
        }
        printTable(cells);
        System.out.println();
        for (Row row : rows) {
            if (row.outcome() != null && !row.asExpected()) {
                System.out.println(
                        "NOT AS EXPECTED: "
                                + row.runtime()
                                + ", reaper "
                                + (row.reaper() ? "on" : "off"));
            }
        }
        if (rows.stream().allMatch(Row::asExpected)) {
            System.out.println(
                    "Without the reaper every timed-out request leaves zombies behind, and a stop kills the jobs mid-way."
                            + System.lineSeparator()
                            + "With it: no zombie left, and every job got the SIGTERM and ended gracefully.");
        }
    }

    private static void printPids(List<PidsRow> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(
                new String[] {
                    "reaper",
                    "answered before the first failure",
                    "first failure",
                    "pids at peak",
                    "forks refused",
                    "the server's first error line"
                });
        for (PidsRow row : rows) {
            PidsLimitScenario.Outcome o = row.outcome();
            if (o == null) {
                cells.add(new String[] {row.reaper() ? "on" : "off", row.problem()});
                continue;
            }
            cells.add(
                    new String[] {
                        row.reaper() ? "on" : "off",
                        o.answered() + " of " + o.requests(),
                        o.firstFailure() == null ? "-" : o.firstFailure(),
                        o.peak() < 0 ? "-" : o.peak() + " of " + o.limit(),
                        Long.toString(o.refused()),
                        o.firstError() == null ? "-" : o.firstError()
                    });
        }
        printTable(cells);
        System.out.println();
        for (PidsRow row : rows) {
            if (row.outcome() != null && row.outcome().killed()) {
                System.out.println(
                        "Reaper "
                                + (row.reaper() ? "on" : "off")
                                + ": the server did not exit within "
                                + PidsLimitScenario.STOP.toSeconds()
                                + " s of SIGTERM (a JVM starts a thread to handle a signal), and was SIGKILLed.");
            }
            if (row.outcome() != null && !row.asExpected()) {
                System.out.println(
                        "NOT AS EXPECTED: pids.max "
                                + PIDS_LIMIT
                                + ", reaper "
                                + (row.reaper() ? "on" : "off"));
            }
        }
        if (rows.stream().allMatch(PidsRow::asExpected)) {
            System.out.println(
                    "Without the reaper the zombies fill the limit, and the server can no longer fork a script or start a"
                            + System.lineSeparator()
                            + "thread: requests fail. With it, every request is answered.");
        }
    }

    /** Columns padded to their widest cell; the last one, often long, as it is. */
    private static void printTable(List<String[]> cells) {
        int[] widths = new int[cells.get(0).length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length - 1; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(
                        i < line.length - 1
                                ? String.format("%-" + widths[i] + "s  ", line[i])
                                : line[i]);
            }
            System.out.println(text.toString().stripTrailing());
        }
    }

    /** Why the runc runs cannot be made here, or null if they can. */
    private static String whyNoRunc(Path bundle, Path java)
            throws IOException, InterruptedException {
        if (bundle == null || !Files.isRegularFile(bundle.resolve("config.json"))) {
            return "no runc bundle (src/container; --bundle DIR)";
        }
        try {
            if (new ProcessBuilder("runc", "--version")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    != 0) {
                return "runc does not run";
            }
        } catch (IOException e) {
            return "no runc (Debian package runc)";
        }
        if (!Bundle.visibleInside(java)) {
            return java + " is not under /usr, the host directory the bundle mounts";
        }
        return null;
    }

    /**
     * The repository's bundle: src/container, from the working directory or from where this jar was
     * built.
     */
    private static Path findBundle(Path jar) {
        for (Path candidate :
                List.of(Path.of("src/container"), jar.getParent().resolve("../../src/container"))) {
            if (Files.isRegularFile(candidate.resolve("config.json"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** The jar this class was loaded from: the servers are started from it, with java -jar. */
    private static Path ownJar() throws URISyntaxException {
        Path jar =
                Path.of(
                        RegressionDemo.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        if (!Files.isRegularFile(jar)) {
            refuse(
                    "run it from the jar: java -cp demo-cgi-server/target/demo-cgi-server.jar "
                            + RegressionDemo.class.getName());
        }
        return jar;
    }

    /** A TCP port nobody listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void refuse(String message) {
        System.err.println("RegressionDemo: " + message);
        System.exit(2);
    }
}
