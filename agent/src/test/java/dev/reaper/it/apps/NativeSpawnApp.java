package dev.reaper.it.apps;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Children started by native code, whose exit codes only their starter reads, during an orphan
 * storm. Two spawn paths of different shapes: NuProcess (a real native process library from Maven
 * Central: it forks through the JDK's JNI and reaps with waitpid(pid, WNOHANG) from its own
 * thread), and posix_spawnp through the application's own JNA, reaped by a blocking waitpid(pid)
 * from another thread. Each child is started by one of three kinds of thread: one that ends at once
 * (its children move to the leader thread's list, beside the orphans), one that ends while its
 * children still run, and one that lives on.
 *
 * <p>Arguments: ORPHANS PER_PATH. Each child runs {@code sleep 0.2; exit CODE} with a random CODE
 * from 0 to 125 (NuProcess takes 126 and 127 for a failed launch). Prints key=value lines: checked,
 * mismatches, zombies_left.
 */
public final class NativeSpawnApp {
    public interface C extends Library {
        int posix_spawnp(
                IntByReference pid,
                String file,
                Pointer fileActions,
                Pointer attributes,
                String[] argv,
                String[] envp);

        int waitpid(int pid, IntByReference status, int options);
    }

    private static final C LIBC = Native.load("c", C.class);
    private static final String[] ENV = {"PATH=/usr/bin:/bin", null};
    private static final ExitStatuses statuses = new ExitStatuses();

    public static void main(String[] args) throws Exception {
        int orphans = Integer.parseInt(args[0]);
        int perPath = Integer.parseInt(args[1]);
        long self = ProcessHandle.current().pid();
        // a thread that ended before the agent was ready left its children unrecorded
        // (src/docs/reaping.md, "Limits")
        AgentReady.await();
        Process storm =
                new ProcessBuilder(
                                "sh",
                                "-c",
                                "i=0; while [ $i -lt "
                                        + orphans
                                        + " ]; do (true &); i=$((i+1)); done")
                        .start();

        Random random = new Random(42);
        List<Runnable> checks = new ArrayList<>();
        List<Thread> starters = new ArrayList<>();
        for (int i = 0; i < 2 * perPath; i++) {
            int code = random.nextInt(126);
            boolean nu = i % 2 == 0;
            Runnable[] check = new Runnable[1];
            CountDownLatch started = new CountDownLatch(1);
            String[] starter = {
                "a thread that ends at once", "a thread that ends later", "the main thread"
            };
            String by = " started by " + starter[i / 2 % 3];
            Runnable start =
                    () -> {
                        check[0] = nu ? nuProcess(code, by) : posixSpawn(code, by);
                        started.countDown();
                    };
            switch (i / 2 % 3) {
                case 0 -> starters.add(thread(start, 0)); // ends at once
                case 1 -> starters.add(thread(start, 100)); // ends while its child still runs
                default -> start.run(); // the main thread lives on
            }
            started.await();
            checks.add(() -> check[0].run());
        }
        for (Thread starter : starters) {
            starter.join();
        }
        for (Runnable check : checks) {
            check.run();
        }
        int stormStatus = storm.waitFor();
        if (stormStatus != 0) {
            statuses.mismatch("storm: exit " + stormStatus);
        }
        int left = Zombies.awaitNone(self, 10_000);
        statuses.print();
        System.out.println("zombies_left=" + left);
    }

    /** Starts the child through NuProcess; the check waits for NuProcess's report of its exit. */
    private static Runnable nuProcess(int code, String by) {
        int[] reported = {Integer.MIN_VALUE};
        CountDownLatch exited = new CountDownLatch(1);
        NuProcessBuilder builder =
                new NuProcessBuilder(List.of("sh", "-c", "sleep 0.2; exit " + code));
        builder.setProcessListener(
                new NuAbstractProcessHandler() {
                    @Override
                    public void onExit(int status) {
                        reported[0] = status;
                        exited.countDown();
                    }
                });
        NuProcess process = builder.start();
        return () -> {
            try {
                boolean done = exited.await(60, TimeUnit.SECONDS);
                statuses.compare(
                        "nuprocess pid " + process.getPID() + by,
                        done ? reported[0] : Integer.MIN_VALUE,
                        code);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Starts the child with posix_spawnp; the check reaps it with a blocking waitpid, from
     * whichever thread checks.
     */
    private static Runnable posixSpawn(int code, String by) {
        IntByReference pid = new IntByReference();
        int rc =
                LIBC.posix_spawnp(
                        pid,
                        "sh",
                        null,
                        null,
                        new String[] {"sh", "-c", "sleep 0.2; exit " + code, null},
                        ENV);
        if (rc != 0) {
            throw new IllegalStateException("posix_spawnp: " + rc);
        }
        return () -> {
            IntByReference status = new IntByReference();
            int reaped = LIBC.waitpid(pid.getValue(), status, 0);
            int got =
                    reaped == pid.getValue()
                            ? (status.getValue() >> 8) & 0xff
                            : -1000 - Native.getLastError();
            statuses.compare("posix_spawn pid " + pid.getValue() + by, got, code);
        };
    }

    private static Thread thread(Runnable task, long lingerMillis) {
        Thread thread =
                new Thread(
                        () -> {
                            task.run();
                            try {
                                Thread.sleep(lingerMillis);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "starter");
        thread.start();
        return thread;
    }
}
