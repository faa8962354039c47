package dev.reaper.report;

import java.util.Properties;

/**
 * The agent's state and figures in the JVM's agent properties (jdk.internal.vm.VMSupport), which an
 * attach client reads with VirtualMachine.getAgentProperties(): that is how {@code reaper.jar
 * attach} knows the agent is running, and how {@code reaper.jar status} shows its figures, without
 * starting JMX in the target. The application does not see them (they are not system properties).
 */
public final class AgentProperties {
    public static final String STATE = "dev.reaper.state";
    public static final String PREFIX = "dev.reaper.";
    private static volatile Properties properties;

    private AgentProperties() {}

    /**
     * Finds the agent properties; needs jdk.internal.vm exported to this module (see Startup).
     * Until then nothing is published.
     */
    public static void open() {
        try {
            properties =
                    (Properties)
                            Class.forName("jdk.internal.vm.VMSupport")
                                    .getMethod("getAgentProperties")
                                    .invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            properties = null;
        }
    }

    /** "starting", "running", "failed: WHY" or "disabled". */
    public static void state(String state) {
        put(STATE, state);
    }

    /** All the figures, at start-up and after a relayed shutdown. */
    public static void publish(Figures figures) {
        Properties p = properties;
        if (p == null) {
            return;
        }
        p.setProperty(PREFIX + "version", figures.version());
        p.setProperty(PREFIX + "role", figures.role());
        p.setProperty(PREFIX + "options", figures.options());
        p.setProperty(PREFIX + "startTime", Long.toString(figures.startedMillis()));
        publishReaped(figures);
        p.setProperty(PREFIX + "signalsRelayed", Long.toString(figures.signalsRelayed()));
        p.setProperty(PREFIX + "processesSignalled", Long.toString(figures.processesSignalled()));
        p.setProperty(PREFIX + "processesKilled", Long.toString(figures.processesKilled()));
        publishWaiting(figures);
    }

    /** The zombies waiting out their grace, and whether the reaper has looked once. */
    public static void publishWaiting(Figures figures) {
        Properties p = properties;
        if (p != null) {
            p.setProperty(PREFIX + "waiting", figures.waiting());
            p.setProperty(PREFIX + "graceMillis", Long.toString(figures.graceMillis()));
            p.setProperty(PREFIX + "looked", Boolean.toString(figures.hasLooked()));
        }
    }

    /**
     * The two figures a reap changes: the reaper calls this for each zombie, so it does no more.
     */
    public static void publishReaped(Figures figures) {
        Properties p = properties;
        if (p != null) {
            p.setProperty(PREFIX + "zombiesReaped", Long.toString(figures.zombiesReaped()));
            p.setProperty(PREFIX + "lastReapTime", Long.toString(figures.lastReapMillis()));
        }
    }

    private static void put(String key, String value) {
        Properties p = properties;
        if (p != null) {
            p.setProperty(key, value);
        }
    }
}
