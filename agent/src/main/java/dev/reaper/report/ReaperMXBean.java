package dev.reaper.report;

/**
 * The agent's figures over JMX, as {@code dev.reaper:type=Reaper} (jconsole, VisualVM, any JMX
 * client).
 */
public interface ReaperMXBean {
    String OBJECT_NAME = "dev.reaper:type=Reaper";

    /** Zombies the agent reaped since it started. */
    long getZombiesReaped();

    /** Processes this JVM adopted that are still there (running, or zombies about to be reaped). */
    int getChildrenAdopted();

    /** When the last zombie was reaped, epoch milliseconds; 0 if none yet. */
    long getLastReapTime();

    /** Shutdown signals the agent relayed to the JVM's descendants. */
    long getSignalsRelayed();

    /** Processes those signals reached. */
    long getProcessesSignalled();

    /** Processes SIGKILLed because they outlived stop-timeout. */
    long getProcessesKilled();

    /** How orphans reach this JVM: PID 1, child subreaper, or not a subreaper. */
    String getRole();

    /** The options in force, as key=value pairs. */
    String getOptions();

    String getVersion();

    /**
     * Version and role in one attribute, {@code version=V,role=R}: for exporters that take labels
     * from one attribute only, such as the Prometheus JMX exporter's {@code reaper_info}.
     */
    String getInfo();

    /** When the agent started, epoch milliseconds. */
    long getStartTime();
}
