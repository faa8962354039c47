package dev.reaper.it.apps;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * An application that runs out of heap (run it with a small -Xmx) and holds every byte of it while
 * orphans keep coming: every allocation in the JVM, the agent's included, fails with an
 * OutOfMemoryError meanwhile. Its own children end only once it has let go: the JDK's reaper thread
 * of a child that ends meanwhile dies of the error, and the child's Process never completes (seen
 * here with no agent at all). Steered by files in DIR, and by its stdin:
 *
 * <ol>
 *   <li>starts CHILDREN JDK children with random exit codes, half of them from a thread that ends
 *       at once; each exits once DIR/released exists;
 *   <li>starts a shell that, once DIR/full exists, leaves ORPHANS double-forked orphans behind,
 *       creates DIR/storm-done, and exits once DIR/released exists;
 *   <li>allocates until OutOfMemoryError, creates DIR/full (with a reserve it frees, and fills
 *       again), lets four threads end, and holds it all until a byte comes on its stdin (a read
 *       that allocates nothing);
 *   <li>lets go of it, creates DIR/released, checks its children's exit statuses, starts and checks
 *       a few more, and waits until no zombie child is left.
 * </ol>
 *
 * Arguments: DIR ORPHANS CHILDREN. Prints key=value lines: errors (OutOfMemoryErrors it caught),
 * checked, mismatches, zombies_left.
 */
public final class HeapPressureApp {
    private static final ExitStatuses statuses = new ExitStatuses();
    private static int errors;

    /** What fills the heap: a linked list, which needs no larger array to grow. */
    private static Object[] heap;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int orphans = Integer.parseInt(args[1]);
        int children = Integer.parseInt(args[2]);
        long self = ProcessHandle.current().pid();
        Path full = dir.resolve("full");
        Path released = dir.resolve("released");
        AgentReady.await();

        Random random = new Random(3);
        List<Process> started = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        Runnable startHalf =
                () -> {
                    for (int i = 0; i < children / 2; i++) {
                        int code = random.nextInt(256);
                        codes.add(code);
                        started.add(
                                start(
                                        "sh",
                                        "-c",
                                        "while [ ! -e "
                                                + released
                                                + " ]; do sleep 0.1; done; exit "
                                                + code));
                    }
                };
        Thread spawner = new Thread(startHalf, "short-lived spawner");
        spawner.start();
        spawner.join();
        startHalf.run();
        Process storm =
                start(
                        "sh",
                        "-c",
                        "while [ ! -e "
                                + full
                                + " ]; do sleep 0.01; done; i=0; while [ $i -lt "
                                + orphans
                                + " ]; do (true &); i=$((i+1)); done; : > "
                                + dir.resolve("storm-done")
                                + "; while [ ! -e "
                                + released
                                + " ]; do sleep 0.1; done");

        CountDownLatch end = new CountDownLatch(1);
        // threads that end under the full heap, as pool threads do: JVMTI ThreadEnd runs on each
        for (int i = 0; i < 4; i++) {
            new Thread(
                            () -> {
                                try {
                                    end.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "ends under the full heap")
                    .start();
        }
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        byte[] letGo = new byte[1];
        byte[][] reserve = {new byte[1 << 20]};
        fill();
        reserve[0] = null; // room for the line below, once the collector has run
        Files.writeString(full, "");
        fill();
        end.countDown();
        while (stdin.read(letGo, 0, 1) == 0) { // a read of one byte allocates nothing: it blocks
            errors++;
        }
        heap = null;
        Files.writeString(released, "");

        for (int i = 0; i < started.size(); i++) {
            statuses.check("child started before the pressure", started.get(i), codes.get(i));
        }
        statuses.check("storm", storm, 0);
        for (int i = 0; i < 10; i++) {
            int code = random.nextInt(256);
            statuses.check(
                    "child started after the pressure", start("sh", "-c", "exit " + code), code);
        }
        int left = Zombies.awaitNone(self, 30_000);
        System.out.println("errors=" + errors);
        statuses.print();
        System.out.println("zombies_left=" + left);
    }

    /** Allocates until not even the smallest object fits. */
    private static void fill() {
        for (int size = 1 << 16; size > 0; size /= 16) {
            try {
                while (true) {
                    heap = new Object[] {heap, new byte[size]};
                }
            } catch (OutOfMemoryError full) {
                errors++;
            }
        }
    }

    private static Process start(String... command) {
        try {
            return new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
