package dev.reaper.it.apps;

import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Children of this JVM and an orphan storm that all end while the JVM may be stopped (SIGSTOP):
 * each waits for DIR/go, which the test creates once it has stopped the JVM.
 *
 * <ol>
 *   <li>starts CHILDREN JDK children and NATIVE children of native code, with random exit codes:
 *       half through NuProcess (which reaps its own with waitpid(pid, WNOHANG) from a thread of its
 *       own), half through posix_spawn, reaped by a blocking waitpid once every other zombie is
 *       gone; half of each kind from a thread that ends at once (their children move to the leader
 *       thread's list, beside the orphans);
 *   <li>starts a shell that leaves ORPHANS double-forked orphans behind;
 *   <li>creates DIR/ready; checks every exit status, as the JDK and NuProcess report it; waits
 *       until no zombie child is left.
 * </ol>
 *
 * Arguments: DIR ORPHANS CHILDREN NATIVE. Prints key=value lines: checked, mismatches,
 * zombies_left.
 */
public final class PausedStormApp {
    private static final NativeSpawnApp.C LIBC = Native.load("c", NativeSpawnApp.C.class);
    private static final String[] ENV = {"PATH=/usr/bin:/bin", null};
    private static final ExitStatuses statuses = new ExitStatuses();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int orphans = Integer.parseInt(args[1]);
        int children = Integer.parseInt(args[2]);
        int natives = Integer.parseInt(args[3]);
        long self = ProcessHandle.current().pid();
        AgentReady.await();

        String afterGo = "while [ ! -e " + dir.resolve("go") + " ]; do sleep 0.05; done; ";
        Random random = new Random(2);
        List<Process> jdkChildren = new ArrayList<>();
        List<Integer> jdkCodes = new ArrayList<>();
        List<CompletableFuture<Integer>> nuChildren = new ArrayList<>();
        List<Integer> nuCodes = new ArrayList<>();
        List<IntSupplier> posixChildren = new ArrayList<>();
        List<Integer> posixCodes = new ArrayList<>();
        Runnable startHalf =
                () -> {
                    for (int i = 0; i < children / 2; i++) {
                        int code = random.nextInt(256);
                        jdkCodes.add(code);
                        jdkChildren.add(start("sh", "-c", afterGo + "exit " + code));
                    }
                    for (int i = 0; i < natives / 4; i++) {
                        int code =
                                random.nextInt(
                                        126); // NuProcess reads 126 and 127 as a failed launch
                        nuCodes.add(code);
                        nuChildren.add(nuProcess(afterGo + "exit " + code));
                        code = random.nextInt(256);
                        posixCodes.add(code);
                        posixChildren.add(posixSpawn(afterGo + "exit " + code));
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
                        afterGo
                                + "i=0; while [ $i -lt "
                                + orphans
                                + " ]; do (true &); i=$((i+1)); done");
        Files.writeString(dir.resolve("ready"), "");

        for (int i = 0; i < jdkChildren.size(); i++) {
            Process p = jdkChildren.get(i);
            int waited = p.waitFor();
            int onExit = p.onExit().get(60, TimeUnit.SECONDS).exitValue();
            statuses.compare(
                    "JDK child " + p.pid(),
                    waited == onExit ? waited : -1000 - onExit,
                    jdkCodes.get(i));
        }
        for (int i = 0; i < nuChildren.size(); i++) {
            statuses.compare(
                    "NuProcess child " + i,
                    nuChildren.get(i).get(60, TimeUnit.SECONDS),
                    nuCodes.get(i));
        }
        statuses.compare("storm", storm.waitFor(), 0);
        // the posix_spawn children's zombies wait through the reaping of the whole pile: reaped
        // only once nothing else is left
        Await.value(
                Duration.ofSeconds(30),
                () -> ProcessTable.zombieChildren(self),
                n -> n <= posixChildren.size());
        for (int i = 0; i < posixChildren.size(); i++) {
            statuses.compare(
                    "posix_spawn child " + i, posixChildren.get(i).getAsInt(), posixCodes.get(i));
        }
        int left = Zombies.awaitNone(self, 30_000);
        statuses.print();
        System.out.println("zombies_left=" + left);
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

    /** A child through NuProcess: the future completes with the exit status NuProcess reports. */
    private static CompletableFuture<Integer> nuProcess(String script) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        NuProcessBuilder builder = new NuProcessBuilder(List.of("sh", "-c", script));
        builder.setProcessListener(
                new NuAbstractProcessHandler() {
                    @Override
                    public void onExit(int status) {
                        exit.complete(status);
                    }
                });
        builder.start();
        return exit;
    }

    /**
     * A child through posix_spawnp, through the application's own JNA; its check reaps it with a
     * blocking waitpid, so its zombie waits for the check, long after the JVM is continued.
     */
    private static IntSupplier posixSpawn(String script) {
        IntByReference pid = new IntByReference();
        int rc =
                LIBC.posix_spawnp(
                        pid, "sh", null, null, new String[] {"sh", "-c", script, null}, ENV);
        if (rc != 0) {
            throw new IllegalStateException("posix_spawnp: " + rc);
        }
        return () -> {
            IntByReference status = new IntByReference();
            int reaped = LIBC.waitpid(pid.getValue(), status, 0);
            return reaped == pid.getValue()
                    ? (status.getValue() >> 8) & 0xff
                    : -1000 - Native.getLastError();
        };
    }
}
