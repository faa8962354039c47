package dev.reaper.it.apps;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An orphan storm, and meanwhile the JVM's own children, whose exit codes must stay exact.
 *
 * <p>Arguments: ORPHANS THREADS BATCHES BATCH_SIZE WAIT_MILLIS. The storm is a shell that
 * double-forks ORPHANS processes, each re-parented to this JVM when its parent exits. THREADS
 * threads each start BATCHES batches of BATCH_SIZE children with random exit codes 0-255; a batch
 * waits on stdin and exits all at once when its stdins are closed. Every other batch is started by
 * a thread that dies before its children exit. After each batch the thread starts children that
 * exit at once (`false`, `sh -c 'exit N'`). At the end it waits up to WAIT_MILLIS for its zombie
 * children to be gone. Prints key=value lines: checked, mismatches, orphans, zombies_left.
 */
public final class StormApp {
    /**
     * Children that exit at once, per batch. One of them may exit before the JDK has registered it
     * (FACTS.md): a reaper that looked beyond the leader thread's list steals a few percent of
     * these.
     */
    public static final int FAST_PER_BATCH = 10;

    private static final ExitStatuses statuses = new ExitStatuses();

    public static void main(String[] args) throws Exception {
        int orphans = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        int batches = Integer.parseInt(args[2]);
        int batchSize = Integer.parseInt(args[3]);
        long waitMillis = Long.parseLong(args[4]);
        long self = ProcessHandle.current().pid();

        Process storm =
                new ProcessBuilder(
                                "sh",
                                "-c",
                                "i=0; while [ $i -lt "
                                        + orphans
                                        + " ]; do (true &); i=$((i+1)); done")
                        .redirectErrorStream(true)
                        .start();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            Thread worker = new Thread(() -> work(seed, batches, batchSize), "worker-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        check("storm", storm, 0);
        int left = Zombies.awaitNone(self, waitMillis);
        System.out.println("orphans=" + orphans);
        statuses.print();
        System.out.println("zombies_left=" + left);
    }

    private static void work(long seed, int batches, int batchSize) {
        Random random = new Random(seed);
        try {
            for (int b = 0; b < batches; b++) {
                List<Process> batch = new ArrayList<>();
                List<Integer> codes = new ArrayList<>();
                Runnable start =
                        () -> {
                            for (int i = 0; i < batchSize; i++) {
                                int code = random.nextInt(256);
                                codes.add(code);
                                batch.add(start("sh", "-c", "read line; exit " + code));
                            }
                        };
                if (b % 2 == 1) {
                    Thread spawner = new Thread(start, "short-lived spawner");
                    spawner.start();
                    spawner.join(); // the spawning thread is dead before its children exit
                } else {
                    start.run();
                }
                for (Process p : batch) {
                    p.getOutputStream().close(); // all exit at about the same moment
                }
                for (int i = 0; i < batch.size(); i++) {
                    check("batch", batch.get(i), codes.get(i));
                }
                for (int i = 0; i < FAST_PER_BATCH / 2; i++) {
                    int code = random.nextInt(256);
                    check("fast sh", start("sh", "-c", "exit " + code), code);
                    check("fast false", start("false"), 1);
                }
            }
        } catch (Exception e) {
            statuses.mismatch("worker failed: " + e);
        }
    }

    private static Process start(String... command) {
        try {
            return new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** The shared check, and the child's ProcessHandle sees its end too. */
    private static void check(String what, Process p, int expected)
            throws InterruptedException, ExecutionException {
        statuses.check(what, p, expected);
        try {
            p.toHandle().onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            statuses.mismatch(what + " pid " + p.pid() + ": its handle's onExit did not complete");
        }
    }
}
