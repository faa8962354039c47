package dev.reaper.it.apps;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;

/**
 * An application that uses up its file descriptors (under {@code ulimit -n}) while orphans keep
 * coming, and the JDK's children it started before exit meanwhile. Steered by files in DIR, which
 * the test and this application create in turn; waiting for a file is a stat(2), which needs no
 * descriptor:
 *
 * <ol>
 *   <li>starts CHILDREN JDK children with random exit codes, half of them from a thread that ends
 *       at once; each exits once DIR/exit exists. Then creates DIR/baseline and waits for DIR/fill
 *       (the test counts this JVM's descriptors meanwhile);
 *   <li>starts a shell that, once DIR/pressure exists, leaves ORPHANS double-forked orphans behind
 *       and then creates DIR/storm-done;
 *   <li>opens /dev/null until EMFILE, and holds every descriptor it got: creates DIR/pressure (with
 *       one it frees, and takes back) and waits for DIR/release;
 *   <li>closes them all, checks its children's exit statuses, starts and checks a few more and a
 *       storm of ORPHANS / 10, waits until no zombie child is left, creates DIR/released and waits
 *       for DIR/finish.
 * </ol>
 *
 * Arguments: DIR ORPHANS CHILDREN. Prints key=value lines: held (descriptors held under pressure),
 * checked, mismatches, zombies_left, time_zone (the JVM's default time zone, first used after the
 * pressure, or why it cannot be had).
 */
public final class FdPressureApp {
    private static final ExitStatuses statuses = new ExitStatuses();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int orphans = Integer.parseInt(args[1]);
        int children = Integer.parseInt(args[2]);
        long self = ProcessHandle.current().pid();
        AgentReady.await();

        Random random = new Random(19);
        List<Process> started = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        String waitForExit =
                "while [ ! -e " + dir.resolve("exit") + " ]; do sleep 0.1; done; exit ";
        Runnable startHalf =
                () -> {
                    for (int i = 0; i < children / 2; i++) {
                        int code = random.nextInt(256);
                        codes.add(code);
                        started.add(start("sh", "-c", waitForExit + code));
                    }
                };
        Thread spawner = new Thread(startHalf, "short-lived spawner");
        spawner.start();
        spawner.join(); // its children move to the leader thread's list, beside the orphans
        startHalf.run();
        touch(dir.resolve("baseline"));
        awaitFile(dir.resolve("fill"));

        Process storm =
                start(
                        "sh",
                        "-c",
                        "while [ ! -e "
                                + dir.resolve("pressure")
                                + " ]; do sleep 0.01; done; i=0; while [ $i -lt "
                                + orphans
                                + " ]; do (true &); i=$((i+1)); done; : > "
                                + dir.resolve("storm-done"));
        List<RandomAccessFile> held = new ArrayList<>();
        fill(held);
        RandomAccessFile last = held.remove(held.size() - 1);
        last.close();
        touch(dir.resolve("pressure"));
        fill(held); // back to none free (unless another thread took the one meanwhile)
        awaitFile(dir.resolve("release"));
        int heldCount = held.size();
        for (RandomAccessFile file : held) {
            file.close();
        }
        held.clear();

        for (int i = 0; i < started.size(); i++) {
            statuses.check("child started before the pressure", started.get(i), codes.get(i));
        }
        statuses.check("storm", storm, 0);
        for (int i = 0; i < 10; i++) {
            int code = random.nextInt(256);
            statuses.check(
                    "child started after the pressure", start("sh", "-c", "exit " + code), code);
        }
        statuses.check(
                "storm after the pressure",
                start(
                        "sh",
                        "-c",
                        "i=0; while [ $i -lt "
                                + orphans / 10
                                + " ]; do (true &); i=$((i+1)); done"),
                0);
        int left = Zombies.awaitNone(self, 10_000);
        String zone;
        try {
            // its first use reads files: had it been under the pressure, it would fail for good
            zone = TimeZone.getDefault().getID();
        } catch (Throwable broken) {
            zone = "broken: " + broken;
        }
        touch(dir.resolve("released"));
        awaitFile(dir.resolve("finish"));
        System.out.println("held=" + heldCount);
        statuses.print();
        System.out.println("zombies_left=" + left);
        System.out.println("time_zone=" + zone);
    }

    /** Opens /dev/null until the process has no descriptor left. */
    private static void fill(List<RandomAccessFile> held) {
        while (true) {
            try {
                held.add(new RandomAccessFile("/dev/null", "r"));
            } catch (IOException full) { // FileNotFoundException: "/dev/null (Too many open files)"
                return;
            }
        }
    }

    private static void touch(Path file) throws IOException {
        Files.writeString(file, "");
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no " + file + " within 2 minutes");
            }
            Thread.sleep(10);
        }
    }

    /** Output and errors discarded, input inherited: the JVM holds no descriptor for the child. */
    private static Process start(String... command) {
        try {
            return new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
