package dev.reaper.boot;

import dev.reaper.options.Options;
import dev.reaper.options.Options.LogLevel;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * When the JVM stops, what the agent stops with it, decided on the boot side: the moment the stop
 * began, and its scope. The stop itself runs in the agent's layer ({@code dev.reaper.agent.Agent.stop}).
 *
 * <p>Scope: a JVM that is a container's main process (PID 1, or a child of PID 1 such as tini,
 * {@code docker --init} or Kubernetes' pause would start) stops its whole tree, on a shutdown signal
 * and on a normal exit. Any other JVM (a build tool, a launcher, a forked test JVM, jcmd: all of them
 * get the agent through JAVA_TOOL_OPTIONS) relays a shutdown signal only to the descendants still
 * attached to it (in its own session, not adopted), and stops nothing on a normal exit: what it leaves
 * behind was left on purpose, and runs on as it would without the agent.
 *
 * <p>It uses nothing but java.base: the exit hook works where sun.misc.Signal does not.
 */
final class Stopping implements Runnable {
    static final int SIGTERM = 15;

    private final Options options;
    private final ReaperAgent.Handover handover;
    private final boolean mainProcess;
    /** A shutdown signal has run the stop: the exit hook has nothing left to do. */
    private volatile boolean stopped;
    /** A shutdown signal that relay= leaves out ended the JVM: the exit hook leaves the descendants alone too. */
    private volatile boolean notRelayed;

    Stopping(Options options, ReaperAgent.Handover handover, boolean mainProcess) {
        this.options = options;
        this.handover = handover;
        this.mainProcess = mainProcess;
    }

    Options options() {
        return options;
    }

    /**
     * A shutdown signal arrived; runs on the thread HotSpot started for it, whose start is the moment
     * the stop began. Returns when the stop is over; the caller then ends the JVM.
     */
    void signal(String name, int number) throws Exception {
        long began = threadStartTicks();
        if (options.relay().contains(name)) {
            stopped = true;
            handover.stop(name, number, began, mainProcess);
        } else {
            notRelayed = true; // the exit hook must not send the descendants another signal
            handover.stopping();
        }
    }

    /** The exit hook: on a normal exit, a main process stops what it leaves running, with SIGTERM. */
    @Override
    public void run() {
        try {
            if (stopped || notRelayed || !mainProcess || !options.stopOnExit()) {
                handover.stopping();
                return;
            }
            // The application's shutdown hooks start at the same moment as this one, in an order nobody
            // controls: taking the stop to begin a tick before this thread started keeps what they start out.
            handover.stop("TERM", SIGTERM, threadStartTicks() - 1, true);
        } catch (Exception | LinkageError e) {
            ReaperAgent.log(options, LogLevel.WARN, "could not stop the JVM's descendants (" + e + ")");
        }
    }

    /**
     * Whether this JVM is a container's main process: PID 1 of its pid namespace, a child of it
     * (tini, docker --init), or started from outside the namespace (parent pid 0: the container
     * runtime starts a container's process so in a Kubernetes pod that shares its pid namespace,
     * where pause is PID 1; so does docker exec). Read at start-up, before a parent that exits
     * could hand this JVM to PID 1.
     */
    static boolean mainProcess() {
        try {
            String[] stat = stat("/proc/self/stat");
            return stat[0].equals("1") || stat[3].equals("1") || stat[3].equals("0");
        } catch (IOException | RuntimeException e) {
            return true; // unknown: as before this rule existed
        }
    }

    /** The calling thread's start, in clock ticks since boot: field 22 of /proc/thread-self/stat, as for a process. */
    static long threadStartTicks() throws IOException {
        return Long.parseLong(stat("/proc/thread-self/stat")[21]);
    }

    /** The fields of a stat file, numbered from 0 as field N is N - 1; the command, which may hold spaces, is left empty. */
    private static String[] stat(String path) throws IOException {
        byte[] bytes = new byte[1024];
        int n = 0;
        try (InputStream in = new FileInputStream(path)) {
            int r;
            while (n < bytes.length && (r = in.read(bytes, n, bytes.length - n)) > 0) {
                n += r;
            }
        }
        String line = new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        String[] rest = line.substring(line.lastIndexOf(')') + 2).split(" ");
        String[] fields = new String[rest.length + 2];
        fields[0] = line.substring(0, line.indexOf(' '));
        fields[1] = "";
        System.arraycopy(rest, 0, fields, 2, rest.length);
        return fields;
    }
}
