package dev.reaper.report;

import jdk.jfr.FlightRecorder;

/**
 * The agent's JFR events, visible with {@code jfr print} and in JDK Mission Control. Everything JFR
 * is touched only through this class, and only if the JVM has module jdk.jfr, so that the agent
 * also runs on a runtime without it. Before JFR has started in this JVM they cost nothing.
 */
public final class Events {
    private static final boolean JFR = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Events() {}

    /**
     * Whether a recording wants zombie events: then the reaper reads what they need (command, exit
     * time) before it reaps. Until JFR has started in this JVM (-XX:StartFlightRecording, jcmd
     * JFR.start), the answer costs nothing: initialising JFR's event machinery costs a JVM about 6
     * MiB, which an agent must not spend for a recording nobody made.
     */
    public static boolean wantZombies() {
        return JFR && Recorded.started() && Recorded.zombies();
    }

    public static void zombieReaped(
            long pid, String command, int exitStatus, long zombieForMillis) {
        if (JFR) {
            Recorded.zombieReaped(pid, command, exitStatus, zombieForMillis);
        }
    }

    /**
     * Starts timing a relayed shutdown; pass the result to {@link #shutdownRelayed}. Null without a
     * recording.
     */
    public static Object shutdownStarted() {
        return JFR && Recorded.started() ? Recorded.shutdownStarted() : null;
    }

    public static void shutdownRelayed(Object started, String signal, int processes, int killed) {
        if (started != null) {
            Recorded.shutdownRelayed(started, signal, processes, killed);
        }
    }

    /** The part that names jdk.jfr classes: loaded only when JFR is there. */
    private static final class Recorded {
        static boolean started() {
            return FlightRecorder.isInitialized();
        }

        static boolean zombies() {
            return new ZombieReapedEvent().isEnabled();
        }

        static void zombieReaped(long pid, String command, int exitStatus, long zombieForMillis) {
            ZombieReapedEvent event = new ZombieReapedEvent();
            if (event.shouldCommit()) {
                event.pid = pid;
                event.command = command;
                event.exitStatus = exitStatus;
                event.zombieFor = zombieForMillis;
                event.commit();
            }
        }

        static Object shutdownStarted() {
            ShutdownRelayedEvent event = new ShutdownRelayedEvent();
            event.begin();
            return event;
        }

        static void shutdownRelayed(Object started, String signal, int processes, int killed) {
            ShutdownRelayedEvent event = (ShutdownRelayedEvent) started;
            event.end();
            if (event.shouldCommit()) {
                event.signal = signal;
                event.processes = processes;
                event.killed = killed;
                event.commit();
            }
        }
    }
}
