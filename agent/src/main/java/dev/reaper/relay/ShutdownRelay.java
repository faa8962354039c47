package dev.reaper.relay;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.proc.Proc;
import dev.reaper.proc.ProcessTree;
import dev.reaper.proc.Stat;
import dev.reaper.reap.JdkChildren;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The shutdown sequence (README, "The shutdown sequence"). The boot class runs it on a shutdown
 * signal, before handing the signal to the JVM's own handler, and on a normal exit:
 * <ol>
 * <li>signal every descendant that existed when the stop began, and every orphan the JVM adopts
 * meanwhile; leave alone what the stop itself starts (a TERM handler's cleanup command) while the
 * process that started it runs;</li>
 * <li>wait until they have all exited, at most stop-timeout (the reaper reaps the adopted ones, the
 * JDK its own children);</li>
 * <li>SIGKILL what is left, and wait for it.</li>
 * </ol>
 * "Existed when the stop began" is told by start times, in clock ticks since boot: a process that
 * started before the stop's tick existed; one that started in that tick or later is the stop's own.
 */
public final class ShutdownRelay {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final long self;
    private final Options options;
    private final Signaller signaller;
    private final Figures figures;
    private final JdkChildren jdk;
    private volatile Runnable whenStopping;

    /**
     * @param jdk the JDK's own children: a child the JDK started during the stop is not an orphan,
     *            even if the thread that started it has died
     */
    public ShutdownRelay(long self, Options options, boolean pidfds, Figures figures, JdkChildren jdk) {
        this(self, options, new Signaller(pidfds), figures, jdk);
    }

    private ShutdownRelay(long self, Options options, Signaller signaller, Figures figures, JdkChildren jdk) {
        this.self = self;
        this.options = options;
        this.signaller = signaller;
        this.figures = figures;
        this.jdk = jdk != null && jdk.known() ? jdk : null;
    }

    /** For a stop before the agent is ready: signals through the JDK (SIGTERM and SIGKILL only), counts nothing. */
    public static ShutdownRelay withoutNatives(Options options) throws IOException {
        return new ShutdownRelay(Proc.self(), options, Signaller.withoutNatives(), null, null);
    }

    /**
     * Runs {@code hook} when the JVM starts to stop, with or without a stop of its descendants: the
     * reaper's cue to keep out of native calls that would block (HotSpot waits up to 300 ms at exit
     * for any thread in native code).
     */
    public void whenStopping(Runnable hook) {
        whenStopping = hook;
    }

    /** The JVM is stopping. */
    public void stopping() {
        Runnable hook = whenStopping;
        if (hook != null) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                Log.debug("the stopping hook failed: " + e);
            }
        }
    }

    /**
     * Steps 1 to 3. Synchronized: a second signal, or the exit hook, waits for a sequence under way to end.
     *
     * @param began     when the stop began, in clock ticks since boot (field 22 of /proc/PID/stat)
     * @param wholeTree every descendant; false: only those still attached to the JVM, in its session
     *                  and not adopted (a JVM that is not a container's main process)
     */
    public synchronized void stop(String name, int signal, long began, boolean wholeTree) {
        stopping();
        long started = System.nanoTime();
        Object event = Events.shutdownStarted();
        try {
            Stat me = Proc.stat(self);
            long session = wholeTree || me == null ? -1 : me.session();
            Map<Long, Long> signalled = new HashMap<>();
            long deadline = started + options.stopTimeout().toNanos();
            List<Stat> running = look(signal, began, session, signalled);
            while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(POLL_NANOS);
                running = look(signal, began, session, signalled);
            }
            int sent = signalled.size();
            if (running.isEmpty()) {
                if (sent > 0) {
                    report(event, name, sent, 0, started);
                }
                return;
            }
            Map<Long, Long> killed = new HashMap<>();
            long killDeadline = System.nanoTime() + KILL_WAIT_NANOS;
            while (!running.isEmpty() && System.nanoTime() - killDeadline < 0) {
                for (Stat process : running) {
                    if (!sent(killed, process) && signaller.send(process, Signaller.SIGKILL)) {
                        killed.put(process.pid(), process.startTime());
                    }
                }
                LockSupport.parkNanos(POLL_NANOS);
                running = look(Signaller.SIGKILL, Long.MIN_VALUE, session, killed); // and whatever appears meanwhile
            }
            report(event, name, sent, killed.size(), started);
            Log.warn("SIG" + name + " relayed to " + sent + " processes; " + killed.size() + " still running after stop-timeout ("
                    + options.stopTimeout().toMillis() + " ms) were killed" + (running.isEmpty() ? "" : ", " + running.size() + " survived SIGKILL"));
        } catch (IOException | RuntimeException e) {
            Log.warn("could not stop the JVM's descendants (" + e + ")");
        }
    }

    /**
     * One look at the tree: sends {@code signal} to each process in scope that the rule allows and
     * that has not had it yet, and returns the processes in scope still running, parents first.
     *
     * <p>The rule: a process that started before {@code began} gets the signal; so does an orphan the
     * JVM adopted (on its leader thread's children list, and not the JDK's own child), whenever it
     * started. Any other process that started in the stop's tick or later was started by the stop
     * itself, by a process that is still running: it is waited for, not signalled.
     */
    private List<Stat> look(int signal, long began, long session, Map<Long, Long> signalled) throws IOException {
        List<Stat> running = new ArrayList<>();
        List<Stat> due = new ArrayList<>();
        ProcessTree.walk(self, new ProcessTree.Visitor() { // a class, not a lambda: see AgentLayer
            @Override
            public boolean visit(long parent, long tid, Stat process) {
                boolean adopted = parent == self && tid == self && (jdk == null || !jdk.waitsFor(process.pid()));
                if (session >= 0 && (adopted || process.session() != session)) {
                    return false; // detached from this JVM, and out of this stop's scope with all below it
                }
                if (!process.zombie()) {
                    running.add(process);
                    if ((process.startTime() < began || adopted) && !sent(signalled, process)) {
                        due.add(process);
                    }
                }
                return true;
            }
        });
        // Signalled once the walk is over: a parent that exits at once on the signal would hand its
        // children to PID 1 before the walk reached them, if the JVM is no subreaper.
        for (Stat process : due) {
            if (signaller.send(process, signal)) {
                signalled.put(process.pid(), process.startTime());
                Log.debug("sent signal " + signal + " to " + process.pid() + " (" + process.command() + ")");
            }
        }
        return running;
    }

    private static boolean sent(Map<Long, Long> signalled, Stat process) {
        Long startTime = signalled.get(process.pid());
        return startTime != null && startTime == process.startTime();
    }

    /** The figures, the JFR event, and the log line a pipeline can parse. */
    private void report(Object event, String name, int sent, int killed, long started) {
        if (figures != null) {
            figures.relayed(sent, killed);
        }
        Events.shutdownRelayed(event, "SIG" + name, sent, killed);
        Log.info("relayed stop " + Log.fields("signal", "SIG" + name, "processes", sent, "killed", killed, "took_ms", millis(started)));
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
