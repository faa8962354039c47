package dev.reaper.report;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the agent has done, for the MBean, the status command and the logs. Updated by the reaper
 * and the shutdown relay, and published to the agent properties at each change.
 */
public final class Figures {
    private final String version;
    private final String options;
    private volatile String role;
    private final long startedMillis = System.currentTimeMillis();
    private final AtomicLong zombiesReaped = new AtomicLong();
    private volatile long lastReapMillis;
    private final AtomicLong signalsRelayed = new AtomicLong();
    private final AtomicLong processesSignalled = new AtomicLong();
    private final AtomicLong processesKilled = new AtomicLong();
    private volatile long graceMillis;

    /**
     * The zombies waiting out their grace: pid and when first seen (epoch milliseconds),
     * "PID@MILLIS" joined by spaces.
     */
    private volatile String waiting = "";

    private volatile boolean looked;

    public Figures(String version, String options, String role) {
        this.version = version;
        this.options = options;
        this.role = role;
    }

    public void reaped() {
        zombiesReaped.incrementAndGet();
        lastReapMillis = System.currentTimeMillis();
        AgentProperties.publishReaped(this);
    }

    /**
     * One shutdown signal relayed to {@code signalled} processes, {@code killed} of which were
     * SIGKILLed at the timeout.
     */
    public void relayed(int signalled, int killed) {
        signalsRelayed.incrementAndGet();
        processesSignalled.addAndGet(signalled);
        processesKilled.addAndGet(killed);
        AgentProperties.publish(this);
    }

    /**
     * The zombies waiting out their grace now, each with when it was first seen (epoch
     * milliseconds).
     */
    public void waiting(long[] pids, long[] firstSeenMillis, int n, long grace) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            list.append(i == 0 ? "" : " ").append(pids[i]).append('@').append(firstSeenMillis[i]);
        }
        waiting = list.toString();
        graceMillis = grace;
        AgentProperties.publishWaiting(this);
    }

    /** The reaper has looked at every thread's children once: what it found is in the figures. */
    public void looked() {
        if (!looked) {
            looked = true;
            AgentProperties.publishWaiting(this);
        }
    }

    public String waiting() {
        return waiting;
    }

    public long graceMillis() {
        return graceMillis;
    }

    public boolean hasLooked() {
        return looked;
    }

    public String version() {
        return version;
    }

    public String options() {
        return options;
    }

    /** How orphans reach this JVM: "PID 1", "child subreaper" or "not a subreaper". */
    public String role() {
        return role;
    }

    /** Once the agent has become a subreaper. */
    public void role(String now) {
        role = now;
        AgentProperties.publish(this);
    }

    public long startedMillis() {
        return startedMillis;
    }

    public long zombiesReaped() {
        return zombiesReaped.get();
    }

    /** Epoch milliseconds of the last reap, 0 if none yet. */
    public long lastReapMillis() {
        return lastReapMillis;
    }

    public long signalsRelayed() {
        return signalsRelayed.get();
    }

    public long processesSignalled() {
        return processesSignalled.get();
    }

    public long processesKilled() {
        return processesKilled.get();
    }
}
