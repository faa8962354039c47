package dev.reaper.report;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: one shutdown signal relayed to the JVM's descendants; the event's duration is the time until
 * they were gone.
 */
@Name("dev.reaper.ShutdownRelayed")
@Label("Shutdown Relayed")
@Category("reaper")
@StackTrace(false)
@Description(
        "A shutdown signal relayed by the reaper agent to every descendant of the JVM, until they were gone")
final class ShutdownRelayedEvent extends Event {
    @Label("Signal")
    String signal;

    @Label("Processes")
    @Description("Descendants the signal reached")
    int processes;

    @Label("Killed")
    @Description("Descendants SIGKILLed because they outlived stop-timeout")
    int killed;
}
