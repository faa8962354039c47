package dev.reaper.it.apps;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcessBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A long mixed run in a pid namespace whose pid_max is a few hundred, so that pids wrap again and
 * again (after the first wrap the kernel hands out the pids from 300 up only: a hundred for 400),
 * then a stop. Run it as PID 1 of that namespace.
 *
 * <ol>
 *   <li>Rounds until the pids of its children have wrapped WRAPS times: in each, JDK children with
 *       random exit codes (half of them from a thread that ends at once), children through
 *       NuProcess (which reaps its own with waitpid(pid, WNOHANG)), and a shell that leaves three
 *       orphans behind; every exit status checked. Then waits until no zombie child is left, and
 *       prints key=value lines: rounds, wraps, checked, mismatches, zombies_left.
 *   <li>Starts reuse-tree.sh with WORKERS workers in DIR, and has a shutdown hook (see {@link
 *       #hook}); once the workers have started, creates DIR/ready and waits for the stop. The hook
 *       prints hook_checked and hook_mismatches.
 * </ol>
 *
 * Arguments: DIR WRAPS WORKERS STOP-ORDER (the agent's: hooks-first or all-at-once).
 */
public final class PidReuseApp {
    /** How many bystanders the shutdown hook leaves running. */
    public static final int BYSTANDERS = 4;

    private static final ExitStatuses statuses = new ExitStatuses();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int wraps = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        // hooks-first: the relay comes after the hook, and the workers, which it waits for, wait
        // for the hook's bystanders, so that those run while the relay works. all-at-once: the
        // relay is over before the hook runs, and the hook waits for its bystanders itself, so
        // that the JVM's exit does not cut them short.
        boolean hooksFirst = args[3].equals("hooks-first");
        long self = ProcessHandle.current().pid();
        AgentReady.await();
        // NuProcess's first use resets SIGCHLD to SIG_DFL (it runs the JDK's own ProcessImpl init):
        // the agent's handler, which wakes it while the JVM has no child, is gone until the agent's
        // next wait installs it again, at most a sweep later. Until then orphans would wait for the
        // sweep, and a hundred pids do not last that long.
        nuProcess("sleep 0.01").get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!catchesSigchld() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        System.out.println("sigchld_caught=" + catchesSigchld());

        Random random = new Random(400);
        long lastPid = 0;
        int wrapped = 0;
        int rounds = 0;
        while (wrapped < wraps) {
            rounds++;
            List<Process> jdk = new ArrayList<>();
            List<Integer> jdkCodes = new ArrayList<>();
            List<CompletableFuture<Integer>> nu = new ArrayList<>();
            List<Integer> nuCodes = new ArrayList<>();
            Runnable start =
                    () -> {
                        for (int i = 0; i < 2; i++) {
                            int code = random.nextInt(256);
                            jdkCodes.add(code);
                            jdk.add(start("sh", "-c", "exit " + code));
                        }
                        int code =
                                random.nextInt(
                                        126); // NuProcess reads 126 and 127 as a failed launch
                        nuCodes.add(code);
                        // one that exits at once ends before NuProcess has started it (an NPE it
                        // logs)
                        nu.add(nuProcess("sleep 0.01; exit " + code));
                    };
            Thread spawner = new Thread(start, "short-lived spawner");
            spawner.start();
            spawner.join();
            start.run();
            Process orphans = start("sh", "-c", "(true &); (exit 3 &); (sleep 0.01 &)");
            for (int i = 0; i < jdk.size(); i++) {
                Process p = jdk.get(i);
                if (p.pid() < lastPid) {
                    wrapped++;
                }
                lastPid = p.pid();
                int waited = p.waitFor();
                int onExit = p.onExit().get(30, TimeUnit.SECONDS).exitValue();
                statuses.compare(
                        "JDK child " + p.pid() + " in round " + rounds,
                        waited == onExit ? waited : -1000 - onExit,
                        jdkCodes.get(i));
            }
            for (int i = 0; i < nu.size(); i++) {
                statuses.compare(
                        "NuProcess child " + i + " in round " + rounds,
                        nu.get(i).get(30, TimeUnit.SECONDS),
                        nuCodes.get(i));
            }
            statuses.compare("orphans' parent in round " + rounds, orphans.waitFor(), 0);
        }
        int left = Zombies.awaitNone(self, 30_000);
        System.out.println("rounds=" + rounds);
        System.out.println("wraps=" + wrapped);
        statuses.print();
        System.out.println("zombies_left=" + left);
        System.out.flush();

        try (InputStream script = PidReuseApp.class.getResourceAsStream("reuse-tree.sh")) {
            Files.copy(script, dir.resolve("reuse-tree.sh"));
        }
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> hook(dir, new Random(143), !hooksFirst), "application hook"));
        start(
                "sh",
                dir.resolve("reuse-tree.sh").toString(),
                dir.toString(),
                "" + workers,
                "" + (hooksFirst ? BYSTANDERS : 0));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (started(dir) < workers && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        Files.writeString(dir.resolve("ready"), "" + started(dir));
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * The shutdown hook, whose children all start after the stop began: BYSTANDERS bystanders of
     * reuse-tree.sh, which it leaves running with hooks-first (the relay then runs while they do;
     * the workers wait for them) and waits for with all-at-once (the relay is over then); and five
     * children, each running sleeps one after another (a sleep that ends by a signal makes it exit
     * 200), whose exit codes it checks.
     */
    private static void hook(Path dir, Random random, boolean waitForBystanders) {
        List<Process> bystanders = new ArrayList<>();
        List<Process> children = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        int hookChecked = 0;
        List<String> hookMismatches = new ArrayList<>();
        for (int i = 0; i < BYSTANDERS; i++) {
            bystanders.add(
                    start(
                            "sh",
                            dir.resolve("reuse-tree.sh").toString(),
                            dir.toString(),
                            "bystander",
                            "h" + i));
        }
        try {
            for (int i = 0; i < 5; i++) {
                int code = random.nextInt(126);
                codes.add(code);
                children.add(
                        start(
                                "sh",
                                "-c",
                                "i=0; while [ $i -lt 10 ]; do sleep 0.02 || exit 200; i=$((i+1)); done; exit "
                                        + code));
            }
            for (int i = 0; i < children.size(); i++) {
                int got = children.get(i).waitFor();
                hookChecked++;
                if (got != codes.get(i)) {
                    hookMismatches.add(
                            "hook child "
                                    + children.get(i).pid()
                                    + ": expected "
                                    + codes.get(i)
                                    + ", got "
                                    + got);
                }
            }
            if (waitForBystanders) {
                for (Process bystander : bystanders) {
                    bystander.waitFor();
                }
            }
        } catch (InterruptedException e) {
            hookMismatches.add("hook interrupted");
        }
        System.out.println("hook_checked=" + hookChecked);
        System.out.println("hook_mismatches=" + hookMismatches.size());
        hookMismatches.forEach(m -> System.out.println("hook mismatch: " + m));
        System.out.flush();
    }

    /**
     * Whether a handler catches SIGCHLD (17), as the kernel sees it: bit 16 of SigCgt in
     * /proc/self/status.
     */
    private static boolean catchesSigchld() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigCgt:")) {
                return (Long.parseUnsignedLong(line.substring("SigCgt:".length()).strip(), 16)
                                & (1L << 16))
                        != 0;
            }
        }
        return false;
    }

    private static long started(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".started")).count();
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
}
