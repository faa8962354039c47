package dev.reaper.reap;

import dev.reaper.log.Log;
import dev.reaper.options.Options.LogLevel;
import dev.reaper.proc.Proc;
import dev.reaper.report.Events;
import dev.reaper.report.Figures;
import java.io.IOException;

/**
 * What both reapers say of a zombie they reaped: the figure, the JFR event, the log line. Its
 * command and how long it was dead are read before it is reaped (its /proc entry goes with it), and
 * only if an event or the log wants them.
 */
final class ZombieReport {
    private final long pid;
    private final String command;
    private final long zombieFor;

    private ZombieReport(long pid, String command, long zombieFor) {
        this.pid = pid;
        this.command = command;
        this.zombieFor = zombieFor;
    }

    /** Read just before the zombie is reaped. */
    static ZombieReport before(long pid) throws IOException {
        boolean wanted = Events.wantZombies() || Log.enabled(LogLevel.INFO);
        return new ZombieReport(
                pid, wanted ? Proc.command(pid) : null, wanted ? Proc.deadForMillis(pid) : -1);
    }

    /**
     * Once it is reaped, with its status in the shell's convention (exit code, or 128 + signal).
     */
    void reaped(Figures figures, int status) {
        figures.reaped();
        if (Events.wantZombies()) {
            Events.zombieReaped(pid, command, status, zombieFor);
        }
        if (Log.enabled(LogLevel.INFO)) {
            Log.info(
                    "reaped zombie "
                            + Log.fields(
                                    "pid",
                                    pid,
                                    "command",
                                    command,
                                    "status",
                                    status,
                                    "zombie_for_ms",
                                    zombieFor));
        }
    }
}
