package dev.reaper.report;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR: one zombie reaped (jfr print --events dev.reaper.ZombieReaped). Used only through {@link
 * Events}.
 */
@Name("dev.reaper.ZombieReaped")
@Label("Zombie Reaped")
@Category("reaper")
@StackTrace(false)
@Description("A zombie process that nobody else would wait for, reaped by the reaper agent")
final class ZombieReapedEvent extends Event {
    @Label("PID")
    long pid;

    @Label("Command")
    String command;

    @Label("Exit Status")
    @Description("The exit code, or 128 + the signal that killed it")
    int exitStatus;

    @Label("Zombie For")
    @Description("How long it was a zombie before it was reaped")
    @Timespan(Timespan.MILLISECONDS)
    long zombieFor;
}
